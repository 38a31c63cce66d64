"""The streaming core under hostile input: nothing non-finite or unbounded comes out, bad samples
never reach the state, the state forgets, and memory stays flat (property-based, hypothesis).

Bounds asserted below, for any input and any gain source whose gains g lie in [0, 1]:

- **Energy.** Let x~ be the input as the stream sees it (NaN/Inf -> 0, clamped to
  +-INPUT_LIMIT), Y_t the spectrum of analysis block t and f the attenuation floor (0 without a
  limit, at most 1). Per band the output is ``g'' sqrt(E_Y / E_Z) Z``; the triangular band
  weights sum to 1 in every bin, so (Jensen) ``sum_k |X_t(k)|^2 <= sum_b g''_b^2 E_Y,b``. The
  postfilter never adds energy overall: it leaves ``sum_b g'^2 E_Y,b`` at ``(1 + beta) /
  (1 + beta R^2) <= 1`` times ``sum_b g^2 E_Y,b`` (R >= 1 is the energy ratio before / after
  sharpening), so its per-band boost of up to +5.6 dB only moves energy between bands. The
  floor ``g'' = max(g', f)`` adds at most ``f^2 sum_b E_Y,b``. So
  ``sum_k |X_t(k)|^2 <= (1 + f^2) sum_k |Y_t(k)|^2``; counted as a full FFT (bins 0 and 480 once,
  the others twice) block t's synthesis input has at most ``2 (1 + f^2) / 960 sum_k |Y_t(k)|^2``
  energy (``block_energy_bounds``), and since the power-complementary window makes overlap-add a
  Parseval frame, every prefix of the output has at most the sum of its blocks' bounds. Away
  from DC and Nyquist that is ``(1 + f^2)`` times the input energy, never more than
  ``2 (1 + f^2)`` times (ENERGY_BOUND with f = 1). Float rounding and the 1e-20 regularisers get
  1e-3 relative and 1e-20 absolute slack.
- **Peak.** Each output sample mixes two synthesis blocks of energy at most
  ``2 (1 + f^2) INPUT_LIMIT^2 * 480`` each (480 = sum of the squared window), so
  ``|y| <= sqrt(8 * 480) INPUT_LIMIT`` ~ 496 (PEAK_BOUND): loose, but a hard limit.
- **Memory.** The denoiser's signal state is 12 frames of input history (COMB_BUF_SIZE), one
  frame of overlap-add tail, and the pitch Viterbi's path scores. From 13 frames (STATE_FRAMES)
  after two streams start receiving the same input, their outputs are bit-identical in every
  frame where their pitch decisions (this frame's and the previous one's) agree. On speech the
  paths coalesce within the Viterbi's decision delay, and on silence there is nothing left to
  filter, so RECOVERY_FRAMES (15) after the bad input stops the output is exactly that of a stream
  that got zeros instead. On pitch-ambiguous input (DC, a steady square wave, white noise) the
  old track can persist (measured on noise: up to 16 frames in 300 trials; on DC, for as long
  as the DC lasts): that is the Viterbi's smoothing, bounded and harmless, not poisoning. So a
  DC tail ends after DC_FRAMES (then silence), and every example must compare at least
  MIN_COMPARED frames: an example whose decisions never agree fails instead of passing unchecked
  (with DC lasting the whole tail, about half the examples compared no frame at all).

The gain source is ``FeatureGain``: stateless and deterministic, yet driven by every kind of
feature (energies, coherences, pitch period), so a NaN or a stale value anywhere in the
features shows in the output. With trained weights (``percepnet_wasm/weights.npz``) the
properties that hold for any model also run with ``Denoiser()``; a recurrent network has no
finite memory, so the exact-recovery property is checked with the stateless source only.
"""
import tracemalloc

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from percepnet_wasm import Denoiser, enhance
from percepnet_wasm.comb import COMB_BUF_SIZE
from percepnet_wasm.constants import (ALGORITHMIC_DELAY, FRAME_SIZE, LOOKAHEAD_FRAMES,
                                      SAMPLE_RATE, WINDOW_SIZE)
from percepnet_wasm.denoiser import INPUT_LIMIT
from percepnet_wasm.model import DEFAULT_WEIGHTS
from percepnet_wasm.stft import WINDOW
from gain_sources import FeatureGain

ENERGY_BOUND = 2 * (1 + 1.0 ** 2)                                # f = 1 (attenuation limit 0 dB)
PEAK_BOUND = np.sqrt(8 * FRAME_SIZE) * INPUT_LIMIT                # ~ 496
HISTORY_FRAMES = COMB_BUF_SIZE // FRAME_SIZE                     # 12
STATE_FRAMES = HISTORY_FRAMES + 1                                # + the overlap-add tail
RECOVERY_FRAMES = STATE_FRAMES + LOOKAHEAD_FRAMES                # + the Viterbi's decision delay
TAIL_FRAMES = 24                                                 # frames after the hostile prefix
DC_FRAMES = 6                                                    # then silence (see the docstring)
# Frames each never-poisoned example must compare. Noise and square tails compared all 11 frames
# from STATE_FRAMES on in 300 random examples (docstring: a stale track may persist); silence,
# speech and the DC tail compare their recovery frames in full, at least
# TAIL_FRAMES - DC_FRAMES - RECOVERY_FRAMES = 3.
MIN_COMPARED = 3

# Fixed examples (derandomize) keep the suite reproducible; raise max_examples to hunt.
PROPERTY = settings(max_examples=50, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def feature_gain():
    return Denoiser(model=FeatureGain())


def trained():
    return Denoiser()


NO_WEIGHTS = pytest.mark.skipif(not DEFAULT_WEIGHTS.is_file(), reason="no trained weights yet")
ANY_MODEL = pytest.mark.parametrize("make", [feature_gain, pytest.param(trained, marks=NO_WEIGHTS)])


# ---------------------------------------------------------------- hostile frames
# A frame is drawn as a small spec and built with numpy from a drawn seed: hypothesis shrinks
# the spec (kind, amplitude, period) rather than 480 floats.

AMPLITUDES = st.one_of(
    st.sampled_from([0.0, 1.0, -1.0, INPUT_LIMIT, 1e3, 1e30, 3.4e38, -3.4e38, 1e-40]),
    st.floats(-140, 60).map(lambda db: float(10 ** (db / 20))))
FINITE_KINDS = ("silence", "dc", "square", "sine", "noise", "step", "denormal")
BAD_KINDS = ("nan", "inf", "-inf", "sprinkle")


def frame_specs(kinds):
    return st.tuples(st.sampled_from(kinds), AMPLITUDES, AMPLITUDES, st.integers(2, 2000))


def build(specs, seed, dtype=np.float32):
    """Frames [shape=(len(specs), 480)] from specs; sudden jumps come from neighbouring specs."""
    rng = np.random.default_rng(seed)
    n = np.arange(FRAME_SIZE)
    frames = np.zeros((len(specs), FRAME_SIZE), np.float64)
    for f, (kind, a, b, period) in zip(frames, specs):
        if kind == "dc":
            f[:] = a
        elif kind == "square":                 # full scale when a = 1
            f[:] = a * np.where((n + rng.integers(period)) % period < period / 2, 1.0, -1.0)
        elif kind == "sine":
            f[:] = a * np.sin(2 * np.pi * n / period + rng.uniform(0, 6.3))
        elif kind == "noise":
            f[:] = min(abs(a), 1e30) * rng.standard_normal(FRAME_SIZE)
        elif kind == "step":                   # a level jump inside the frame
            f[:] = np.where(n < rng.integers(FRAME_SIZE), a, b)
        elif kind == "denormal":               # float32 subnormals, both signs
            f[:] = rng.choice([-1, 1], FRAME_SIZE) * rng.uniform(1e-45, 1.1e-38, FRAME_SIZE)
        elif kind == "nan":
            f[:] = np.nan
        elif kind in ("inf", "-inf"):
            f[:] = float(kind)
        elif kind == "sprinkle":               # a loud frame with NaN/Inf scattered through it
            f[:] = min(abs(a), 1e30) * rng.standard_normal(FRAME_SIZE)
            f[rng.integers(0, FRAME_SIZE, rng.integers(1, 40))] = rng.choice(
                [np.nan, np.inf, -np.inf, 1e38, -1e38])
    with np.errstate(over="ignore"):
        return frames.astype(dtype)


@st.composite
def hostile(draw, min_frames=1, max_frames=30):
    n = draw(st.integers(min_frames, max_frames))      # uniform: lists alone favour short ones
    specs = draw(st.lists(frame_specs(FINITE_KINDS + BAD_KINDS), min_size=n, max_size=n))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    return build(specs, draw(st.integers(0, 2 ** 32 - 1)), dtype)


def sanitised(frames):
    """What the stream is documented to see: NaN/Inf -> 0, then clamped to +-INPUT_LIMIT (float32)."""
    with np.errstate(over="ignore"):
        x = frames.astype(np.float32)
    return np.clip(np.nan_to_num(x, nan=0.0, posinf=0.0, neginf=0.0), -INPUT_LIMIT, INPUT_LIMIT)


def block_energy_bounds(x, floor):
    """Per analysis block t (input frames t-1 and t), the most output energy it can carry,
    ``2 (1 + floor^2) / 960 sum_k |Y_t(k)|^2`` (module docstring).

    ``x`` sanitised float [shape=(T, 480)]; returns [shape=(T,)].
    """
    padded = np.r_[np.zeros(FRAME_SIZE), x.ravel()]
    blocks = np.lib.stride_tricks.sliding_window_view(padded, WINDOW_SIZE)[::FRAME_SIZE]
    power = np.abs(np.fft.rfft(blocks * WINDOW, axis=1)) ** 2
    return 2 * (1 + floor ** 2) / WINDOW_SIZE * power.sum(axis=1)


def stream(denoiser, frames):
    """Process frames [shape=(T, 480)] one by one; returns the output frames (float32)."""
    out = np.zeros((len(frames), FRAME_SIZE), np.float32)
    with np.errstate(over="ignore"):          # float64 beyond float32's range casts to Inf
        for frame_in, frame_out in zip(frames, out):
            denoiser.process_frame(frame_in, frame_out)
    return out


def speech_like(f0, level, seed, frames):
    """Harmonics of ``f0`` Hz with 2 % vibrato plus noise 10 dB down, RMS ``level``."""
    rng = np.random.default_rng(seed)
    t = np.arange(frames * FRAME_SIZE) / SAMPLE_RATE
    phase = 2 * np.pi * f0 * (t - 0.02 / (2 * np.pi * 3) * np.cos(2 * np.pi * 3 * t))
    x = sum(0.8 ** h * np.sin(h * phase) for h in range(1, 40) if f0 * h < 20_000)
    x = x / np.std(x) + 0.3 * rng.standard_normal(len(t))
    return (level * x / np.std(x)).astype(np.float32).reshape(frames, FRAME_SIZE)


# ---------------------------------------------------------------- properties

@ANY_MODEL
@PROPERTY
@given(frames=hostile(), attenuation=st.sampled_from([None, 0.0, 6.0, 40.0]),
       postfilter=st.booleans(), enabled=st.booleans())
def test_output_is_finite_and_bounded(make, frames, attenuation, postfilter, enabled):
    d = make()
    d.set_attenuation_limit(attenuation)
    d.postfilter, d.enabled = postfilter, enabled
    y = stream(d, frames).astype(np.float64)
    assert np.all(np.isfinite(y))
    assert np.max(np.abs(y)) <= PEAK_BOUND
    x = sanitised(frames).astype(np.float64)
    out_energy = np.cumsum(np.sum(y * y, axis=1))
    bound = np.cumsum(block_energy_bounds(x, d.gain_floor))
    assert np.all(out_energy <= bound * (1 + 1e-3) + 1e-20), np.max(out_energy / np.maximum(bound, 1e-300))
    # The corollary in time: at most ENERGY_BOUND times the input energy so far.
    assert np.all(bound <= ENERGY_BOUND * np.cumsum(np.sum(x * x, axis=1)) * (1 + 1e-6) + 1e-300)


@ANY_MODEL
@PROPERTY
@given(data=st.data())
def test_bad_samples_are_exactly_zeros_and_out_of_range_exactly_the_clamp(make, data):
    """NaN/Inf and values beyond +-8 never reach the state: bit-identical to their sanitised values."""
    n = data.draw(st.integers(1, 24))
    specs = data.draw(st.lists(frame_specs(FINITE_KINDS), min_size=n, max_size=n))
    frames = build(specs, data.draw(st.integers(0, 2 ** 32 - 1)))
    frames = np.clip(frames, -INPUT_LIMIT, INPUT_LIMIT)
    bad = frames.copy().ravel()
    positions = data.draw(st.lists(st.integers(0, bad.size - 1), min_size=1, max_size=200))
    values = data.draw(st.lists(st.sampled_from([np.nan, np.inf, -np.inf, 8.5, -9.0, 1e6, -3.4e38]),
                                min_size=len(positions), max_size=len(positions)))
    bad[positions] = values
    bad = bad.reshape(frames.shape)
    np.testing.assert_array_equal(stream(make(), bad), stream(make(), sanitised(bad)))


CONTINUATIONS = ("silence", "speech", "noise", "dc", "square")


@PROPERTY
@given(prefix=hostile(max_frames=16), kind=st.sampled_from(CONTINUATIONS),
       f0=st.floats(70, 400), level_db=st.floats(-50, 0), seed=st.integers(0, 2 ** 32 - 1))
def test_state_is_never_poisoned(prefix, kind, f0, level_db, seed):
    """After any prefix, the stream converges to one that got zeros instead of the prefix."""
    n = TAIL_FRAMES
    level = float(10 ** (level_db / 20))
    if kind == "silence":
        tail = np.zeros((n, FRAME_SIZE), np.float32)
    elif kind == "speech":
        tail = speech_like(f0, level, seed, n)
    elif kind == "noise":
        tail = (level * np.random.default_rng(seed).standard_normal((n, FRAME_SIZE))).astype(np.float32)
    elif kind == "dc":
        tail = np.zeros((n, FRAME_SIZE), np.float32)
        tail[:DC_FRAMES] = level
    else:
        tail = build([("square", level, level, int(f0))] * n, seed)

    def run(head):
        d = feature_gain()
        stream(d, head)
        out, decisions = np.zeros_like(tail), []
        for frame_in, frame_out in zip(tail, out):
            d.process_frame(frame_in, frame_out)
            decisions.append((d.period, d.pitch_correlation))
        return out, decisions

    y_bad, pitch_bad = run(prefix)
    y_ref, pitch_ref = run(np.zeros_like(prefix))
    compared = {j for j in range(STATE_FRAMES, n) if pitch_bad[j - 1:j + 1] == pitch_ref[j - 1:j + 1]}
    for j in sorted(compared):
        np.testing.assert_array_equal(y_bad[j], y_ref[j], err_msg=f"frame {j} of the tail")
    settled = {"silence": 0, "speech": 0, "dc": DC_FRAMES}.get(kind)   # input that lets paths meet
    if settled is not None:
        start = settled + RECOVERY_FRAMES
        np.testing.assert_array_equal(y_bad[start:], y_ref[start:])
        compared |= set(range(start, n))
    assert len(compared) >= MIN_COMPARED, f"{kind} tail: only {len(compared)} frames compared"


@ANY_MODEL
@PROPERTY
@given(before=hostile(max_frames=12), after=hostile(max_frames=12))
def test_reset_makes_a_fresh_stream(make, before, after):
    used = make()
    used.set_attenuation_limit(12.0)          # settings survive reset(); signal state does not
    stream(used, before)
    used.reset()
    fresh = make()
    fresh.set_attenuation_limit(12.0)
    np.testing.assert_array_equal(stream(used, after), stream(fresh, after))


# ---------------------------------------------------------------- API edges

def frame_case(in_shape=FRAME_SIZE, in_dtype=np.float32, out_shape=FRAME_SIZE, out_dtype=np.float32, *,
               named):
    wrong = "in" if (in_shape, in_dtype) != (FRAME_SIZE, np.float32) else "out"
    return pytest.param(np.zeros(in_shape, in_dtype), np.zeros(out_shape, out_dtype), named,
                        id=f"{wrong}-{named}")


@pytest.mark.parametrize("inp, out, named", [
    frame_case(0, named="(0,)"), frame_case(1, named="(1,)"), frame_case(479, named="(479,)"),
    frame_case(481, named="(481,)"), frame_case(128, out_shape=128, named="(128,)"),
    frame_case((1, FRAME_SIZE), named="(1, 480)"), frame_case(out_shape=2 * FRAME_SIZE, named="(960,)"),
    frame_case(in_dtype=np.int16, named="int16"), frame_case(in_dtype=np.int32, named="int32"),
    frame_case(in_dtype=bool, named="bool"), frame_case(in_dtype=np.complex64, named="complex64"),
    frame_case(in_dtype=object, named="object"), frame_case(out_dtype=np.float64, named="float64"),
    frame_case(out_dtype=np.int16, named="int16"),
])
def test_wrong_frame_length_or_dtype_is_a_value_error_that_names_it(inp, out, named):
    """And the refused call leaves the stream exactly as it was."""
    x = speech_like(150, 0.1, 1, 6)
    d, ref = feature_gain(), feature_gain()
    y, y_ref = stream(d, x[:3]), stream(ref, x[:3])
    with pytest.raises(ValueError) as info:
        d.process_frame(inp, out)
    assert named in str(info.value)
    np.testing.assert_array_equal(np.r_[y, stream(d, x[3:])], np.r_[y_ref, stream(ref, x[3:])])


def test_in_place_processing_equals_separate_buffers():
    x = speech_like(120, 0.1, 2, 8)
    buf = x.copy()
    d = feature_gain()
    for frame in buf:
        d.process_frame(frame, frame)
    np.testing.assert_array_equal(buf, stream(feature_gain(), x))


def test_enhance_refuses_integer_pcm_like_process_frame():
    with pytest.raises(ValueError, match="int16"):
        enhance(np.zeros(1000, np.int16), feature_gain())
    with pytest.raises(ValueError, match=r"\(2, 500\)"):
        enhance(np.zeros((2, 500), np.float32), feature_gain())


@pytest.mark.parametrize("n", [0, 1, 100, FRAME_SIZE - 1, FRAME_SIZE, ALGORITHMIC_DELAY - 1,
                               ALGORITHMIC_DELAY, ALGORITHMIC_DELAY + 1])
@ANY_MODEL
def test_inputs_shorter_than_the_delay_come_back_whole(make, n):
    x = np.random.default_rng(n).uniform(-1, 1, n).astype(np.float32)
    y = enhance(x, make())
    assert y.shape == (n,) and y.dtype == np.float32 and np.all(np.isfinite(y))
    # Unity gains: every input sample comes back, none is lost to the 1440-sample delay.
    np.testing.assert_allclose(enhance(x, Denoiser(model=None)), x, atol=1e-6)


def test_long_streams_run_in_constant_memory():
    """Python heap (tracemalloc) over 10 s and over 60 s of streaming: the same peak, nothing kept."""
    source = speech_like(140, 0.1, 3, 100)            # 1 s, cycled
    source[37, ::5] = np.nan                          # exercise the sanitising path too

    def traced(seconds):
        d, out = feature_gain(), np.zeros(FRAME_SIZE, np.float32)
        for i in range(20):                           # warm-up: numpy's FFT plan cache etc.
            d.process_frame(source[i], out)
        tracemalloc.start()
        try:
            for i in range(seconds * 100):
                d.process_frame(source[i % 100], out)
            return tracemalloc.get_traced_memory()    # (current, peak) bytes since start
        finally:
            tracemalloc.stop()

    current_10, peak_10 = traced(10)
    current_60, peak_60 = traced(60)
    assert peak_60 <= peak_10 + 16 * 1024, (peak_10, peak_60)
    assert current_60 <= 16 * 1024 and current_10 <= 16 * 1024, (current_10, current_60)
