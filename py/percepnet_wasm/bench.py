"""Per-stage timing of ``Denoiser.process_frame`` (native or inside Pyodide).

The pipeline runs unchanged: each stage function the denoiser calls is wrapped, for the
duration of the run, by a timer that accumulates per frame. Prints milliseconds per frame
(p50 / p99) for each stage and the whole frame. The timers themselves cost about a
microsecond per call in Pyodide, so the total runs a little above an untimed loop.
"""
import time

import numpy as np

from . import denoiser as denoiser_module
from .constants import FRAME_SIZE, SAMPLE_RATE
from .pitch import PitchSearch, PitchViterbi

# (label, owner, attribute) of every stage the denoiser calls by name.
STAGES = (
    ("history (sanitise)", denoiser_module.History, "push"),
    ("pitch search", PitchSearch, "search"),
    ("pitch viterbi", PitchViterbi, "push"),
    ("comb filter", denoiser_module, "comb_filter"),
    ("analysis (rfft x3)", denoiser_module, "analyse_rows"),
    ("band energy/corr", denoiser_module, "band_energies"),
    ("coherence+features", denoiser_module, "pitch_coherence"),
    ("coherence+features", denoiser_module, "compute_features"),
    ("postfilter", denoiser_module, "postfilter"),
    ("apply gains", denoiser_module.Denoiser, "_apply"),
    ("synthesis (irfft)", denoiser_module.Synthesis, "push"),
)


def _timed(function, totals, label):
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            totals[label] += time.perf_counter() - start
    return wrapper


def stage_times(denoiser, seconds=10.0, seed=0):
    """Run ``seconds`` of noisy harmonic audio through ``denoiser``.

    Returns dict: stage label -> (p50 ms, p99 ms) per frame, with "model" (whatever the
    stages do not account for: the network, if any, and the glue) and "total".
    """
    rng = np.random.default_rng(seed)
    n = int(seconds * SAMPLE_RATE) // FRAME_SIZE * FRAME_SIZE
    t = np.arange(n) / SAMPLE_RATE
    x = (0.1 * np.sin(2 * np.pi * 150 * t) * np.sign(np.sin(2 * np.pi * 3 * t))
         + 0.03 * rng.standard_normal(n)).astype(np.float32)
    out = np.zeros(FRAME_SIZE, np.float32)
    labels = sorted({label for label, _, _ in STAGES})
    totals = dict.fromkeys(labels, 0.0)
    per_frame = {label: [] for label in labels + ["model", "total"]}
    originals = [(owner, name, getattr(owner, name)) for _, owner, name in STAGES]
    try:
        for (label, owner, name), (_, _, original) in zip(STAGES, originals):
            setattr(owner, name, _timed(original, totals, label))
        for i in range(n // FRAME_SIZE):
            for label in labels:
                totals[label] = 0.0
            start = time.perf_counter()
            denoiser.process_frame(x[i * FRAME_SIZE:(i + 1) * FRAME_SIZE], out)
            total = time.perf_counter() - start
            for label in labels:
                per_frame[label].append(totals[label])
            per_frame["model"].append(total - sum(totals.values()))
            per_frame["total"].append(total)
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)
    return {label: (1e3 * float(np.percentile(v, 50)), 1e3 * float(np.percentile(v, 99)))
            for label, v in per_frame.items()}


def format_table(times):
    """Markdown table of ``stage_times`` output."""
    rows = ["| stage | p50 ms/frame | p99 ms/frame |", "|---|---:|---:|"]
    rows += [f"| {label} | {p50:.3f} | {p99:.3f} |" for label, (p50, p99) in times.items()]
    return "\n".join(rows)
