"""Issue 12's sanity check: a model trained on ~20 mixtures, scored on those same mixtures
through the real CLI, against the band+comb oracle of the same DSP.

    PYTHONPATH=py .venv/bin/python bench/sanity_overfit.py WEIGHTS.npz --count 20 --out docs/sanity-overfit.json

The mixtures are ``mixer.mix(seed, "train")`` for seeds 0..count-1, the ones
``make_cache --split train --count 20`` turned into the sanity cache. If the model cannot
get near the oracle here, features, targets, their alignment, the loss or the export is wrong.
PESQ-WB / STOI / SI-SDR from ``percepnet_eval.metrics`` (no DNSMOS: the check is about the
labels, not perception). "Recovery" = (model - noisy) / (oracle - noisy), per metric, over
the mean scores.
"""
import argparse
import datetime
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

from percepnet_eval import metrics
from percepnet_train import mixer
from percepnet_wasm.constants import SAMPLE_RATE as RATE

CLI = [sys.executable, "-m", "percepnet_wasm"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("weights")
    ap.add_argument("--count", type=int, default=20)
    ap.add_argument("--out", default=None, help="JSON report")
    args = ap.parse_args()
    keys = ("pesq", "stoi", "si_sdr")
    rows = {"noisy": [], "model": [], "oracle_comb": []}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for seed in range(args.count):
            clean, noisy = mixer.mix(seed, "train")
            if not np.any(clean):                       # a noise-only mixture: no reference
                continue
            c, n = tmp / f"{seed}_clean.wav", tmp / f"{seed}_noisy.wav"
            sf.write(c, clean, RATE, subtype="FLOAT")
            sf.write(n, noisy, RATE, subtype="FLOAT")
            subprocess.run([*CLI, "enhance", str(n), str(tmp / f"{seed}_model.wav"),
                            "--weights", args.weights], check=True, capture_output=True)
            subprocess.run([*CLI, "oracle", "--clean", str(c), "--noisy", str(n), "--mode", "comb",
                            "-o", str(tmp / f"{seed}_oracle_comb.wav")], check=True, capture_output=True)
            for name in rows:
                y = noisy if name == "noisy" else sf.read(tmp / f"{seed}_{name}.wav", dtype="float32")[0]
                s = metrics.score(clean, y, RATE, with_dnsmos=False)
                rows[name].append({k: s[k] for k in keys})
            print(seed, {name: rows[name][-1] for name in rows}, flush=True)
    mean = {name: {k: float(np.nanmean([r[k] for r in rs])) for k in keys} for name, rs in rows.items()}
    recovery = {k: (mean["model"][k] - mean["noisy"][k]) / (mean["oracle_comb"][k] - mean["noisy"][k])
                for k in keys}
    print("| system | " + " | ".join(keys) + " |\n|---|---|---|---|")
    for name in rows:
        print(f"| {name} | " + " | ".join(f"{mean[name][k]:.3f}" for k in keys) + " |")
    print("| recovery | " + " | ".join(f"{recovery[k]:.0%}" for k in keys) + " |")
    if args.out:
        Path(args.out).write_text(json.dumps({
            "command": " ".join(sys.argv), "date": datetime.date.today().isoformat(),
            "weights": args.weights, "clips": len(rows["noisy"]), "mean": mean,
            "recovery": recovery, "per_clip": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
