"""Low-rate files through the real ``enhance`` path: never worse than the input.

    PYTHONPATH=py python -m percepnet_eval.lowrate      # docs/lowrate.md, docs/lowrate.json

Test-split mixtures (``evalset.mixtures``, 48 kHz) are resampled to each rate (8 and 16 kHz
by default, ``scipy.signal.resample_poly``), clean and noisy alike. The noisy signal is
written as a WAV file at that rate and denoised by the command line's own code
(``percepnet_wasm.cli._enhance_file`` with the denoiser of ``cli._make_denoiser``: the
shipped model unless ``--weights``): ``read_audio`` resamples to 48 kHz, ``enhance`` runs,
``write_audio`` resamples back to the file's rate and length. Input and output are scored
against the clean signal at that rate: SI-SDR (after delay alignment) and STOI. Two level
ratios say whether the output is quieter than the input: RMS out / in, and the speech
gain out / in (the projection of each onto the clean speech, as in SI-SDR), which noise
removal alone does not lower.

The verdict: at every rate, the mean paired difference output - input is >= 0 on SI-SDR and
STOI (with 95 % bootstrap intervals over clips), and how many clips got worse.
"""
from __future__ import annotations

import os

for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from . import metrics  # noqa: E402
from .evalset import RATE, mixtures  # noqa: E402
from .report import aggregate, paired_difference, provenance  # noqa: E402

RATES = (8000, 16000)
SNRS = (-5, 0, 5, 10, 15, 20)
#: Metrics that must not get worse, and their labels.
KEYS = {"si_sdr": "SI-SDR (dB)", "stoi": "STOI"}


def _projection_gain(ref, est):
    """The scale of ``ref`` in ``est`` (least squares, zero-mean): 1 for unchanged speech."""
    ref = ref - ref.mean()
    est = est - est.mean()
    return float(np.dot(est, ref) / (np.dot(ref, ref) + 1e-30))


def _scores(clean, x, rate):
    ref, est, lag = metrics.align(clean, x, max_lag=int(0.1 * rate))
    return {"si_sdr": metrics.si_sdr(ref, est), "stoi": metrics.stoi(ref, est, rate),
            "rms": float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))),
            "speech_gain": _projection_gain(ref, est), "lag": lag}


def run_clip(clip, rate, denoiser, tmp):
    """One clip at one rate through the CLI's file path; the scores of input and output."""
    import soundfile
    from percepnet_wasm.cli import _enhance_file

    clean = metrics.resample(clip.clean, RATE, rate)
    noisy = metrics.resample(clip.noisy, RATE, rate).astype(np.float32)
    src, dst = Path(tmp) / "in.wav", Path(tmp) / "out.wav"
    soundfile.write(str(src), noisy, rate, subtype="FLOAT")
    t0 = time.perf_counter()
    _enhance_file(denoiser, src, dst)
    seconds = time.perf_counter() - t0
    out, out_rate = soundfile.read(str(dst), dtype="float64")
    if out_rate != rate or out.shape != noisy.shape:
        raise RuntimeError(f"enhance wrote {out.shape} at {out_rate} Hz for {noisy.shape} "
                           f"at {rate} Hz")
    s_in, s_out = _scores(clean, noisy, rate), _scores(clean, out, rate)
    s_out["level_ratio"] = s_out["rms"] / (s_in["rms"] + 1e-30)
    s_out["speech_gain_ratio"] = s_out["speech_gain"] / (s_in["speech_gain"] + 1e-30)
    s_out["rtf"] = seconds / (len(noisy) / rate)
    return {"meta": {**clip.meta(), "rate": rate}, "scores": {"input": s_in, "output": s_out}}


def summarise(rows, rates, *, n_boot=1000, seed=0):
    """Per rate: input/output means with intervals, paired differences output - input, the
    number of clips that got worse, the level ratios, and whether the rate passes.

    Returns
    -------
    dict rate (str) -> {"n", "aggregate", "diff", "worse", "level_ratio",
    "speech_gain_ratio", "ok"}
    """
    out = {}
    for rate in rates:
        sel = [r for r in rows if r["meta"]["rate"] == rate]
        if not sel:
            continue
        agg = aggregate(sel, ["input", "output"], keys=tuple(KEYS), n_boot=n_boot,
                        seed=seed)["all"]
        diff = {k: paired_difference(sel, "output", "input", k, n_boot=n_boot, seed=seed)
                for k in KEYS}
        worse = {k: int(sum(r["scores"]["output"][k] < r["scores"]["input"][k] for r in sel))
                 for k in KEYS}
        ratios = {k: float(np.median([r["scores"]["output"][k] for r in sel]))
                  for k in ("level_ratio", "speech_gain_ratio")}
        out[str(rate)] = {"n": len(sel), "aggregate": agg, "diff": diff, "worse": worse,
                          **ratios,
                          "ok": all(np.isfinite(d["mean"]) and d["mean"] >= 0
                                    for d in diff.values())}
    return out


def by_snr(rows, rates, snrs, *, n_boot=1000, seed=0):
    """Paired differences output - input per rate and SNR: dict rate -> snr -> metric -> d."""
    return {str(rate): {f"{float(s):g}": {
                k: paired_difference([r for r in rows if r["meta"]["rate"] == rate
                                      and r["meta"]["snr_db"] == float(s)],
                                     "output", "input", k, n_boot=n_boot, seed=seed)
                for k in KEYS} for s in snrs}
            for rate in rates}


def _d(d, k):
    """``mean [lo, hi]`` of a paired difference, signed; "–" for what is undefined."""
    f = "{:+.3f}" if k == "stoi" else "{:+.2f}"

    def g(v):
        return f.format(v) if np.isfinite(v) else "–"

    if not np.isfinite(d["mean"]):
        return "–"
    return f"{g(d['mean'])} [{g(d['lo'])}, {g(d['hi'])}]"


def verdict(summary):
    lines = []
    for rate, s in summary.items():
        parts = [f"{KEYS[k]} out - in {_d(s['diff'][k], k)} ({s['diff'][k]['verdict']}, "
                 f"{s['worse'][k]} of {s['n']} clips worse)" for k in KEYS]
        lines.append(f"{int(rate) / 1000:g} kHz: " + "; ".join(parts)
                     + f"; level out/in ×{s['level_ratio']:.2f}, speech gain out/in "
                       f"×{s['speech_gain_ratio']:.2f} (medians).")
    ok = all(s["ok"] for s in summary.values())
    lines.append("**Never worse than the input** on SI-SDR and STOI (mean paired "
                 "difference >= 0 at every rate): " + ("yes." if ok else "no (" + ", ".join(
                     f"{int(r) / 1000:g} kHz" for r, s in summary.items() if not s["ok"])
                     + ")."))
    return lines


def write_markdown(path, res):
    p = res["provenance"]
    summary = res["summary"]
    lines = [
        "# Low-rate files through `enhance`: 8 and 16 kHz",
        "",
        f"- Command: `{p['command']}`",
        f"- Date: {p['date']}; commit {p['commit']}",
        f"- Machine: {p['machine']}",
        f"- Set: {res['n_clips']} test-split mixtures (seed {res['seed']}, SNR "
        f"{', '.join(f'{float(s):g}' for s in res['snrs'])} dB), made at 48 kHz and resampled "
        "to each rate (clean and noisy alike, scipy resample_poly).",
        "- Path: the noisy signal is written as a WAV file at the rate and denoised by the "
        "CLI's own `_enhance_file` (resampled to 48 kHz, `enhance` with "
        f"{res['weights']}, resampled back), as `percepnet-wasm enhance` does.",
        "- Metrics at the file's rate against the clean signal: SI-SDR (after delay "
        "alignment) and STOI; level out/in = RMS of output / RMS of input; speech gain "
        "out/in = the projection of the output onto the clean speech over that of the input "
        f"(1: speech level kept). Means [95 % bootstrap interval, {res['n_boot']} resamples].",
        "",
        "## Verdict",
        "",
    ] + [f"- {v}" for v in res["verdict"]] + [
        "",
        "## Input and output",
        "",
        "| rate | clips | SI-SDR in | SI-SDR out | STOI in | STOI out | level out/in "
        "| speech gain out/in | clips worse (SI-SDR / STOI) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def m(e, k):
        f = "{:.3f}" if k == "stoi" else "{:.2f}"
        return f"{f.format(e['mean'])} [{f.format(e['lo'])}, {f.format(e['hi'])}]"

    for rate, s in summary.items():
        a = s["aggregate"]
        lines.append(f"| {int(rate) / 1000:g} kHz | {s['n']} | {m(a['input']['si_sdr'], 'si_sdr')}"
                     f" | {m(a['output']['si_sdr'], 'si_sdr')} | {m(a['input']['stoi'], 'stoi')}"
                     f" | {m(a['output']['stoi'], 'stoi')} | ×{s['level_ratio']:.2f} | "
                     f"×{s['speech_gain_ratio']:.2f} | {s['worse']['si_sdr']} / "
                     f"{s['worse']['stoi']} |")
    lines += ["", "Level ratios are medians over clips.", "",
              "## Output - input per SNR", "",
              "Mean paired difference [95 % interval].", ""]
    snrs = [f"{float(s):g}" for s in res["snrs"]]
    lines += ["| rate | metric | " + " | ".join(f"{s} dB" for s in snrs) + " |",
              "|---|---|" + "|".join("---:" for _ in snrs) + "|"]
    for rate, per in res["by_snr"].items():
        for k in KEYS:
            lines.append(f"| {int(rate) / 1000:g} kHz | {KEYS[k]} | "
                         + " | ".join(_d(per[s][k], k) for s in snrs) + " |")
    lines.append("")
    if res.get("json"):
        lines += [f"Per-clip scores: `{res['json']}`.", ""]
    Path(path).write_text("\n".join(lines))


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m percepnet_eval.lowrate", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clips", type=int, default=60, help="test mixtures (default %(default)s)")
    ap.add_argument("--rates", default=",".join(str(r) for r in RATES),
                    help="comma-separated rates in Hz (default %(default)s)")
    ap.add_argument("--snrs", default=",".join(str(s) for s in SNRS),
                    help="comma-separated SNRs in dB (default %(default)s)")
    ap.add_argument("--seed", type=int, default=4321)
    ap.add_argument("--boot", type=int, default=1000, help="bootstrap resamples")
    ap.add_argument("--weights", help="weights file (default: the shipped model)")
    ap.add_argument("--out", default="docs/lowrate.md")
    ap.add_argument("--json", default=None, help="default beside --out; '' for none")
    args = ap.parse_args(argv)
    try:
        rates = tuple(int(v) for v in args.rates.split(",") if v.strip())
        snrs = tuple(float(v) for v in args.snrs.split(",") if v.strip())
    except ValueError:
        ap.error("--rates and --snrs take comma-separated numbers")
    if args.clips < 1 or not rates or not snrs:
        ap.error("need --clips >= 1 and at least one rate and SNR")
    from percepnet_wasm.cli import _make_denoiser
    prov = provenance("percepnet_eval.lowrate", argv)
    denoiser = _make_denoiser(args.weights, None)
    clips = list(mixtures(args.clips, snrs, seed=args.seed, split="test"))
    rows = []
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for clip in clips:
            for rate in rates:
                rows.append(run_clip(clip, rate, denoiser, tmp))
    print(f"lowrate: {len(clips)} clips x {len(rates)} rates in "
          f"{time.perf_counter() - t0:.0f} s", file=sys.stderr)
    summary = summarise(rows, rates, n_boot=args.boot, seed=args.seed)
    res = {"provenance": prov, "seed": args.seed, "n_clips": len(clips), "rates": list(rates),
           "snrs": list(snrs), "n_boot": args.boot,
           "weights": args.weights or "the shipped model",
           "summary": summary, "by_snr": by_snr(rows, rates, snrs, n_boot=args.boot,
                                                 seed=args.seed),
           "verdict": verdict(summary), "clips": rows}
    json_path = Path(args.out).with_suffix(".json") if args.json is None else args.json
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    if json_path:
        Path(json_path).write_text(json.dumps(res, indent=1, default=float))
        res["json"] = os.path.relpath(json_path, Path(args.out).parent)
    write_markdown(args.out, res)
    print("\n".join(res["verdict"]), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
