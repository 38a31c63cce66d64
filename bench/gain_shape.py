"""Which shape of the band gains do the metrics prefer?  An experiment on the val split.

PERCEPNET.md applies the network's gains as they are, then the envelope postfilter. DNSMOS
(BAK, OVRL) rewards removing more noise than the oracle's gains do (docs/training.md), PESQ
and STOI punish removing speech. This script scores a few gain shapes, applied to the
gains before the postfilter, for our model and for the band+comb oracle, on val-split
mixtures (never the test split: a choice made here would otherwise be tuned on the test):

    PYTHONPATH=py python bench/gain_shape.py --clips 36 --out docs/gain-shape/shapes.json

Shapes: ``g**p`` (p > 1 removes more where the gain is already low), ``gate:τ`` (gains
below τ become g²/τ, the others stay), ``boost:k`` (gains times k, at most 1), ``release:α`` (the network's gain falls by at most a factor α
per frame, RNNoise's rule; ``release:0`` is ``ours``), ``oracle-floor:P`` (the oracle's clean band energies
less their P-th percentile over the clip, so the target also removes the reference
recording's own stationary background), and the model run
without the postfilter (``ours-nopf``) or without the comb filter (``ours-nocomb``).  Prints a table of means (PESQ-WB, STOI, SI-SDR, DNSMOS
SIG/BAK/OVRL) and writes per-variant means with the machine, versions and date.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "py"))

from percepnet_eval import evalset, metrics  # noqa: E402
from percepnet_wasm import Denoiser, enhance  # noqa: E402
from percepnet_wasm.model import Model  # noqa: E402
from percepnet_wasm.oracle import OracleTargets  # noqa: E402

KEYS = ("pesq", "stoi", "si_sdr", "sig", "bak", "ovrl")


class Shaped:
    """Wraps a model or oracle: its gains raised to ``power`` (shape (34,), in [0, 1])."""

    def __init__(self, inner, power):
        self.inner, self.power = inner, power

    def reset(self):
        self.inner.reset()

    def step(self, arg):
        g, r, v = self.inner.step(arg)
        return np.power(g, self.power, dtype=np.float32), r, v


class Gated(Shaped):
    """Wraps a model: gains below ``tau`` pushed down to g²/τ (continuous at τ), gains above
    left alone: removes more where a band is mostly noise without touching speech bands."""

    def __init__(self, inner, tau):
        self.inner, self.tau = inner, np.float32(tau)

    def step(self, arg):
        g, r, v = self.inner.step(arg)
        return np.where(g < self.tau, g * g / self.tau, g).astype(np.float32), r, v


class Boosted(Shaped):
    """Wraps a model: gains times ``factor`` (> 1), at most 1. The network hedges: where the
    target is ~1 (speech) it predicts ~0.84 (bench/gain_fit.py's calibration), which costs
    speech at high SNR; this raises those bands to 1 and leaves ``factor`` more noise elsewhere."""

    def __init__(self, inner, factor):
        self.inner, self.factor = inner, np.float32(factor)

    def step(self, arg):
        g, r, v = self.inner.step(arg)
        return np.minimum(g * self.factor, np.float32(1.0)), r, v


class Released(Shaped):
    """Wraps a model: a band's gain falls by at most a factor ``alpha`` per frame,
    ``g = max(g, alpha * g_previous)`` (RNNoise's ``lastg`` rule, alpha 0.6 there)."""

    def __init__(self, inner, alpha):
        self.inner, self.alpha = inner, np.float32(alpha)
        self.last = np.zeros(34, np.float32)

    def reset(self):
        self.inner.reset()
        self.last.fill(0.0)

    def step(self, arg):
        g, r, v = self.inner.step(arg)
        np.maximum(g, self.alpha * self.last, out=self.last)
        return self.last, r, v


class _Recorder:
    """Wraps an oracle: keeps a copy of each frame's clean band energies [34]."""

    def __init__(self, inner):
        self.inner, self.energies = inner, []

    def reset(self):
        self.inner.reset()

    def step(self, denoiser):
        out = self.inner.step(denoiser)
        self.energies.append(self.inner.clean_energy.copy())
        return out


def clean_floor(clip, percentile):
    """Per-band energy floor [34] of ``clip.clean``: the ``percentile`` of its band energies
    over the frames that are not digital silence (the clips' lead-in and tail are)."""
    recorder = _Recorder(OracleTargets(clip.clean, comb=True))
    enhance(clip.noisy, Denoiser(model=None, oracle=recorder, postfilter=False))
    e = np.array(recorder.energies)
    return np.percentile(e[e.sum(axis=1) > 1e-12], percentile, axis=0)


def run_variant(name, clip, model):
    if name in ("noisy", "clean"):
        return getattr(clip, name)
    kind, _, arg = name.partition(":")
    power = float(arg) if arg else 1.0
    if kind == "oracle-floor":                          # arg: the floor's percentile
        oracle = OracleTargets(clip.clean, comb=True, clean_floor=clean_floor(clip, float(arg)))
        return enhance(clip.noisy, Denoiser(model=None, oracle=oracle, postfilter=False))
    if kind == "oracle":
        oracle = Shaped(OracleTargets(clip.clean, comb=True), power)
        return enhance(clip.noisy, Denoiser(model=None, oracle=oracle, postfilter=False))
    model.reset()
    if kind == "release":
        return enhance(clip.noisy, Denoiser(model=Released(model, float(arg))))
    if kind == "gate":
        return enhance(clip.noisy, Denoiser(model=Gated(model, float(arg))))
    if kind == "boost":
        return enhance(clip.noisy, Denoiser(model=Boosted(model, float(arg))))
    options = kind.split("-")[1:]                     # ours[-nopf][-nocomb]
    return enhance(clip.noisy, Denoiser(model=Shaped(model, power), postfilter="nopf" not in options,
                                        comb="nocomb" not in options))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clips", type=int, default=36)
    ap.add_argument("--snrs", default="-5,0,5,10,15,20")
    ap.add_argument("--weights", default=None, help="weights file (default: the shipped one)")
    ap.add_argument("--variants", default="noisy,ours,ours:1.5,ours:2,ours-nopf,oracle,oracle:1.5,oracle:2")
    ap.add_argument("--out", type=Path, default=Path("docs/gain-shape/shapes.json"))
    args = ap.parse_args(argv)
    model = Model.load(args.weights)
    variants = args.variants.split(",")
    snrs = [float(s) for s in args.snrs.split(",")]
    scores = {v: [] for v in variants}
    t0 = time.time()
    for clip in evalset.mixtures(args.clips, snrs, split="val"):
        for v in variants:
            scores[v].append(metrics.score(clip.clean, run_variant(v, clip, model), evalset.RATE))
        print(f"clip {clip.index + 1}/{args.clips} ({time.time() - t0:.0f} s)", file=sys.stderr, flush=True)
    means = {v: {k: float(np.nanmean([s[k] for s in rows])) for k in KEYS} for v, rows in scores.items()}
    print("| variant | " + " | ".join(KEYS) + " |\n|---|" + "---|" * len(KEYS))
    for v, m in means.items():
        print(f"| {v} | " + " | ".join(f"{m[k]:.3f}" for k in KEYS) + " |")
    report = {"command": " ".join(sys.argv), "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
              "machine": platform.platform(), "split": "val", "clips": args.clips, "snrs": snrs,
              "weights": args.weights or "shipped", "weights_sha256": (model.metadata or {}).get("arrays_sha256"),
              "metric_versions": metrics.versions(), "means": means,
              "per_clip": {v: [{k: s[k] for k in KEYS} for s in rows] for v, rows in scores.items()}}
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
