"""Pitch: period search with octave checks, and a streaming Viterbi over frames.

``PitchSearch`` correlates the newest 960 samples with their past at every period from 60
to 768 samples in one go (by FFT, so no decimated coarse pass is needed: the full-rate
search costs three FFTs of 2048 points), normalises by the energies, takes the best peak,
and ``remove_doubling`` replaces it by a sub-multiple whose correlation is nearly as good
(the classic octave error). ``PitchViterbi`` then picks a smooth trajectory through a few
candidates per frame with a fixed decision delay of ``LOOKAHEAD_FRAMES`` frames.
"""
import numpy as np

from .constants import LOOKAHEAD_FRAMES, PITCH_MAX_PERIOD, PITCH_MIN_PERIOD, WINDOW_SIZE

PITCH_BUF_SIZE = PITCH_MAX_PERIOD + WINDOW_SIZE   # 1728 samples: window plus its longest lag
NB_CANDIDATES = 4                                 # periods handed to the Viterbi per frame
OCTAVE_THRESHOLD = 0.9                            # sub-multiple kept if corr >= 0.9 x best
VITERBI_JUMP_COST = 0.5                           # cost of one octave of period change
CORRELATION_FLOOR = 1e-7                          # energy product floor: RMS 1e-5 (-100 dBFS)
QUIET_SPAN = 1e-6                                 # a lag span 60 dB below the window: silent

_FFT_SIZE = 2048                                  # >= 1728: no circular wrap for lags >= 0
_NB_PERIODS = PITCH_MAX_PERIOD + 1                # ncorr is indexed by period, 0..768


def remove_doubling(ncorr, period):
    """Smallest sub-multiple ``period / k`` (±1 sample) whose correlation is at least
    ``OCTAVE_THRESHOLD`` times that of ``period``; ``ncorr`` float [shape=(769,)] indexed by period."""
    best = period
    threshold = OCTAVE_THRESHOLD * ncorr[period]
    for k in range(2, period // PITCH_MIN_PERIOD + 1):
        centre = int(round(period / k))
        lo, hi = max(PITCH_MIN_PERIOD, centre - 1), min(PITCH_MAX_PERIOD, centre + 1)
        t = lo + int(np.argmax(ncorr[lo:hi + 1]))
        if ncorr[t] >= threshold:
            best = t
    return best


class PitchSearch:
    """Per-frame period candidates; holds the preallocated workspace."""

    def __init__(self):
        self._seg = np.zeros(_FFT_SIZE, np.float64)       # newest window, zero-padded
        self._padded = np.zeros(_FFT_SIZE, np.float64)    # the whole buffer, zero-padded
        self._cumsum = np.zeros(PITCH_BUF_SIZE + 1, np.float64)
        self.ncorr = np.zeros(_NB_PERIODS, np.float64)    # normalised correlation by period
        self.periods = np.zeros(NB_CANDIDATES, np.int64)
        self.correlations = np.zeros(NB_CANDIDATES, np.float32)

    def search(self, x):
        """Candidate periods of the newest window of ``x`` float32 [shape=(1728,)], oldest first.

        Candidate 0 is the best period after the octave check; candidate 1 its double (if
        in range), scored as the octave check would grant it, so the Viterbi can undo a
        one-frame octave drop but never prefers a multiple; then the next correlation peaks
        that are not multiples of the best. Returns (periods, correlations) [shape=(4,)].
        """
        seg, padded = self._seg, self._padded
        seg[:WINDOW_SIZE] = x[PITCH_MAX_PERIOD:]
        padded[:PITCH_BUF_SIZE] = x
        # r[m] = sum_n seg[n] x[n + m]: the window against the span that starts m samples
        # in, i.e. at period T = 768 - m. In float64: float32 FFT round-off (1e-7 of the
        # window's energy) would swamp the correlation with a quiet span.
        r = np.fft.irfft(np.fft.rfft(padded) * np.conj(np.fft.rfft(seg)), _FFT_SIZE)
        np.cumsum(np.square(x, dtype=np.float64), out=self._cumsum[1:])
        m = np.arange(PITCH_MAX_PERIOD - PITCH_MIN_PERIOD + 1)
        lag_energy = self._cumsum[m + WINDOW_SIZE] - self._cumsum[m]
        seg_energy = self._cumsum[-1] - self._cumsum[PITCH_MAX_PERIOD]
        ncorr = self.ncorr
        # A span at least 60 dB quieter than the window (digital silence before an onset)
        # correlates 0 exactly: there round-off would decide, and differ between platforms.
        # The floor keeps near-silent windows near 0; the clip removes what round-off
        # leaves beyond Cauchy-Schwarz.
        ncorr[PITCH_MAX_PERIOD - m] = r[m] / (np.sqrt(lag_energy * seg_energy) + CORRELATION_FLOOR)
        ncorr[PITCH_MAX_PERIOD - m[lag_energy < QUIET_SPAN * seg_energy]] = 0.0
        np.clip(ncorr, -1.0, 1.0, out=ncorr)
        band = ncorr[PITCH_MIN_PERIOD:]
        # Local maxima (periods), best first.
        peak = np.ones(len(band), dtype=bool)
        peak[1:] &= band[1:] >= band[:-1]
        peak[:-1] &= band[:-1] >= band[1:]
        peaks = np.flatnonzero(peak)
        peaks = peaks[np.argsort(-band[peaks], kind="stable")][:NB_CANDIDATES] + PITCH_MIN_PERIOD
        best = remove_doubling(ncorr, int(peaks[0]))
        found = [(best, ncorr[best])]
        if 2 * best <= PITCH_MAX_PERIOD:
            lo, hi = 2 * best - 1, min(PITCH_MAX_PERIOD, 2 * best + 1)
            double = lo + int(np.argmax(ncorr[lo:hi + 1]))
            found.append((double, OCTAVE_THRESHOLD * ncorr[double]))
        for p in peaks:
            ratio = p / best
            if abs(ratio - round(ratio)) > 0.03 * ratio:
                found.append((int(p), ncorr[p]))
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
