"""Shared pieces of the ladder and quality reports: provenance, aggregation, tables,
bootstrap intervals, paired differences and oracle recovery.

Intervals are percentile bootstraps over clips (``bootstrap_ci``): the clips are resampled
with replacement ``n_boot`` times from one seeded generator, and the 2.5th and 97.5th
percentiles of the resampled means bound the 95 % interval. A comparison of two systems is
paired (``paired_difference``): the per-clip differences are resampled, so the variation
between clips that both systems share does not widen the interval.
"""
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

__all__ = ["provenance", "aggregate", "markdown_table", "METRIC_LABELS", "bootstrap_ci",
           "paired_difference", "ci_verdict", "recovery"]

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


def bootstrap_ci(values, *, n_boot=1000, seed=0, level=0.95):
    """Percentile-bootstrap interval of the mean of ``values`` (NaNs left out).

    Parameters
    ----------
    values : array-like [shape=(n,)]
    n_boot : int, resamples (with replacement, ``n`` values each)
    seed : int, seeds ``np.random.default_rng``: the same seed and ``n`` draw the same
        resamples, so two systems scored on the same clips are resampled alike.
    level : float, coverage (0.95: the 2.5th and 97.5th percentiles)

    Returns
    -------
    (lo, hi) : floats; NaN, NaN when fewer than two values are finite (one clip says
    nothing about the spread).
    """
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    if v.size < 2:
        return float("nan"), float("nan")
    idx = np.random.default_rng(seed).integers(0, v.size, size=(n_boot, v.size))
    means = v[idx].mean(axis=1)
    tail = 100.0 * (1.0 - level) / 2.0
    lo, hi = np.percentile(means, [tail, 100.0 - tail])
    return float(lo), float(hi)


def ci_verdict(lo, hi):
    """"better" when an interval of a difference (a - b) lies above 0, "worse" when below,
    "not distinguishable" when it holds 0 (or is undefined)."""
    if np.isfinite(lo) and lo > 0:
        return "better"
    if np.isfinite(hi) and hi < 0:
        return "worse"
    return "not distinguishable"


def paired_difference(rows, a, b, key, *, n_boot=1000, seed=0, level=0.95):
    """Mean of the per-clip difference ``a - b`` on metric ``key``, with its bootstrap interval.

    Only clips where both systems have a finite score count (``n``).

    Returns
    -------
    dict: ``mean``, ``lo``, ``hi``, ``n``, ``verdict`` ("better" / "worse" /
    "not distinguishable", from the interval, see ``ci_verdict``).
    """
    va = np.array([r["scores"].get(a, {}).get(key, np.nan) for r in rows], float)
    vb = np.array([r["scores"].get(b, {}).get(key, np.nan) for r in rows], float)
    d = va - vb
    d = d[np.isfinite(d)]
    lo, hi = bootstrap_ci(d, n_boot=n_boot, seed=seed, level=level)
    return {"mean": float(d.mean()) if d.size else float("nan"), "lo": lo, "hi": hi,
            "n": int(d.size), "verdict": ci_verdict(lo, hi)}


def recovery(system, noisy, oracle):
    """Oracle recovery: the share of the oracle's gain over the noisy input that ``system``
    achieves, ``(system - noisy) / (oracle - noisy)`` (of means). NaN when the oracle does
    not improve on the noisy input (no gain to recover) or a value is missing."""
    gain = oracle - noisy
    if not (np.isfinite(system) and np.isfinite(gain)) or gain <= 0:
        return float("nan")
    return float((system - noisy) / gain)


def aggregate(rows, systems, keys=METRIC_KEYS, by="snr_db", *, n_boot=0, seed=0):
    """Means over clips, per value of ``by`` and overall.

    Parameters
    ----------
    rows : list of dict, one per clip: {"meta": {...}, "scores": {system: {metric: v}}}
    systems : sequence of str
    n_boot : int; when > 0 every entry also gets ``lo`` and ``hi``, the 95 % bootstrap
        interval of the mean (``bootstrap_ci`` with ``seed``)

    Returns
    -------
    dict group -> system -> metric -> {"mean", "n"[, "lo", "hi"]} with group ``"all"``
    last; NaN scores (silent clips, see ``metrics``) are left out of the mean and of ``n``.
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
                if n_boot:
                    out[g][s][k]["lo"], out[g][s][k]["hi"] = bootstrap_ci(
                        v, n_boot=n_boot, seed=seed)
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


def _fmt_ci(entry, k):
    """``mean [lo, hi]`` when the entry has an interval, else the mean."""
    c = _fmt(entry["mean"], k)
    if "lo" in entry and np.isfinite(entry["lo"]) and k != "rtf":
        c += f" [{_fmt(entry['lo'], k)}, {_fmt(entry['hi'], k)}]"
    return c


def markdown_table(agg_group, systems, labels, keys, *, bold_best=True, not_ranked=()):
    """One markdown table: a row per system, a column per metric (higher is better,
    except RTF where lower is better). Entries with ``lo``/``hi`` (``aggregate(n_boot=)``)
    show their interval. Systems in ``not_ranked`` (a ceiling such as an oracle) are never
    bolded as best."""
    head = "| system | " + " | ".join(METRIC_LABELS.get(k, k) for k in keys) + " |"
    sep = "|---|" + "|".join("---:" for _ in keys) + "|"
    best = {}
    for k in keys:
        vals = [(agg_group[s][k]["mean"], s) for s in systems
                if s not in not_ranked and np.isfinite(agg_group[s][k]["mean"])]
        if vals:
            best[k] = (min if k == "rtf" else max)(vals)[1]
    lines = [head, sep]
    for s in systems:
        cells = []
        for k in keys:
            c = _fmt_ci(agg_group[s][k], k)
            if bold_best and best.get(k) == s and len(systems) > 1:
                c = f"**{c}**"
            cells.append(c)
        lines.append(f"| {labels.get(s, s)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def per_snr_tables(aggregated, snrs, systems, labels, keys, *, not_ranked=()):
    """Markdown lines: a ``## N dB SNR (n clips)`` table for each SNR in ``aggregated``."""
    lines = []
    for s in snrs:
        key = f"{float(s):g}"
        if key not in aggregated:
            continue
        group = aggregated[key]
        lines += [f"## {key} dB SNR ({group['noisy']['stoi']['n']} clips)", "",
                  markdown_table(group, systems, labels, keys, not_ranked=not_ranked), ""]
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
