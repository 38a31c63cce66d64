"""DSP core: each stage against its definition in PERCEPNET.md, plus the streaming contract."""
import numpy as np
import pytest

from percepnet_wasm import Denoiser, enhance
from percepnet_wasm.bands import BANDS, BandToBins
from percepnet_wasm.comb import COMB_COEFFS, COMB_NOISE_GAIN, COMB_WINDOW_START, comb_filter
from percepnet_wasm.constants import (ALGORITHMIC_DELAY, BAND_CENTRES, FRAME_SIZE, NB_BANDS, PITCH_MAX_PERIOD,
                                      PITCH_MIN_PERIOD, SAMPLE_RATE, WINDOW_SIZE)
from percepnet_wasm.pitch import (OCTAVE_THRESHOLD, PITCH_BUF_SIZE, PitchSearch, PitchViterbi, _remove_doubling_rows,
                                  remove_doubling)
from percepnet_wasm.postfilter import postfilter
from percepnet_wasm.stft import WINDOW, Synthesis, analysis, irfft, rfft
from percepnet_wasm.targets import oracle_strengths


@pytest.fixture
def rng():
    return np.random.default_rng(20261125)


def harmonic(f0, n, amplitudes, phase=0.0):
    """Sum of harmonics of ``f0`` Hz, ``amplitudes[h-1]`` for harmonic h, below 20 kHz."""
    t = np.arange(n) / SAMPLE_RATE
    return sum(a * np.sin(2 * np.pi * f0 * h * t + phase * h)
               for h, a in enumerate(amplitudes, 1) if f0 * h < 20_000).astype(np.float32)


def test_window_is_power_complementary():
    assert np.max(np.abs(WINDOW[:FRAME_SIZE] ** 2 + WINDOW[FRAME_SIZE:] ** 2 - 1)) < 1e-6


def test_analysis_synthesis_reconstructs(rng):
    x = rng.uniform(-1, 1, 20 * FRAME_SIZE).astype(np.float32)
    padded = np.r_[np.zeros(FRAME_SIZE, np.float32), x]
    synthesis, scratch = Synthesis(), np.zeros(WINDOW_SIZE, np.float32)
    out = np.zeros(len(x), np.float32)
    for i in range(len(x) // FRAME_SIZE):
        spec = analysis(padded[i * FRAME_SIZE:i * FRAME_SIZE + WINDOW_SIZE], scratch)
        synthesis.push(spec, out[i * FRAME_SIZE:(i + 1) * FRAME_SIZE])
    # Output block i is input samples [480 (i-1), 480 i): compare from the second block.
    assert np.max(np.abs(out[FRAME_SIZE:] - x[:-FRAME_SIZE])) < 1e-6


@pytest.mark.parametrize("n, dtype", [(960, np.float32), (960, np.float64), (1728, np.float64)])
def test_direct_fft_calls_equal_numpy_fft_bit_for_bit(n, dtype, rng):
    x = rng.standard_normal((2, n)).astype(dtype)
    spectrum = np.zeros((2, n // 2 + 1), np.result_type(dtype, 1j))
    rfft(x, spectrum)
    np.testing.assert_array_equal(spectrum, np.fft.rfft(x, axis=-1))
    back = np.zeros_like(x)
    irfft(spectrum, np.reciprocal(n, dtype=dtype), back)
    np.testing.assert_array_equal(back, np.fft.irfft(spectrum, n, axis=-1))


def test_band_weights_sum_to_one_and_interpolation_is_the_transpose():
    total = BANDS.sum(axis=0)
    assert np.max(np.abs(total[BAND_CENTRES[0]:] - 1)) < 1e-6
    gains = np.linspace(0.1, 1.0, NB_BANDS).astype(np.float32)
    bins = np.zeros(BANDS.shape[1], np.float32)
    BandToBins(gains, bins)()
    np.testing.assert_allclose(bins, BANDS.T @ gains, rtol=1e-6)
    # At each band centre the interpolated gain is that band's gain.
    np.testing.assert_allclose(bins[list(BAND_CENTRES)], gains, rtol=1e-6)


# Octave traps: strong even harmonics make half the period look periodic too; a weak
# fundamental tempts the search towards harmonics. White noise at 10 dB SNR on top.
SPECTRA = {
    "falling": [0.8 ** h for h in range(40)],
    "even-heavy": [0.3, 1.0, 0.3, 1.0, 0.2, 0.6, 0.1, 0.4],
    "weak-fundamental": [0.1, 1.0, 0.8, 0.5, 0.4, 0.3],
}


@pytest.mark.parametrize("spectrum", SPECTRA)
@pytest.mark.parametrize("f0", [62.5, 70, 85, 100, 133, 170, 220, 290, 380, 500, 650, 800])
def test_pitch_search_within_one_percent(f0, spectrum, rng):
    x = harmonic(f0, PITCH_BUF_SIZE, SPECTRA[spectrum], phase=rng.uniform(0, 6))
    noise = rng.standard_normal(PITCH_BUF_SIZE).astype(np.float32)
    x += noise * np.sqrt(np.mean(x ** 2) / 10.0)
    periods, correlations = PitchSearch().search(x)
    true_period = SAMPLE_RATE / f0
    assert abs(periods[0] - true_period) <= 0.01 * true_period, (periods, correlations)


def test_octave_check_by_table_equals_its_definition(rng):
    """``remove_doubling`` (one frame and rows) against the plain loop over k it replaces."""
    def definition(ncorr, period):
        best, threshold = period, OCTAVE_THRESHOLD * ncorr[period]
        for k in range(2, period // PITCH_MIN_PERIOD + 1):
            centre = round(period / k)
            lo, hi = max(PITCH_MIN_PERIOD, centre - 1), min(PITCH_MAX_PERIOD, centre + 1)
            t = max(range(lo, hi + 1), key=ncorr.__getitem__)     # the first of equal ones
            if ncorr[t] >= threshold:
                best = t
        return best

    frames = np.zeros((40, PITCH_MAX_PERIOD + 2))                 # by period, then -inf
    frames[:, PITCH_MIN_PERIOD:-1] = rng.uniform(-0.3, 1.0, (40, PITCH_MAX_PERIOD - PITCH_MIN_PERIOD + 1))
    frames[:10] = np.round(frames[:10] * 4) / 4                   # ties
    frames[10:15] = 0.0                                           # silence: every sub-multiple passes
    frames[:, -1] = -np.inf
    work = np.zeros((11, 3)), np.zeros(11, bool), np.zeros(11)
    for period in range(PITCH_MIN_PERIOD, PITCH_MAX_PERIOD + 1):
        expected = [definition(ncorr.tolist(), period) for ncorr in frames]
        assert [remove_doubling(ncorr, period, work) for ncorr in frames] == expected
        assert _remove_doubling_rows(frames, np.full(len(frames), period)).tolist() == expected


def test_viterbi_removes_an_isolated_octave_jump():
    viterbi = PitchViterbi()
    decided = []
    for frame in range(12):
        if frame == 6:    # the frame's best candidate is the octave below
            periods, corrs = [120, 240, 300, 400], [0.92, 0.85, 0.2, 0.1]
        else:
            periods, corrs = [240, 480, 300, 400], [0.9, 0.81, 0.2, 0.1]
        decided.append(viterbi.push(np.array(periods), np.array(corrs, np.float32))[0])
    # push() returns frame t - 2: decisions for frames 0..9 are decided[2:].
    assert decided[2:] == [240] * 10


def test_viterbi_follows_a_real_change():
    viterbi = PitchViterbi()
    decided = []
    for frame in range(12):
        period = 240 if frame < 6 else 160
        periods = np.array([period, 2 * period, 300, 400])
        decided.append(viterbi.push(periods, np.array([0.9, 0.8, 0.2, 0.1], np.float32))[0])
    assert decided[2:] == [240] * 6 + [160] * 4


@pytest.mark.parametrize("period", [60, 100, 192, 300, 480, 768])
def test_comb_white_noise_gain_matches_formula(period, rng):
    history = rng.standard_normal(COMB_WINDOW_START + 3 * WINDOW_SIZE).astype(np.float32)[:5760]
    out = np.zeros(WINDOW_SIZE, np.float32)
    powers = []
    for _ in range(40):
        history[:] = rng.standard_normal(len(history))
        taps = comb_filter(history, period, out)
        powers.append(np.mean(out ** 2))
    expected = np.sum(COMB_COEFFS[taps].astype(np.float64) ** 2)
    assert taps == min(5, 960 // period)
    assert COMB_NOISE_GAIN[taps] == pytest.approx(expected)
    assert np.mean(powers) == pytest.approx(expected, rel=0.05)
    assert abs(COMB_COEFFS[taps].sum() - 1) < 1e-6


def test_strength_formula_sanity_value_and_branches():
    r, g = np.zeros(3, np.float32), np.zeros(3, np.float32)
    oracle_strengths([0.9, 0.5, 0.99], [0.8, 0.6, 0.9], COMB_NOISE_GAIN[5], r, g)
    assert r[0] == pytest.approx(0.32, abs=0.01) and g[0] == 1.0
    assert r[1] == 0.0 and g[1] == 1.0           # q_x <= q_y: nothing to gain from the comb
    # q_y = 0.9 -> q_hat = 0.962 < q_x = 0.99: the comb cannot reach it, r = 1, g_att < 1.
    q_hat = 0.9 / np.sqrt((1 - COMB_NOISE_GAIN[5]) * 0.81 + COMB_NOISE_GAIN[5])
    assert r[2] == 1.0
    assert g[2] == pytest.approx(np.sqrt((1.03 - 0.99 ** 2) / (1.03 - q_hat ** 2)), rel=1e-5)


def test_postfilter_bounds(rng):
    energy = rng.uniform(0.0, 1.0, NB_BANDS).astype(np.float32)
    out = np.zeros(NB_BANDS, np.float32)
    np.testing.assert_allclose(postfilter(np.ones(NB_BANDS, np.float32), energy, out), 1.0, rtol=1e-6)
    max_boost = np.sqrt(1.02 / (2 * np.sqrt(0.02)))       # at R = 1 / sqrt(beta): +5.6 dB
    assert 20 * np.log10(max_boost) == pytest.approx(5.57, abs=0.01)
    for _ in range(200):
        gains = rng.uniform(0, 1, NB_BANDS).astype(np.float32) ** rng.uniform(0.3, 3)
        postfilter(gains, energy, out)
        sharpened = gains * np.sin(np.pi * gains / 2)
        boost = out / np.maximum(sharpened, 1e-30)
        assert np.all(np.isfinite(out)) and np.all(out >= 0)
        assert np.all(boost[sharpened > 1e-6] <= max_boost * (1 + 1e-5))
        assert np.all(out <= max_boost * (1 + 1e-5))


class HalfGain:
    """A gain source that is not the identity, so the streaming tests exercise the gain path."""

    def reset(self):
        pass

    def step(self, features):
        return np.full(NB_BANDS, 0.5, np.float32), np.full(NB_BANDS, 0.3, np.float32), 0.5


def test_streaming_equals_batch_bit_for_bit(rng):
    x = (0.1 * rng.standard_normal(30 * FRAME_SIZE)).astype(np.float32)
    x += harmonic(180, len(x), SPECTRA["falling"]) * 0.1
    batch = enhance(x, Denoiser(model=HalfGain()))
    stream = Denoiser(model=HalfGain())
    frames = np.r_[x, np.zeros(ALGORITHMIC_DELAY, np.float32)].reshape(-1, FRAME_SIZE)
    out = np.zeros_like(frames)
    for frame_in, frame_out in zip(frames, out):
        stream.process_frame(frame_in, frame_out)
    np.testing.assert_array_equal(out.ravel()[ALGORITHMIC_DELAY:], batch)


def test_impulse_comes_out_exactly_1440_samples_later():
    d = Denoiser(model=None)
    x = np.zeros(12 * FRAME_SIZE, np.float32)
    x[1234] = 1.0
    y = np.zeros_like(x)
    for i in range(12):
        d.process_frame(x[i * FRAME_SIZE:(i + 1) * FRAME_SIZE], y[i * FRAME_SIZE:(i + 1) * FRAME_SIZE])
    assert ALGORITHMIC_DELAY == 1440
    assert np.argmax(np.abs(y)) == 1234 + 1440
    assert y[1234 + 1440] == pytest.approx(1.0, abs=1e-6)
    y[1234 + 1440] = 0
    assert np.max(np.abs(y)) < 1e-6


def test_unity_gains_pass_the_input_through(rng):
    x = rng.uniform(-1, 1, 10 * FRAME_SIZE).astype(np.float32)
    assert np.max(np.abs(enhance(x, Denoiser(model=None)) - x)) < 1e-6


def test_nan_and_inf_are_zero_and_do_not_poison_the_stream(rng):
    x = (0.1 * rng.standard_normal(40 * FRAME_SIZE)).astype(np.float32)
    bad = x.copy()
    bad[5 * FRAME_SIZE:6 * FRAME_SIZE:7] = np.nan
    bad[6 * FRAME_SIZE + 3] = np.inf
    bad[6 * FRAME_SIZE + 9] = -np.inf
    zeroed = np.where(np.isfinite(bad), bad, 0).astype(np.float32)
    y_bad = enhance(bad, Denoiser(model=HalfGain()))
    y_zero = enhance(zeroed, Denoiser(model=HalfGain()))
    assert np.all(np.isfinite(y_bad))
    np.testing.assert_array_equal(y_bad, y_zero)


def test_frame_shape_and_dtype_errors():
    d = Denoiser(model=None)
    out = np.zeros(FRAME_SIZE, np.float32)
    with pytest.raises(ValueError, match="480"):
        d.process_frame(np.zeros(128, np.float32), out)
    with pytest.raises(ValueError, match="float32"):
        d.process_frame(np.zeros(FRAME_SIZE, np.float32), np.zeros(FRAME_SIZE))
    with pytest.raises(ValueError, match="float"):
        d.process_frame(np.zeros(FRAME_SIZE, np.int16), out)
    with pytest.raises(ValueError, match="attenuation"):
        d.set_attenuation_limit(-3)


@pytest.mark.parametrize("level", [0.0, 1e-9, 1e-6, 1e-3, 1.0])
def test_pitch_correlation_is_bounded_at_any_level(level, rng):
    x = (level * rng.standard_normal(PITCH_BUF_SIZE)).astype(np.float32)
    x[:1000] = 0.0                      # an onset: the longest lags see exact silence
    search = PitchSearch()
    _, correlations = search.search(x)
    assert np.all(np.abs(search.ncorr) <= 1.0) and np.all(np.abs(correlations) <= 1.0)
    if level <= 1e-6:                   # below -100 dBFS the correlation is noise: ~0
        assert np.max(np.abs(correlations)) < 0.1


def test_pitch_onset_after_digital_silence_is_not_decided_by_round_off(rng):
    """The first frames of a stream see lag spans of exact zeros: they must correlate 0."""
    x = np.zeros(PITCH_BUF_SIZE, np.float32)
    x[-FRAME_SIZE:] = rng.standard_normal(FRAME_SIZE)
    search = PitchSearch()
    search.search(x)
    # The span of period T ends T samples before the newest: all zeros from T = 480 on.
    assert np.all(search.ncorr[FRAME_SIZE:] == 0.0)
    assert np.max(np.abs(search.ncorr[PITCH_MIN_PERIOD:FRAME_SIZE])) > 0


def test_oracle_clean_floor_is_subtracted_from_the_clean_band_energies(rng):
    from percepnet_wasm.targets import OracleTargets
    x = (harmonic(180, 20 * FRAME_SIZE, SPECTRA["falling"]) * 0.1).astype(np.float32)
    noisy = x + (0.01 * rng.standard_normal(len(x))).astype(np.float32)

    def gains(floor):
        oracle = OracleTargets(x, comb=False, clean_floor=floor)
        d = Denoiser(model=None, oracle=oracle, postfilter=False, comb=False)
        out = np.zeros(FRAME_SIZE, np.float32)
        rows = []
        for frame in noisy.reshape(-1, FRAME_SIZE):
            d.process_frame(frame, out)
            rows.append(d.gains.copy())
        return np.array(rows[4:])                   # past the start-up frames
    plain = gains(None)
    assert np.array_equal(gains(np.zeros(NB_BANDS)), plain)
    assert np.all(gains(np.full(NB_BANDS, 1e9)) < 1e-6)        # a floor above everything
    assert np.all(gains(np.full(NB_BANDS, 1e-3)) <= plain) and np.any(gains(np.full(NB_BANDS, 1e-3)) < plain)
