"""How well the network's gains follow their targets, and on which unseen part it fails.

    PYTHONPATH=py .venv/bin/python bench/gain_fit.py runs/small3/ckpt_best.pt [--clips 48] --out X.json
    PYTHONPATH=py .venv/bin/python bench/gain_fit.py py/percepnet_wasm/weights.npz --out X.json

Five sets of fresh mixtures (seeds 1_000_000 upwards, never in a cache), each made by
``mixer.mix`` with speech from one split and noise from another:

- ``seen voices + seen noises``: train speech, train noise (new mixtures of trained-on sources);
- ``unseen voices + seen noises``: val speech, train noise;
- ``seen voices + unseen noises``: train speech, val noise;
- ``unseen voices + unseen noises``: val speech, val noise (what the val split measures);
- ``holdout voices + seen noises``: the leave-source-out voices (Dutch), train noise (added in
  session 11; reports before have four sets).

(Babble is made of the speech split's voices.) Features and targets come from
``training_sequences_batch``; the float network of the checkpoint (its moving average when it
kept one), or of a weights file (int8 dequantised), predicts the gains. Per set: R² of the gains in the loss's domain (g^0.5, bands with a
defined target), its mean squared error, and a calibration table: over band-frames whose target
lies in a bin, the mean prediction weighted by the noisy band energy (what the ear gets). A
network that hedges predicts well below 1 where the target is 1.
"""
from __future__ import annotations

import argparse
import datetime
import json
import platform
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "py"))

from percepnet_train import mixer  # noqa: E402
from percepnet_train.export import load_model  # noqa: E402
from percepnet_wasm.constants import NB_BANDS  # noqa: E402
from percepnet_wasm.targets import training_sequences_batch  # noqa: E402

SETS = {"seen voices + seen noises": ("train", "train"),
        "unseen voices + seen noises": ("val", "train"),
        "seen voices + unseen noises": ("train", "val"),
        "unseen voices + unseen noises": ("val", "val"),
        "holdout voices + seen noises": ("holdout", "train")}
FIRST_SEED = 1_000_000
BINS = (0.0, 0.05, 0.2, 0.4, 0.6, 0.8, 0.9, 0.99, 1.01)
SPEECH_CATEGORIES = ("speech", "fullband")


class CrossCatalog:
    """A ``mixer.Catalog`` whose speech comes from ``speech_split`` and everything else from
    ``noise_split``, whatever split the mixer asks for."""

    def __init__(self, catalog: mixer.Catalog, speech_split: str, noise_split: str):
        self._catalog, self._speech, self._noise = catalog, speech_split, noise_split

    def pool(self, split, category):
        return self._catalog.pool(self._speech if category in SPEECH_CATEGORIES else self._noise, category)

    def audio(self, entry):
        return self._catalog.audio(entry)

    def length(self, entry):
        return self._catalog.length(entry)


def rows(speech_split: str, noise_split: str, clips: int) -> dict[str, np.ndarray]:
    """Features (R, 70), gain targets (R, 34) and per-mixture row counts of ``clips``
    cross-split mixtures."""
    cross = CrossCatalog(mixer.catalog(), speech_split, noise_split)
    seqs = [training_sequences_batch(*mixer.mix(FIRST_SEED + i, "val", cat=cross)) for i in range(clips)]
    return {k: np.concatenate([s[k] for s in seqs]) for k in ("features", "gains")} | {
        "lengths": np.array([len(s["gains"]) for s in seqs])}


def fit(model, data) -> dict:
    """R², MSE (g^0.5 domain) and the energy-weighted calibration of one set."""
    preds, start = [], 0
    with torch.no_grad():
        for n in data["lengths"]:
            x = torch.from_numpy(data["features"][start:start + n][None])
            preds.append(model(x)[0][0].numpy())
            start += n
    pred, target = np.concatenate(preds), data["gains"]
    # the features of row t are frame t + 2's; its energies weight frame t's target well enough
    energy = 10.0 ** data["features"][:, :NB_BANDS].astype(np.float64)
    defined = target >= 0
    sp, st = np.sqrt(np.clip(pred, 0, 1)), np.sqrt(np.clip(target, 0, 1))
    mse = float(np.mean((sp - st)[defined] ** 2))
    calibration = []
    for lo, hi in zip(BINS[:-1], BINS[1:]):
        sel = defined & (target >= lo) & (target < hi)
        w = energy[sel]
        calibration.append({"target": [lo, min(hi, 1.0)], "energy_share": float(w.sum() / energy[defined].sum()),
                            "target_mean": float(np.sum(target[sel] * w) / w.sum()),
                            "pred_mean": float(np.sum(pred[sel] * w) / w.sum())})
    return {"frames": int(len(target)), "r2": 1.0 - mse / float(np.var(st[defined])), "mse": mse,
            "calibration": calibration}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoint", help="a checkpoint file or run dir (best, else latest), or a weights.npz")
    ap.add_argument("--clips", type=int, default=48, help="mixtures per set (10 s each)")
    ap.add_argument("--out", type=Path, help="JSON report")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    model, ckpt = load_model(args.checkpoint)
    model.eval()
    report = {"command": " ".join(["bench/gain_fit.py", *(argv or sys.argv[1:])]),
              "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="minutes"),
              "machine": platform.platform(), "checkpoint": ckpt["path"], "step": ckpt.get("step"),
              "clips": args.clips, "sets": {}}
    for name, (speech_split, noise_split) in SETS.items():
        report["sets"][name] = fit(model, rows(speech_split, noise_split, args.clips))
        s = report["sets"][name]
        print(f"{name:32s} R2 {s['r2']:.3f}  MSE {s['mse']:.4f}  "
              + "  ".join(f"{c['target'][0]:.2f}+: {c['pred_mean']:.2f}" for c in s["calibration"]), flush=True)
    if args.out:
        args.out.write_text(json.dumps(report, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
