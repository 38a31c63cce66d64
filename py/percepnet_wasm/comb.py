"""Pitch comb filter over ±K periods, and per-band pitch coherence.

``p(n) = sum_{k=-K..K} c_k y(n - k T)`` with ``c_k`` a Hann window normalised to sum 1.
The future taps read the look-ahead, so K is limited to what it holds:
``K = min(COMB_TAPS, LOOKAHEAD_SAMPLES // T)``.
"""
import numpy as np
from numpy._core.umath import clip      # np.clip's ufunc, without its three Python wrappers

from .constants import COMB_TAPS, EPS, FRAME_SIZE, LOOKAHEAD_FRAMES, PITCH_MAX_PERIOD, WINDOW_SIZE

LOOKAHEAD_SAMPLES = LOOKAHEAD_FRAMES * FRAME_SIZE                   # 960 samples after the window
COMB_WINDOW_START = COMB_TAPS * PITCH_MAX_PERIOD                    # 3840: the filtered window's start
COMB_BUF_SIZE = COMB_WINDOW_START + WINDOW_SIZE + LOOKAHEAD_SAMPLES  # 5760 samples of history


def comb_coefficients(taps):
    """Hann weights ``c_k`` for k = -taps..taps, normalised to sum 1 [shape=(2 taps + 1,)]."""
    k = np.arange(-taps, taps + 1)
    c = 0.5 * (1.0 + np.cos(np.pi * k / (taps + 1)))
    return (c / c.sum()).astype(np.float32)


COMB_COEFFS = [comb_coefficients(k) for k in range(COMB_TAPS + 1)]
# Power gain of the filter on white noise, sum_k c_k^2 (the sigma^2 of the strength formula).
COMB_NOISE_GAIN = [float(np.sum(np.square(c, dtype=np.float64))) for c in COMB_COEFFS]
# EPS, 0 and 1 as float32 0-d arrays, the operands of per-frame ufunc calls here and in the
# denoiser: a Python float operand costs ~0.6 µs more per call in Pyodide.
EPS_F32, ZERO_F32, ONE_F32 = (np.array(v, np.float32) for v in (EPS, 0.0, 1.0))


# c_k of every K in one table: row K holds c_{-K..K} centred on column COMB_TAPS, zeros beyond.
_COEFF_TABLE = np.zeros((COMB_TAPS + 1, 2 * COMB_TAPS + 1), np.float32)
for _k, _c in enumerate(COMB_COEFFS):
    _COEFF_TABLE[_k, COMB_TAPS - _k:COMB_TAPS + _k + 1] = _c


def comb_taps(period):
    """Number of taps each side, K, that the look-ahead allows for ``period`` (samples);
    int, or int array for an array of periods."""
    if isinstance(period, np.ndarray):
        return np.minimum(COMB_TAPS, LOOKAHEAD_SAMPLES // period)
    return min(COMB_TAPS, LOOKAHEAD_SAMPLES // period)


def comb_filter(history, period, out, scratch=None):
    """Comb-filter the window that starts at ``COMB_WINDOW_START`` in ``history``.

    Parameters
    ----------
    history : float32 [shape=(5760,) or (n, 5760)]  past, window and look-ahead, oldest first
    period : int, or int ndarray [shape=(n,)] with 2-D ``history``  pitch period T in samples, 60..768
    out : float32 [shape=(960,) or (n, 960)]  the filtered window
    scratch : float32 [shape=(960,)], optional  workspace for one frame (without it, one
        frame allocates a 960-sample temporary per tap)

    Returns
    -------
    int or int [shape=(n,)]  the number of taps each side used, K

    Rows are filtered with the same float32 operations in the same order as one frame
    (a row whose K is below k skips tap k), so each row equals the one-frame result.
    """
    if isinstance(period, np.ndarray):
        return _comb_filter_rows(history, period, out)
    taps = comb_taps(period)
    c = COMB_COEFFS[taps]
    start = COMB_WINDOW_START
    pair = np.empty_like(out) if scratch is None else scratch
    np.multiply(history[start:start + WINDOW_SIZE], c[taps], out=out)
    for k in range(1, taps + 1):
        past = start - k * period
        future = start + k * period
        np.add(history[past:past + WINDOW_SIZE], history[future:future + WINDOW_SIZE], out=pair)
        np.multiply(pair, c[taps + k], out=pair)        # c_k (past + future)
        out += pair
    return taps


def _comb_filter_rows(history, period, out):
    """``comb_filter`` of n rows, each with its own period. The rows are taken in order of
    falling K, so those that use tap k are a prefix; tap windows are gathered as rows of a
    sliding-window view (no copy of the history; ``as_strided`` costs less per call than
    ``sliding_window_view``)."""
    taps = comb_taps(period)
    order = np.argsort(-taps, kind="stable")
    k_max, lag = taps[order], period[order]
    start = COMB_WINDOW_START
    rows_stride, step = history.strides
    windows = np.lib.stride_tricks.as_strided(      # windows[i, j] = history[i, j:j + 960]
        history, (len(history), history.shape[1] - WINDOW_SIZE + 1, WINDOW_SIZE),
        (rows_stride, step, step), writeable=False)
    acc, pair = np.empty_like(out), np.empty_like(out)
    np.multiply(windows[order, start], _COEFF_TABLE[k_max, COMB_TAPS, None], out=acc)
    users = np.cumsum(np.bincount(k_max, minlength=COMB_TAPS + 1)[::-1])[::-1].tolist()
    for k in range(1, COMB_TAPS + 1):
        used = users[k]                      # rows with K >= k
        if not used:
            break
        rows, shift = order[:used], k * lag[:used]
        np.add(windows[rows, start - shift], windows[rows, start + shift], out=pair[:used])
        pair[:used] *= _COEFF_TABLE[k_max[:used], COMB_TAPS + k, None]     # c_k (past + future)
        acc[:used] += pair[:used]
    out[order] = acc
    return taps


def pitch_coherence(correlation, energy_y, energy_p, out):
    """``q_b = C_b(Y, P) / sqrt(E_b(Y) E_b(P))``, clipped to [0, 1]; all arrays [shape=(..., 34)]."""
    np.multiply(energy_y, energy_p, out=out)
    out += EPS_F32
    np.sqrt(out, out=out)
    np.divide(correlation, out, out=out)
    return clip(out, ZERO_F32, ONE_F32, out=out)
