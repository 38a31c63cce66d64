"""Shared pieces of the ladder and quality reports: provenance, aggregation, tables."""
from __future__ import annotations

import datetime as _dt
import os
import platform
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np

from .metrics import METRIC_KEYS

__all__ = ["provenance", "aggregate", "markdown_table", "METRIC_LABELS"]

METRIC_LABELS = {"pesq": "PESQ-WB", "stoi": "STOI", "si_sdr": "SI-SDR (dB)",
                 "sig": "DNSMOS SIG", "bak": "DNSMOS BAK", "ovrl": "DNSMOS OVRL",
                 "clean_si_sdr": "clean-in SI-SDR (dB)", "rtf": "RTF"}


def _git(*args):
    root = Path(__file__).resolve().parents[2]
    try:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                              timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def _cpu():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def provenance(module, argv=None):
    """Command, date, commit and machine of a report run."""
    argv = sys.argv[1:] if argv is None else argv
    commit = _git("rev-parse", "--short", "HEAD")
    dirty = bool(_git("status", "--porcelain", "--untracked-files=no"))
    return {
        "command": "PYTHONPATH=py python -m " + module + (" " + shlex.join(argv) if argv else ""),
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit + ("+dirty" if dirty else ""),
        "machine": f"{_cpu()}, {os.cpu_count()} cores, {platform.system()} "
                   f"{platform.release()}, Python {platform.python_version()}",
        "threads": {k: os.environ.get(k, "unset") for k in
                    ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")},
    }


def aggregate(rows, systems, keys=METRIC_KEYS, by="snr_db"):
    """Means over clips, per value of ``by`` and overall.

    Parameters
    ----------
    rows : list of dict, one per clip: {"meta": {...}, "scores": {system: {metric: v}}}
    systems : sequence of str

    Returns
    -------
    dict group -> system -> metric -> {"mean", "n"} with group ``"all"`` last; NaN scores
    (silent clips, see ``metrics``) are left out of the mean and of ``n``.
    """
    groups = sorted({r["meta"][by] for r in rows}) + ["all"]
    out = {}
    for g in groups:
        sel = rows if g == "all" else [r for r in rows if r["meta"][by] == g]
        out[g] = {}
        for s in systems:
            out[g][s] = {}
            for k in keys:
                v = np.array([r["scores"].get(s, {}).get(k, np.nan) for r in sel], float)
                ok = np.isfinite(v)
                out[g][s][k] = {"mean": float(v[ok].mean()) if ok.any() else float("nan"),
                                "n": int(ok.sum())}
    return out


def _fmt(v, k):
    if not np.isfinite(v):
        return "–"
    if k == "stoi":
        return f"{v:.3f}"
    if k == "rtf":
        return f"{v:.3f}"
    if k == "si_sdr":
        return f"{v:.2f}"
    return f"{v:.2f}"


def markdown_table(agg_group, systems, labels, keys, *, bold_best=True):
    """One markdown table: a row per system, a column per metric (higher is better,
    except RTF where lower is better)."""
    head = "| system | " + " | ".join(METRIC_LABELS.get(k, k) for k in keys) + " |"
    sep = "|---|" + "|".join("---:" for _ in keys) + "|"
    best = {}
    for k in keys:
        vals = [(agg_group[s][k]["mean"], s) for s in systems
                if np.isfinite(agg_group[s][k]["mean"])]
        if vals:
            best[k] = (min if k == "rtf" else max)(vals)[1]
    lines = [head, sep]
    for s in systems:
        cells = []
        for k in keys:
            c = _fmt(agg_group[s][k]["mean"], k)
            if bold_best and best.get(k) == s and len(systems) > 1:
                c = f"**{c}**"
            cells.append(c)
        lines.append(f"| {labels.get(s, s)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def per_snr_tables(aggregated, snrs, systems, labels, keys):
    """Markdown lines: a ``## N dB SNR (n clips)`` table for each SNR in ``aggregated``."""
    lines = []
    for s in snrs:
        if str(s) not in aggregated:
            continue
        group = aggregated[str(s)]
        lines += [f"## {s} dB SNR ({group['noisy']['stoi']['n']} clips)", "",
                  markdown_table(group, systems, labels, keys), ""]
    return lines


def set_summary(clips, rows):
    """What an evaluation set held and how scoring went: speakers, noise types and files,
    silent references skipped, the largest residual delay that alignment found."""
    return {
        "n_speakers": len({c.speaker for c in clips}),
        "noise_types": sorted({c.noise_type for c in clips}),
        "n_noise_types": len({c.noise_type for c in clips}),
        "n_noise_files": len({c.noise for c in clips}),
        "n_silent": sum(r["scores"]["noisy"]["silent"] for r in rows),
        "max_abs_lag": max(abs(sc["lag"]) for r in rows for sc in r["scores"].values()),
    }
