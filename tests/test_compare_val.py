"""bench/compare_val.py: paired differences between two val reports of gain_shape.py."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

spec = importlib.util.spec_from_file_location(
    "compare_val", Path(__file__).resolve().parents[1] / "bench" / "compare_val.py")
compare_val = importlib.util.module_from_spec(spec)
spec.loader.exec_module(compare_val)


def report(scores, clips=None):
    rows = [{k: s + i for i, k in enumerate(compare_val.KEYS)} for s in scores]
    return {"split": "val", "clips": clips or len(scores), "snrs": [0.0], "per_clip": {"ours": rows}}


def test_paired_difference_sign_and_interval():
    rng = np.random.default_rng(0)
    base = rng.normal(2.0, 0.5, 40)
    better = base + 0.1 + rng.normal(0, 0.01, 40)     # a small, consistent gain on every clip
    d = compare_val.compare(report(better), report(base))
    assert d["pesq"]["mean"] == pytest.approx(0.1, abs=0.01)
    assert d["pesq"]["verdict"] == "better" and d["pesq"]["lo"] > 0
    assert compare_val.compare(report(base), report(better))["stoi"]["verdict"] == "worse"


def test_reports_of_different_clips_are_refused():
    with pytest.raises(SystemExit, match="clips"):
        compare_val.compare(report([1.0, 2.0]), report([1.0, 2.0], clips=96))


def test_clips_are_kept_by_mask():
    a, b = report([3.0, 1.0, 3.0]), report([2.0, 2.0, 2.0])
    assert compare_val.compare(a, b, keep=[True, False, True])["pesq"]["mean"] == pytest.approx(1.0)
    assert compare_val.compare(a, b, keep=[False, True, False])["pesq"]["mean"] == pytest.approx(-1.0)
