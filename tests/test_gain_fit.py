"""bench/gain_fit.py: the cross-split catalogue and the fit statistics."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")
spec = importlib.util.spec_from_file_location(
    "gain_fit", Path(__file__).resolve().parents[1] / "bench" / "gain_fit.py")
gain_fit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gain_fit)


class Pools:
    def pool(self, split, category):
        return [f"{split}/{category}"]

    def audio(self, entry):
        return entry


def test_cross_catalogue_takes_voices_and_noises_from_their_splits():
    cross = gain_fit.CrossCatalog(Pools(), "val", "train")
    for asked in ("train", "val", "test"):
        assert cross.pool(asked, "speech") == ["val/speech"]
        assert cross.pool(asked, "fullband") == ["val/fullband"]
        assert cross.pool(asked, "noise") == ["train/noise"]
        assert cross.pool(asked, "music") == ["train/music"]


class Echo:
    """A 'network' that predicts given gains, whatever the features."""

    def __init__(self, gains):
        self.gains = gains

    def __call__(self, x):
        import torch
        return (torch.from_numpy(self.gains[None]),)


def test_fit_is_perfect_for_the_targets_and_shows_hedging():
    rng = np.random.default_rng(0)
    target = rng.uniform(0, 1, (200, 34)).astype(np.float32)
    target[:, 30:] = -1.0                                      # undefined bands are ignored
    data = {"features": rng.normal(0, 1, (200, 70)).astype(np.float32), "gains": target,
            "lengths": np.array([200])}
    exact = gain_fit.fit(Echo(np.clip(target, 0, 1)), data)
    assert exact["r2"] == pytest.approx(1.0) and exact["mse"] == pytest.approx(0.0, abs=1e-12)
    hedged = gain_fit.fit(Echo(np.clip(target, 0, 1) * 0.6), data)
    assert hedged["r2"] < 0.9
    top = hedged["calibration"][-1]                             # targets 0.99...1
    assert top["pred_mean"] == pytest.approx(0.6 * top["target_mean"], rel=1e-5)
