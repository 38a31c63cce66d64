"""Pitch: period search with octave checks, and a streaming Viterbi over frames.

``pitch_search`` looks at the newest 960 samples and their past (768 samples more):
a coarse normalised cross-correlation on a 2x decimated signal (by FFT), refinement of
the best peaks at full rate, then ``remove_doubling`` replaces a period by a
sub-multiple whose correlation is nearly as good (the classic octave error). It returns
a few candidate periods; ``PitchViterbi`` picks a smooth trajectory through them with a
fixed decision delay of ``LOOKAHEAD_FRAMES`` frames.
"""
import numpy as np

from .constants import LOOKAHEAD_FRAMES, PITCH_MAX_PERIOD, PITCH_MIN_PERIOD, WINDOW_SIZE

PITCH_BUF_SIZE = PITCH_MAX_PERIOD + WINDOW_SIZE   # 1728 samples: window plus its longest lag
NB_CANDIDATES = 4                                 # periods handed to the Viterbi per frame
OCTAVE_THRESHOLD = 0.9                            # sub-multiple kept if corr >= 0.9 x best
VITERBI_JUMP_COST = 0.5                           # cost of one octave of period change

_DEC_SEG = WINDOW_SIZE // 2                       # 480: decimated window
_DEC_MIN = PITCH_MIN_PERIOD // 2                  # 30: decimated lags 30 .. 384
_DEC_MAX = PITCH_MAX_PERIOD // 2
_DEC_BUF = PITCH_BUF_SIZE // 2                    # 864
_FFT_SIZE = 1024                                  # >= 864: no circular wrap for lags >= 0


def normalized_correlation(x, period):
    """Normalised correlation of the newest 960 samples of ``x`` with the same span ``period`` samples earlier.

    ``x`` float32 [shape=(1728,)], oldest first; ``period`` in samples, 60..768. Returns a float in [-1, 1].
    """
    seg = x[PITCH_MAX_PERIOD:]
    lagged = x[PITCH_MAX_PERIOD - period:PITCH_BUF_SIZE - period]
    energy = float(np.dot(seg, seg)) * float(np.dot(lagged, lagged))
    return float(np.dot(seg, lagged)) / np.sqrt(energy) if energy > 1e-20 else 0.0


def _refine(x, period, reach):
    """Best full-rate period within ``period ± reach``, and its correlation."""
    best, best_corr = period, -1.0
    for t in range(max(PITCH_MIN_PERIOD, period - reach), min(PITCH_MAX_PERIOD, period + reach) + 1):
        c = normalized_correlation(x, t)
        if c > best_corr:
            best, best_corr = t, c
    return best, best_corr


def remove_doubling(x, period, corr):
    """Replace ``period`` by its smallest sub-multiple ``period / k`` whose correlation is at least
    ``OCTAVE_THRESHOLD * corr`` (checked at full rate, ±1 sample). Returns (period, corr)."""
    best, best_corr = period, corr
    for k in range(2, period // PITCH_MIN_PERIOD + 1):
        t, c = _refine(x, int(round(period / k)), 1)
        if c >= OCTAVE_THRESHOLD * corr:
            best, best_corr = t, c
    return best, best_corr


class PitchSearch:
    """Per-frame period candidates; holds the preallocated decimation and FFT workspace."""

    def __init__(self):
        self._dec = np.zeros(_FFT_SIZE, np.float32)     # decimated signal, zero-padded
        self._seg = np.zeros(_FFT_SIZE, np.float32)     # decimated newest window, zero-padded
        self._cumsum = np.zeros(_DEC_BUF + 1, np.float64)
        self.periods = np.zeros(NB_CANDIDATES, np.int64)
        self.correlations = np.zeros(NB_CANDIDATES, np.float32)

    def search(self, x):
        """Fill ``self.periods`` and ``self.correlations`` from ``x`` float32 [shape=(1728,)].

        Candidate 0 is the best period after the octave check. Returns (periods,
        correlations) [shape=(4,)].
        """
        dec = self._dec
        # 2x decimation with a [1/4, 1/2, 1/4] low-pass.
        dec[:_DEC_BUF] = 0.5 * x[0::2]
        dec[1:_DEC_BUF] += 0.25 * (x[1:-1:2] + x[2::2])
        dec[0] += 0.25 * x[1]
        self._seg[:_DEC_SEG] = dec[_DEC_BUF - _DEC_SEG:_DEC_BUF]
        # r[m] = sum_n seg[n] dec[n + m]; lag L = 384 - m.
        corr = np.fft.irfft(np.fft.rfft(dec) * np.conj(np.fft.rfft(self._seg)), _FFT_SIZE)
        m = np.arange(_DEC_MAX - _DEC_MIN + 1)
        np.cumsum(np.square(dec[:_DEC_BUF], dtype=np.float64), out=self._cumsum[1:])
        lag_energy = self._cumsum[m + _DEC_SEG] - self._cumsum[m]
        seg_energy = self._cumsum[_DEC_BUF] - self._cumsum[_DEC_BUF - _DEC_SEG]
        ncorr = corr[m] / np.sqrt(lag_energy * seg_energy + 1e-20)
        lags = _DEC_MAX - m                                 # decimated lags, 384 .. 30
        # Local maxima, best first, refined at full rate.
        peak = np.ones_like(ncorr, dtype=bool)
        peak[1:] &= ncorr[1:] >= ncorr[:-1]
        peak[:-1] &= ncorr[:-1] >= ncorr[1:]
        order = np.flatnonzero(peak)
        order = order[np.argsort(-ncorr[order], kind="stable")][:NB_CANDIDATES]
        peaks = sorted((_refine(x, 2 * int(lags[i]), 2) for i in order), key=lambda pc: -pc[1])
        best, best_corr = remove_doubling(x, *peaks[0])
        # Candidates: the best period; its double, scored as the octave check would grant
        # it (so the Viterbi can undo a one-frame octave drop but never prefers multiples);
        # then the other peaks that are not multiples of the best.
        found = [(best, best_corr)]
        if 2 * best <= PITCH_MAX_PERIOD:
            double, double_corr = _refine(x, 2 * best, 1)
            found.append((double, OCTAVE_THRESHOLD * double_corr))
        for p, c in peaks:
            ratio = p / best
            if abs(ratio - round(ratio)) > 0.03 * ratio:
                found.append((p, c))
        while len(found) < NB_CANDIDATES:
            found.append(found[0])
        for j, (p, c) in enumerate(found[:NB_CANDIDATES]):
            self.periods[j] = p
            self.correlations[j] = c
        return self.periods, self.correlations


class PitchViterbi:
    """Streaming Viterbi over per-frame candidates with a fixed decision delay.

    The score of a path is the sum of its correlations minus ``VITERBI_JUMP_COST`` per octave of
    period change between frames. ``push`` takes frame t's candidates and returns the decision
    for frame t - ``LOOKAHEAD_FRAMES``, backtracked from the best path ending at frame t.
    """

    def __init__(self):
        depth = LOOKAHEAD_FRAMES + 1
        self._log_periods = np.zeros((depth, NB_CANDIDATES))
        self._periods = np.full((depth, NB_CANDIDATES), PITCH_MAX_PERIOD, np.int64)
        self._corrs = np.zeros((depth, NB_CANDIDATES), np.float32)
        self._back = np.zeros((depth, NB_CANDIDATES), np.int64)
        self._score = np.zeros(NB_CANDIDATES)
        self._newest = 0

    def reset(self):
        self.__init__()

    def push(self, periods, correlations):
        """Add frame t's candidates; return (period, correlation) decided for frame t - 2."""
        depth = LOOKAHEAD_FRAMES + 1
        prev, cur = self._newest, (self._newest + 1) % depth
        log_p = np.log2(periods.astype(np.float64))
        jump = np.abs(log_p[:, None] - self._log_periods[prev][None, :])    # [cur, prev]
        total = self._score[None, :] - VITERBI_JUMP_COST * jump
        self._back[cur] = np.argmax(total, axis=1)
        self._score = total[np.arange(NB_CANDIDATES), self._back[cur]] + correlations
        self._score -= self._score.max()
        self._log_periods[cur] = log_p
        self._periods[cur] = periods
        self._corrs[cur] = correlations
        self._newest = cur
        state, frame = int(np.argmax(self._score)), cur
        for _ in range(LOOKAHEAD_FRAMES):
            state = int(self._back[frame, state])
            frame = (frame - 1) % depth
        return int(self._periods[frame, state]), float(self._corrs[frame, state])
