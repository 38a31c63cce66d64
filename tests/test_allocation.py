"""The frame path allocates no arrays (docs/INTERFACES.md): each stage of
``Denoiser.process_frame``, after warm-up, stays under ``STAGE_BUDGET`` bytes traced at once.

Every stage function the denoiser calls by name (``percepnet_wasm.bench.STAGES``, the ones the
per-stage benchmark times) and the network step are wrapped, for the duration of the test, by
a probe that resets ``tracemalloc``'s peak before the call and reads it after. NumPy reports
its array data to ``tracemalloc``, so a temporary array shows with its size. What remains is
the interpreter's own short-lived objects (views, scalars, argument tuples, the Viterbi's
4-element lists, NumPy's iterator structs): up to ~1.7 KB here, the same for any array size.

``STAGE_BUDGET`` = 2048 B lies below any temporary over the 481 bins (1924 B in float32) plus
those objects, and far below what the stages allocated before (5-48 KB per stage per frame:
float32 FFTs cast through NumPy's buffers, broadcasting products, mixed complex/float
products, the comb's per-tap sums). The stages that only see the 34 bands get
``BAND_BUDGET`` = 1024 B (they need 160-652 B; the postfilter's former temporaries and
float64 cast buffers came to 1.8 KB). One band-sized temporary (136 B) could still pass:
the budgets guard the costly allocations; docs/INTERFACES.md says what is left.
"""
import tracemalloc

import numpy as np
import pytest

from percepnet_wasm import Denoiser
from percepnet_wasm.bench import STAGES
from percepnet_wasm.constants import FRAME_SIZE, SAMPLE_RATE
from percepnet_wasm.model import Model
from gain_sources import FeatureGain

STAGE_BUDGET = 2048          # bytes traced at once during one stage call, after warm-up
BAND_BUDGET = 1024           # the same for the stages whose arrays are all 34 bands long
BAND_STAGES = ("postfilter", "pitch_coherence", "compute_features")
WARM_UP, MEASURED = 20, 40   # frames


def voiced_noise(frames):
    """A 150 Hz tone in noise, with one NaN and one clamped burst: every branch of a frame."""
    rng = np.random.default_rng(11)
    n = frames * FRAME_SIZE
    t = np.arange(n) / SAMPLE_RATE
    x = 0.3 * np.sin(2 * np.pi * 150 * t) + 0.05 * rng.standard_normal(n)
    x[(WARM_UP + 5) * FRAME_SIZE + 3] = np.nan
    x[(WARM_UP + 9) * FRAME_SIZE:(WARM_UP + 10) * FRAME_SIZE] *= 100.0
    return x.astype(np.float32)


def stage_peaks(denoiser, monkeypatch):
    """Stream WARM_UP + MEASURED frames; return {stage: largest traced peak, bytes} over the
    measured frames, and the frames' outputs."""
    peaks = {}
    measuring = [False]

    def probe(function, label):
        def wrapper(*args, **kwargs):
            if not measuring[0]:
                return function(*args, **kwargs)
            tracemalloc.reset_peak()
            base = tracemalloc.get_traced_memory()[0]
            try:
                return function(*args, **kwargs)
            finally:
                peaks[label] = max(peaks.get(label, 0), tracemalloc.get_traced_memory()[1] - base)
        return wrapper

    stages = list(STAGES) + [("model step", Model, "step")]
    for label, owner, name in stages:
        monkeypatch.setattr(owner, name, probe(getattr(owner, name), f"{label} ({name})"))
    x = voiced_noise(WARM_UP + MEASURED)
    out = np.zeros(FRAME_SIZE, np.float32)
    tracemalloc.start()
    try:
        for i in range(WARM_UP + MEASURED):
            measuring[0] = i >= WARM_UP
            denoiser.process_frame(x[i * FRAME_SIZE:(i + 1) * FRAME_SIZE], out)
    finally:
        tracemalloc.stop()
    return peaks


@pytest.mark.parametrize("model", ["default", "feature-gain", None])
def test_no_stage_allocates_per_frame(model, monkeypatch):
    source = FeatureGain() if model == "feature-gain" else model
    denoiser = Denoiser(model=source, attenuation_limit_db=30.0)
    peaks = stage_peaks(denoiser, monkeypatch)
    expected = {f"{label} ({name})" for label, _, name in STAGES}
    if model == "default":
        expected.add("model step (step)")
    assert expected <= set(peaks), f"stages never called: {expected - set(peaks)}"
    budget = {stage: BAND_BUDGET if stage.endswith(tuple(f"({name})" for name in BAND_STAGES))
              else STAGE_BUDGET for stage in peaks}
    over = {stage: (peak, budget[stage]) for stage, peak in peaks.items() if peak > budget[stage]}
    assert not over, f"stages over budget per call after warm-up, (bytes, budget): {over}"


def test_the_probe_sees_a_temporary(monkeypatch):
    """The measurement itself can fail: a stage that makes one 481-bin float32 temporary per
    frame goes over the budget."""
    import percepnet_wasm.denoiser as denoiser_module

    original = denoiser_module.pitch_coherence

    def allocating(correlation, energy_y, energy_p, out):
        np.zeros(481, np.float32)
        return original(correlation, energy_y, energy_p, out)

    monkeypatch.setattr(denoiser_module, "pitch_coherence", allocating)
    peaks = stage_peaks(Denoiser(model=None), monkeypatch)
    assert peaks["coherence+features (pitch_coherence)"] > STAGE_BUDGET
