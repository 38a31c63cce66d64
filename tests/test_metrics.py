"""Fast checks of the evaluation metrics (percepnet_eval.metrics) on synthetic signals."""
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "py"))

from percepnet_eval.metrics import align, pesq_wb, si_sdr  # noqa: E402

RATE = 48000


@pytest.fixture
def rng():
    return np.random.default_rng(20240607)


def speechlike(rng, seconds=3.0, rate=RATE):
    """Voiced, syllable-modulated harmonic signal with a wandering pitch (PESQ needs
    speech-like energy envelopes to detect utterances)."""
    n = int(seconds * rate)
    t = np.arange(n) / rate
    f0 = 120.0 + 30.0 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(f0) / rate
    x = sum(np.sin(k * phase) / k for k in range(1, 30) if k * 150 < rate / 2)
    env = np.clip(np.sin(2 * np.pi * 2.5 * t), 0, None) ** 0.5
    x = x * env + 0.01 * rng.standard_normal(n)
    return (0.3 * x / np.max(np.abs(x))).astype(np.float32)


def test_si_sdr_identity_is_large(rng):
    x = rng.standard_normal(RATE)
    assert si_sdr(x, x) > 100.0
    assert si_sdr(x, 0.5 * x) > 100.0  # scale-invariant


@pytest.mark.parametrize("snr_db", [-5.0, 0.0, 10.0, 20.0])
def test_si_sdr_matches_known_snr(rng, snr_db):
    x = rng.standard_normal(4 * RATE)
    n = rng.standard_normal(4 * RATE)
    # Make the noise orthogonal to x so the projection leaves it whole.
    n -= np.dot(n, x) / np.dot(x, x) * x
    n *= np.sqrt(np.sum(x**2) / np.sum(n**2) / 10 ** (snr_db / 10))
    assert si_sdr(x, x + n) == pytest.approx(snr_db, abs=0.05)


def test_si_sdr_silent_reference_is_nan():
    assert np.isnan(si_sdr(np.zeros(100), np.ones(100)))


@pytest.mark.parametrize("delay", [0, 1, 37, 1440, -250])
def test_align_recovers_delay(rng, delay):
    x = rng.standard_normal(RATE)
    if delay >= 0:
        est = np.concatenate([np.zeros(delay), x])[:len(x)]
    else:
        est = np.concatenate([x[-delay:], np.zeros(-delay)])
    r, e, lag = align(x, est, max_lag=2000)
    assert lag == delay
    assert len(r) == len(e) == len(x) - abs(delay)
    np.testing.assert_array_equal(r, e)


def test_pesq_identical_high_and_noisy_lower(rng):
    pytest.importorskip("pesq", reason="pesq (test extra) not installed")
    x = speechlike(rng)
    noisy = x + 0.05 * rng.standard_normal(len(x)).astype(np.float32)
    same = pesq_wb(x, x, RATE)
    worse = pesq_wb(x, noisy, RATE)
    assert same > 4.0
    assert worse < same - 1.0
