"""The quality table: our model against RNNoise, DeepFilterNet3 and classic suppressors.

    PYTHONPATH=py python -m percepnet_eval.quality --clips 60 --out docs/quality.md \
        --json docs/quality.json --figure docs/quality.png

Held-out test-split mixtures (``evalset.mixtures``: speakers and noise files never seen in
training) at 0, 5, 10, 15 and 20 dB SNR, 48 kHz, seeded. Every system (``peers``) runs on
every clip; outputs are scored by ``metrics.score`` after delay alignment. Real-time factor
(RTF) = processing wall time / audio duration, with BLAS/OpenMP limited to one thread;
clips are spread over ``--jobs`` worker processes (one per core), so each system runs on
one core while the other core scores or runs another clip.

A system that cannot run (e.g. ours before a trained model is shipped) is listed with the
reason instead of a row of numbers.
"""
from __future__ import annotations

import os

for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402
from importlib.metadata import PackageNotFoundError, version  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from . import metrics  # noqa: E402
from .evalset import mixtures  # noqa: E402
from .figures import spectrogram_panels  # noqa: E402
from .peers import PEER_ORDER, load_peers, time_peer  # noqa: E402
from .report import METRIC_LABELS, aggregate, markdown_table, per_snr_tables, provenance, set_summary  # noqa: E402

RATE = 48000
SNRS = (0, 5, 10, 15, 20)
KEYS = metrics.METRIC_KEYS + ("clean_si_sdr", "rtf")

_peers = None


def _init(names):
    global _peers
    _peers = load_peers(names)


def _run_clip(clip):
    peers, _missing = _peers
    scores = {"noisy": metrics.score(clip.clean, clip.noisy, RATE)}
    for name, peer in peers.items():
        y, rtf = time_peer(peer, clip.noisy)
        s = metrics.score(clip.clean, y, RATE)
        s["rtf"] = rtf
        # Speech preservation: the system on the clean speech alone, SI-SDR against itself.
        # It separates what a system does to speech from what it does to noise, and flags
        # references that a system does not treat as clean speech.
        ref, est, _lag = metrics.align(clip.clean, peer.fn(clip.clean))
        s["clean_si_sdr"] = metrics.si_sdr(ref, est)
        scores[name] = s
    return {"meta": clip.meta(), "scores": scores}


def _versions(peers):
    v = metrics.versions()
    try:
        v["percepnet-wasm"] = version("percepnet-wasm")
    except PackageNotFoundError:
        v["percepnet-wasm"] = "source tree (not installed)"
    return v


def verdict(agg_all, systems):
    """Plain statements of where ``ours`` stands against each peer, per metric."""
    if "ours" not in systems:
        return ["Our model did not run (see *Missing systems*), so there is no verdict yet."]
    out = []
    for peer in ("rnnoise", "dfn3"):
        if peer not in systems:
            continue
        wins = [k for k in metrics.METRIC_KEYS
                if agg_all["ours"][k]["mean"] > agg_all[peer][k]["mean"]]
        losses = [k for k in metrics.METRIC_KEYS if k not in wins]
        name = {"rnnoise": "RNNoise", "dfn3": "DeepFilterNet3"}[peer]
        if not losses:
            out.append(f"Ours beats {name} on every metric (overall means).")
        else:
            out.append(f"Ours beats {name} on {', '.join(METRIC_LABELS[k] for k in wins) or 'no metric'}"
                       f"; behind on {', '.join(METRIC_LABELS[k] for k in losses)}.")
    return out


def write_markdown(path, res):
    p = res["provenance"]
    systems, labels = res["systems"], res["labels"]
    lines = [
        "# Quality: PercepNet (ours) against RNNoise, DeepFilterNet3 and classic suppressors",
        "",
        f"- Command: `{p['command']}`",
        f"- Date: {p['date']}; commit {p['commit']}",
        f"- Machine: {p['machine']}; BLAS/OpenMP threads: "
        + ", ".join(f"{k}={v}" for k, v in p["threads"].items())
        + f"; {res['jobs']} worker processes",
        "- Metric versions: " + ", ".join(f"{k} {v}" for k, v in res["versions"].items()),
        f"- Set: {res['n_clips']} mixtures, seed {res['seed']}, test split (speakers and "
        f"noise files held out of training), SNR {', '.join(str(s) for s in SNRS)} dB, "
        f"48 kHz; {res['n_speakers']} speakers, {res['n_noise_files']} noise files of "
        f"{res['n_noise_types']} types ({', '.join(res['noise_types'])}).",
        "- Metrics: PESQ wide-band (P.862.2, at 16 kHz), STOI, SI-SDR (after delay "
        "alignment), DNSMOS P.835 SIG/BAK/OVRL (speechmos, non-intrusive), RTF = wall time / "
        "audio duration on one core (lower is faster); clean-in SI-SDR = SI-SDR of the "
        "system's output for the clean speech alone (speech preservation; a low value means "
        "the system removes or alters parts of the reference). Means over clips; "
        f"{res['n_silent']} silent references skipped. Largest residual delay found by "
        f"alignment: {res['max_abs_lag']} samples.",
        "",
        "## Systems",
        "",
        "| system | version | notes |",
        "|---|---|---|",
        "| noisy input | – | the unprocessed mixture |",
    ]
    for s in systems[1:]:
        pe = res["peers"][s]
        lines.append(f"| {labels[s]} | {pe['version']} | {pe['notes']} |")
    if res["missing"]:
        lines += ["", "### Missing systems", ""]
        for s, why in res["missing"].items():
            lines.append(f"- **{s}**: {why}")
    lines += ["", "## Where we stand", ""] + [f"- {v}" for v in res["verdict"]]
    lines += ["", f"## Overall ({res['n_clips']} clips)", "",
              markdown_table(res["aggregate"]["all"], systems, labels, KEYS), ""]
    lines += per_snr_tables(res["aggregate"], SNRS, systems, labels, KEYS)
    peers_run = [s for s in systems if s != "noisy"]
    if peers_run:
        lines += ["## Speech preservation by speech source", "",
                  "Clean-in SI-SDR (dB) per source of the test speech: where every system "
                  "scores low, the reference itself is probably not clean speech (effects, "
                  "music beds, processing), and intrusive metrics on those clips measure that.",
                  "", "| source | clips | " + " | ".join(labels[s] for s in peers_run) + " |",
                  "|---|---:|" + "|".join("---:" for _ in peers_run) + "|"]
        by_src = {}
        for r in res["clips"]:
            by_src.setdefault(r["meta"]["speaker"].split(":")[0], []).append(r)
        for src in sorted(by_src):
            rs = by_src[src]
            cells = []
            for s in peers_run:
                v = np.array([r["scores"][s]["clean_si_sdr"] for r in rs], float)
                cells.append(f"{np.nanmean(v):.1f}" if np.isfinite(v).any() else "–")
            lines.append(f"| {src} | {len(rs)} | " + " | ".join(cells) + " |")
        lines.append("")
    if res.get("figure"):
        fc = res["figure_clip"]
        lines += ["## Example", "", f"![spectrograms across systems]({res['figure']})", "",
                  f"Clip {fc['index']}: {fc['snr_db']:g} dB, speaker `{fc['speaker']}`, "
                  f"noise `{fc['noise']}`.", ""]
    if res.get("json"):
        lines += [f"Per-clip scores: `{res['json']}`.", ""]
    Path(path).write_text("\n".join(lines))


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m percepnet_eval.quality", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clips", type=int, default=60, help="number of mixtures (>= 60 for "
                    "the headline table)")
    ap.add_argument("--seed", type=int, default=4321)
    ap.add_argument("--jobs", type=int, default=2, help="worker processes")
    ap.add_argument("--systems", default=",".join(PEER_ORDER),
                    help=f"comma-separated subset of {','.join(PEER_ORDER)}; "
                         "ours:WEIGHTS adds our model with another weights file")
    ap.add_argument("--out", default="docs/quality.md")
    ap.add_argument("--json", default="docs/quality.json")
    ap.add_argument("--figure", default="docs/quality.png")
    args = ap.parse_args(argv)
    names = tuple(s for s in args.systems.split(",") if s)
    bad = [s for s in names if s not in PEER_ORDER and not s.startswith("ours:")]
    if bad:
        ap.error(f"unknown system(s) {bad}; known: {', '.join(PEER_ORDER)}")
    if args.clips < 1:
        ap.error(f"--clips must be >= 1, got {args.clips}")
    prov = provenance("percepnet_eval.quality", argv)
    _init(names)
    peers, missing = _peers
    for s, why in missing.items():
        print(f"quality: {s} missing: {why}", file=sys.stderr)
    clips = list(mixtures(args.clips, SNRS, seed=args.seed, split="test"))
    print(f"quality: {len(clips)} clips, systems {list(peers)}, {args.jobs} jobs",
          file=sys.stderr, flush=True)
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs, initializer=_init, initargs=(names,)) as ex:
            rows = list(ex.map(_run_clip, clips))
    else:
        rows = [_run_clip(c) for c in clips]
    systems = ["noisy"] + list(peers)
    labels = {"noisy": "noisy input", **{s: p.label for s, p in peers.items()}}
    agg = aggregate(rows, systems, keys=KEYS)
    agg = {("all" if g == "all" else str(int(float(g)))): v for g, v in agg.items()}
    res = {
        "provenance": prov, "versions": _versions(peers), "seed": args.seed,
        "jobs": args.jobs, "n_clips": len(rows), "snrs": list(SNRS),
        "systems": systems, "labels": labels,
        "peers": {s: {"version": p.version, "notes": p.notes, **p.extra}
                  for s, p in peers.items()},
        "missing": missing,
        **set_summary(clips, rows),
        "aggregate": agg,
        "verdict": verdict(agg["all"], systems),
        "clips": rows,
    }
    out_dir = Path(args.out).parent
    if args.figure:
        ex = next((c for c in clips if c.snr_db == 5), clips[0])
        sig = {"noisy input": ex.noisy}
        for s, p in peers.items():
            sig[labels[s]] = p.fn(ex.noisy)
        sig["clean"] = ex.clean
        row = rows[ex.index]["scores"]
        cap = {labels[s]: (f"PESQ {row[s]['pesq']:.2f}  STOI {row[s]['stoi']:.2f}  "
                           f"SI-SDR {row[s]['si_sdr']:.1f} dB  OVRL {row[s]['ovrl']:.2f}")
               for s in systems}
        Path(args.figure).parent.mkdir(parents=True, exist_ok=True)
        spectrogram_panels(sig, RATE, args.figure, captions=cap,
                           title=f"Clip {ex.index} ({ex.snr_db:g} dB SNR) across systems")
        res["figure"] = os.path.relpath(args.figure, out_dir)
        res["figure_clip"] = ex.meta()
    out_dir.mkdir(parents=True, exist_ok=True)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(res, indent=1, default=float))
        res["json"] = os.path.relpath(args.json, out_dir)
    write_markdown(args.out, res)
    print("\n".join(res["verdict"]), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
