"""The whole-signal path ``training_sequences_batch`` equals the streaming ``training_sequences``.

Both are built from the same stage functions; the batch path stacks frames in each NumPy
call. Every stacked call computes each row with the same float operations in the same order
as one frame (rfft rows, reduceat segments, one gemv per row in ``band_energy``), so on
this machine the outputs come out bit-identical, and the pitch decisions must be: the test
asserts that every frame's period is identical (fraction 1.0), since one different period
changes that frame's comb filter and all its coherences and strengths. For the float values
it allows ``TOL`` (absolute, on features, gains and strengths of order 1): a BLAS or FFT
build that sums a stack of rows in another order than one row moves float32 values by a
few ulp (~1e-7 relative; the log10 energies carry at most ~1e-6), and the strength formula
divides by ``q_hat^2 - q_x^2``, which can magnify that a hundredfold where the two meet.
The speed is measured by ``bench/sequences_speed.py``, never here.
"""
import numpy as np
import pytest

from percepnet_wasm.comb import COMB_BUF_SIZE, comb_filter
from percepnet_wasm.constants import FRAME_SIZE, PITCH_MAX_PERIOD, PITCH_MIN_PERIOD, SAMPLE_RATE, WINDOW_SIZE
from percepnet_wasm.pitch import PITCH_BUF_SIZE, PitchSearch, PitchViterbi
from percepnet_wasm.targets import training_sequences, training_sequences_batch

TOL = 1e-4


def speech_like(n, rng):
    """Harmonic signal with gliding pitch (90..320 Hz), syllable envelope, plus noise."""
    t = np.arange(n) / SAMPLE_RATE
    f0 = 180 + 90 * np.sin(2 * np.pi * 0.7 * t) + 50 * t / t[-1]
    phase = 2 * np.pi * np.cumsum(f0) / SAMPLE_RATE
    voiced = sum(0.8 ** h * np.sin((h + 1) * phase) for h in range(14))
    envelope = np.sin(np.pi * 2.5 * t) ** 2
    clean = 0.1 * envelope * voiced
    noisy = clean + 0.02 * rng.standard_normal(n)
    return clean.astype(np.float32), noisy.astype(np.float32)


def pure_noise(n, rng):
    noise = 0.05 * rng.standard_normal(n)
    return np.zeros(n, np.float32), noise.astype(np.float32)


def silence_with_burst(n, rng):
    clean = np.zeros(n, np.float32)
    burst = slice(n // 2, n // 2 + 3 * FRAME_SIZE)
    clean[burst] = 0.3 * np.sin(2 * np.pi * 210 * np.arange(3 * FRAME_SIZE) / SAMPLE_RATE)
    noisy = clean.copy()
    noisy[burst] += (0.01 * rng.standard_normal(3 * FRAME_SIZE)).astype(np.float32)
    return clean, noisy


def clipped(n, rng):
    """Loud harmonic speech-like signal hard-clipped at +-0.99 (no NaN), noise clipped too."""
    clean, noisy = speech_like(n, rng)
    clean = np.clip(12.0 * clean, -0.99, 0.99)
    noisy = np.clip(12.0 * noisy, -0.99, 0.99)
    return clean, noisy


SIGNALS = {
    "speech-like": (speech_like, 2 * SAMPLE_RATE),
    "pure-noise": (pure_noise, SAMPLE_RATE),
    "silence-with-burst": (silence_with_burst, SAMPLE_RATE),
    "clipped": (clipped, SAMPLE_RATE),
    "odd-length": (speech_like, SAMPLE_RATE + 317),          # not a multiple of 480
}


def pitch_periods(features):
    """The period column, as the feature stores it (log-scaled): equal iff periods are."""
    return features[:, -2]


@pytest.mark.parametrize("name", SIGNALS)
def test_batch_equals_streaming(name):
    make, n = SIGNALS[name]
    clean, noisy = make(n, np.random.default_rng(7))
    stream = training_sequences(clean, noisy)
    batch = training_sequences_batch(clean, noisy, chunk=37)    # chunks that do not divide T
    assert set(batch) == set(stream)
    for key in stream:
        assert batch[key].shape == stream[key].shape == (n // FRAME_SIZE - 2,) + stream[key].shape[1:]
        assert batch[key].dtype == np.float32
    same_period = np.mean(pitch_periods(batch["features"]) == pitch_periods(stream["features"]))
    assert same_period == 1.0
    np.testing.assert_array_equal(batch["vad"], stream["vad"])
    for key in ("features", "gains", "strengths"):
        np.testing.assert_allclose(batch[key], stream[key], rtol=0, atol=TOL, err_msg=key)


def test_short_inputs_give_empty_sequences():
    for n in (0, 100, 2 * FRAME_SIZE + 479):
        x = np.zeros(n, np.float32)
        out = training_sequences_batch(x, x)
        assert out["features"].shape == (0, 70) and out["vad"].shape == (0,)


def test_nan_in_noisy_is_sanitised_as_the_stream_does():
    clean, noisy = speech_like(SAMPLE_RATE // 2, np.random.default_rng(3))
    noisy[5000:5100:7] = np.nan
    noisy[9000] = np.inf
    noisy[12000:12010] = 30.0                                   # clamped to +-8
    stream, batch = training_sequences(clean, noisy), training_sequences_batch(clean, noisy)
    for key in stream:
        assert np.all(np.isfinite(batch[key]))
        np.testing.assert_allclose(batch[key], stream[key], rtol=0, atol=TOL, err_msg=key)


def test_shape_errors_name_the_shapes():
    with pytest.raises(ValueError, match=r"\(10,\).*\(11,\)"):
        training_sequences_batch(np.zeros(10, np.float32), np.zeros(11, np.float32))


def pitch_buffers(rng):
    """Pitch buffers [shape=(n, 1728)] that reach every branch of the candidate list:
    harmonics from 62.5 to 800 Hz (octave checks, doubles out of range), noise, silence,
    an onset after digital silence (quiet spans), sines (a 20 Hz one has a single peak), a
    constant."""
    t = np.arange(PITCH_BUF_SIZE) / SAMPLE_RATE
    rows = []
    for f0 in (62.5, 71, 99, 150, 201, 333, 480, 800):
        for weights in ([0.8 ** h for h in range(20)], [0.1, 1.0, 0.8, 0.5], [0.3, 1.0, 0.3, 1.0]):
            x = sum(w * np.sin(2 * np.pi * (h + 1) * f0 * t + h) for h, w in enumerate(weights))
            rows.append(x + 0.1 * rng.standard_normal(PITCH_BUF_SIZE))
    onset = np.zeros(PITCH_BUF_SIZE)
    onset[-FRAME_SIZE:] = rng.standard_normal(FRAME_SIZE)
    rows += [rng.standard_normal(PITCH_BUF_SIZE), np.zeros(PITCH_BUF_SIZE), onset,
             np.sin(2 * np.pi * 440 * t), np.sin(2 * np.pi * 20 * t), np.sin(2 * np.pi * 45 * t),
             np.full(PITCH_BUF_SIZE, 0.5)]
    return np.array(rows, np.float32)


def test_pitch_search_rows_equals_search_row_by_row():
    x = pitch_buffers(np.random.default_rng(5))
    one = PitchSearch()
    expected = [tuple(a.copy() for a in one.search(row)) for row in x]
    periods, correlations = PitchSearch(rows=len(x)).search_rows(x)
    np.testing.assert_array_equal(periods, [p for p, _ in expected])
    np.testing.assert_array_equal(correlations, [c for _, c in expected])


def test_viterbi_push_rows_equals_push():
    rng = np.random.default_rng(9)
    periods = rng.integers(PITCH_MIN_PERIOD, PITCH_MAX_PERIOD + 1, (200, 4))
    periods[50:80] = periods[49]                           # ties between equal paths
    correlations = rng.uniform(-0.2, 1.0, (200, 4)).astype(np.float32)
    one = PitchViterbi()
    expected = [one.push(p, c) for p, c in zip(periods, correlations)]
    period, correlation = PitchViterbi().push_rows(periods, correlations)
    assert period.tolist() == [p for p, _ in expected]
    np.testing.assert_array_equal(correlation, np.array([c for _, c in expected], np.float32))


def test_comb_filter_rows_equals_one_frame_at_every_tap_count():
    rng = np.random.default_rng(4)
    history = rng.standard_normal((40, COMB_BUF_SIZE)).astype(np.float32)
    period = rng.integers(PITCH_MIN_PERIOD, PITCH_MAX_PERIOD + 1, 40)
    period[:6] = [60, 192, 240, 320, 480, 768]             # K = 5, 5, 4, 3, 2, 1
    out = np.zeros((40, WINDOW_SIZE), np.float32)
    taps = comb_filter(history, period, out)
    for row, p, k, got in zip(history, period.tolist(), taps.tolist(), out):
        expected = np.zeros(WINDOW_SIZE, np.float32)
        assert comb_filter(row, p, expected) == k
        np.testing.assert_array_equal(got, expected)
