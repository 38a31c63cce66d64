"""Pitch: period search with octave checks, and a streaming Viterbi over frames.

``PitchSearch`` correlates the newest 960 samples with their past at every period from 60
to 768 samples in one go (by FFT, so no decimated coarse pass is needed: the full-rate
search costs three FFTs of 2048 points), normalises by the energies, takes the best peak,
and ``remove_doubling`` replaces it by a sub-multiple whose correlation is nearly as good
(the classic octave error). ``PitchViterbi`` then picks a smooth trajectory through a few
candidates per frame with a fixed decision delay of ``LOOKAHEAD_FRAMES`` frames.
"""
import numpy as np
from numpy._core.umath import clip      # np.clip's ufunc, without its three Python wrappers

from .constants import LOOKAHEAD_FRAMES, PITCH_MAX_PERIOD, PITCH_MIN_PERIOD, WINDOW_SIZE
from .stft import irfft, rfft

PITCH_BUF_SIZE = PITCH_MAX_PERIOD + WINDOW_SIZE   # 1728 samples: window plus its longest lag
NB_CANDIDATES = 4                                 # periods handed to the Viterbi per frame
OCTAVE_THRESHOLD = 0.9                            # sub-multiple kept if corr >= 0.9 x best
VITERBI_JUMP_COST = 0.5                           # cost of one octave of period change
CORRELATION_FLOOR = 1e-7                          # energy product floor: RMS 1e-5 (-100 dBFS)
QUIET_SPAN = 1e-6                                 # a lag span 60 dB below the window: silent

_FFT_SIZE = PITCH_BUF_SIZE                        # 1728 = 2^6 3^3: lags 0..768 of the 960-sample window never wrap
_NB_PERIODS = PITCH_MAX_PERIOD + 1                # ncorr is indexed by period, 0..768
_NB_LAGS = PITCH_MAX_PERIOD - PITCH_MIN_PERIOD + 1  # 709 periods searched
_IRFFT_SCALE = np.reciprocal(_FFT_SIZE, dtype=np.float64)
# 0-d operands: cheaper than Python floats in Pyodide.
_ONE, _MINUS_ONE, _CORRELATION_FLOOR = np.array(1.0), np.array(-1.0), np.array(CORRELATION_FLOOR)
_LARGEST_K = PITCH_MAX_PERIOD // PITCH_MIN_PERIOD   # 12: the octave check's largest k (768 / 12 = 64)
# log2 of every period, by period (0 unused); the Viterbi's octave distances.
_LOG2_PERIOD = [0.0] + np.log2(np.arange(1, _NB_PERIODS, dtype=np.float64)).tolist()


def _submultiple_table():
    """The periods ``remove_doubling`` compares, int [shape=(769, 11, 3)]: for period p, row
    j (k = 12 - j, so the largest k comes first) holds ``round(p / k)`` ±1 within 60..768
    (the last one repeated where fewer than three are left: the first maximum stays the
    same), or ``_NB_PERIODS``, a padding slot of -inf, where k > p // 60."""
    period = np.arange(_NB_PERIODS)[:, None, None]
    k = np.arange(_LARGEST_K, 1, -1)[None, :, None]
    centre = np.rint(period / k).astype(np.intp)      # rint: half to even, as round()
    lo = np.maximum(PITCH_MIN_PERIOD, centre - 1)
    table = np.minimum(lo + np.arange(3), np.minimum(PITCH_MAX_PERIOD, centre + 1))
    return np.where(k <= period // PITCH_MIN_PERIOD, table, _NB_PERIODS)


_SUBMULTIPLES = _submultiple_table()


def remove_doubling(ncorr, period, work):
    """Smallest sub-multiple ``period / k`` (±1 sample, k >= 2) whose correlation is at
    least ``OCTAVE_THRESHOLD`` times that of ``period`` (the best of the three, the first of
    equal ones), else ``period``: the classic octave check, run for k = 2, 3, .. in turn.

    ``ncorr`` float [shape=(770,)]: the correlation by period, then -inf (``PitchSearch``'s
    padded ``ncorr``); ``period`` an int; ``work`` float [shape=(11, 3)], bool [shape=(11,)]
    and float [shape=(11,)] workspaces. All k in five NumPy calls, with ``_SUBMULTIPLES``.
    """
    if period < 2 * PITCH_MIN_PERIOD:
        return period
    values, passed, best = work
    ncorr.take(_SUBMULTIPLES[period], out=values, mode="clip")     # valid indices; "raise" buffers out
    np.maximum.reduce(values, axis=1, out=best)
    np.greater_equal(best, OCTAVE_THRESHOLD * ncorr[period], out=passed)
    j = int(passed.argmax())                    # the largest k that passes
    if not passed[j]:
        return period
    return int(_SUBMULTIPLES[period, j, values[j].argmax()])


def _remove_doubling_rows(ncorr, period):
    """``remove_doubling`` of n rows: ``ncorr`` [shape=(n, 770)], ``period`` int [shape=(n,)]."""
    rows = np.arange(len(period))
    values = ncorr[rows[:, None, None], _SUBMULTIPLES[period]]
    passed = values.max(axis=2) >= OCTAVE_THRESHOLD * ncorr[rows, period][:, None]
    j = passed.argmax(axis=1)
    t = _SUBMULTIPLES[period, j, values[rows, j].argmax(axis=1)]
    return np.where(passed[rows, j], t, period)


def _argmax3(ncorr, centre):
    """The period in ``centre`` ±1 (within 60..768) with the highest correlation; the first
    of equal ones, as ``np.argmax``. ``ncorr`` [769] and an int, or [n, 769] and int [n]."""
    if isinstance(centre, np.ndarray):
        rows = np.arange(len(centre))
        lo, hi = np.maximum(PITCH_MIN_PERIOD, centre - 1), np.minimum(PITCH_MAX_PERIOD, centre + 1)
        best = lo.copy()
        value = ncorr[rows, best]
        for step in (1, 2):
            t = np.minimum(lo + step, hi)
            v = ncorr[rows, t]
            better = v > value                  # strictly: the first of equal ones stays
            np.copyto(best, t, where=better)
            np.copyto(value, v, where=better)
        return best
    lo, hi = max(PITCH_MIN_PERIOD, centre - 1), min(PITCH_MAX_PERIOD, centre + 1)
    return max(range(lo, hi + 1), key=ncorr.__getitem__)


class PitchSearch:
    """Per-frame period candidates; holds the preallocated workspace.

    ``rows`` None (streaming: one frame per ``search``) or n: ``correlate`` and
    ``search_rows`` then take n frames at once, with the same arithmetic row by row.
    """

    def __init__(self, rows=None):
        lead = () if rows is None else (rows,)
        # Row 0: the whole buffer, row 1: its newest window zero-padded to 1728; both
        # transformed by one rfft call (NumPy calls, not flops, are the cost in Pyodide).
        self._frames = np.zeros(lead + (2, _FFT_SIZE), np.float64)
        self._spectra = np.zeros(lead + (2, _FFT_SIZE // 2 + 1), np.complex128)
        self._r = np.zeros(lead + (_FFT_SIZE,), np.float64)
        self._square = np.zeros(lead + (PITCH_BUF_SIZE,), np.float64)
        self._cumsum = np.zeros(lead + (PITCH_BUF_SIZE + 1,), np.float64)
        self._seg_energy = np.zeros(lead + (1,), np.float64)
        self._lag_energy = np.zeros(lead + (_NB_LAGS,), np.float64)    # by lag m = 768 - period
        self._denominator = np.zeros(lead + (_NB_LAGS,), np.float64)
        self._quiet = np.zeros(lead + (_NB_LAGS,), bool)
        self._neighbour = np.zeros(lead + (_NB_LAGS,), np.float64)    # by period: the higher neighbour
        self._peak = np.zeros(lead + (_NB_LAGS,), bool)
        self._masked = np.zeros(lead + (_NB_LAGS,), np.float64)       # peak values, else -inf
        # Normalised correlation by period [..., 769], in a buffer with one more slot, -inf
        # (where _SUBMULTIPLES points for the k that a period does not allow).
        self._ncorr_padded = np.zeros(lead + (_NB_PERIODS + 1,), np.float64)
        self._ncorr_padded[..., _NB_PERIODS] = -np.inf
        self.ncorr = self._ncorr_padded[..., :_NB_PERIODS]
        self._octave_work = (np.zeros((_LARGEST_K - 1, 3)), np.zeros(_LARGEST_K - 1, bool),
                             np.zeros(_LARGEST_K - 1))
        self.periods = np.zeros(lead + (NB_CANDIDATES,), np.int64)
        self.correlations = np.zeros(lead + (NB_CANDIDATES,), np.float32)

    def correlate(self, x):
        """Normalised correlation ``ncorr`` [shape=(..., 769)] (by period) of the newest window
        of ``x`` float32 [shape=(..., 1728)] with its past, and the local-maximum mask of
        ``ncorr[..., 60:]`` (``_peak``)."""
        frames, spectra = self._frames, self._spectra
        whole = frames[..., 0, :PITCH_BUF_SIZE]
        whole[...] = x
        frames[..., 1, :WINDOW_SIZE] = whole[..., PITCH_MAX_PERIOD:]
        # r[m] = sum_n seg[n] x[n + m]: the window against the span that starts m samples
        # in, i.e. at period T = 768 - m. In float64: float32 FFT round-off (1e-7 of the
        # window's energy) would swamp the correlation with a quiet span.
        rfft(frames, spectra)
        newest = spectra[..., 1, :]
        np.conjugate(newest, out=newest)
        np.multiply(spectra[..., 0, :], newest, out=spectra[..., 0, :])
        r = irfft(spectra[..., 0, :], _IRFFT_SCALE, self._r)
        np.square(whole, out=self._square)
        cumsum = self._cumsum
        np.add.accumulate(self._square, axis=-1, out=cumsum[..., 1:])
        lag_energy = np.subtract(cumsum[..., WINDOW_SIZE:WINDOW_SIZE + _NB_LAGS], cumsum[..., :_NB_LAGS],
                                 out=self._lag_energy)
        seg_energy = np.subtract(cumsum[..., -1:], cumsum[..., PITCH_MAX_PERIOD:PITCH_MAX_PERIOD + 1],
                                 out=self._seg_energy)
        ncorr = self.ncorr
        by_lag = ncorr[..., PITCH_MAX_PERIOD:PITCH_MIN_PERIOD - 1:-1]    # by_lag[m] = ncorr[768 - m]
        # A span at least 60 dB quieter than the window (digital silence before an onset)
        # correlates 0 exactly: there round-off would decide, and differ between platforms.
        # The floor keeps near-silent windows near 0; the clip to [-1, 1] removes what
        # round-off leaves beyond Cauchy-Schwarz.
        den = np.multiply(lag_energy, seg_energy, out=self._denominator)
        np.sqrt(den, out=den)
        den += _CORRELATION_FLOOR
        np.divide(r[..., :_NB_LAGS], den, out=by_lag)
        by_lag[np.less(lag_energy, QUIET_SPAN * seg_energy, out=self._quiet)] = 0.0
        clip(ncorr, _MINUS_ONE, _ONE, out=ncorr)
        # Local maxima: at least as high as the higher neighbour (an end has one neighbour).
        band, neighbour = ncorr[..., PITCH_MIN_PERIOD:], self._neighbour
        np.maximum(band[..., :-2], band[..., 2:], out=neighbour[..., 1:-1])
        neighbour[..., 0], neighbour[..., -1] = band[..., 1], band[..., -2]
        return np.greater_equal(band, neighbour, out=self._peak)

    def search(self, x):
        """Candidate periods of the newest window of ``x`` float32 [shape=(1728,)], oldest first.

        Candidate 0 is the best period after the octave check; candidate 1 its double (if
        in range), scored as the octave check would grant it, so the Viterbi can undo a
        one-frame octave drop but never prefers a multiple; then the next correlation peaks
        that are not multiples of the best. Returns (periods, correlations) [shape=(4,)].
        """
        peak = self.correlate(x)
        # The best peaks, best first (ties: the shorter period first, as a stable sort would
        # order them): four first-maximum passes over the peak values (-inf elsewhere), in a
        # workspace, so nothing is allocated.
        masked = self._masked
        masked.fill(-np.inf)
        np.copyto(masked, self.ncorr[PITCH_MIN_PERIOD:], where=peak)
        peaks = []
        for _ in range(NB_CANDIDATES):
            best = int(masked.argmax())
            if masked[best] == -np.inf:
                break
            masked[best] = -np.inf
            peaks.append(best + PITCH_MIN_PERIOD)
        best = remove_doubling(self._ncorr_padded, peaks[0], self._octave_work)
        _candidates(self.ncorr, best, peaks, self.periods, self.correlations)
        return self.periods, self.correlations

    def search_rows(self, x):
        """``search`` for n frames at once (``rows=n``): ``x`` float32 [shape=(n, 1728)] ->
        (periods int64, correlations float32) [shape=(n, 4)], equal to ``search`` row by row.

        The best peaks come from four first-maximum passes (the stable order of ``search``);
        the octave check and the candidate list are ``_candidates`` over the rows.
        """
        peak = self.correlate(x)
        band = self.ncorr[:, PITCH_MIN_PERIOD:]
        rows = np.arange(len(band))
        masked = self._denominator                        # workspace: peak values, else -inf
        masked.fill(-np.inf)
        np.copyto(masked, band, where=peak)
        best = np.zeros((len(band), NB_CANDIDATES), np.int64)
        found = np.zeros((len(band), NB_CANDIDATES), bool)     # rows may have fewer peaks
        for j in range(NB_CANDIDATES):
            best[:, j] = np.argmax(masked, axis=-1)      # first maximum: the shorter period
            found[:, j] = masked[rows, best[:, j]] > -np.inf
            masked[rows, best[:, j]] = -np.inf
        best += PITCH_MIN_PERIOD
        _candidates_rows(self.ncorr, _remove_doubling_rows(self._ncorr_padded, best[:, 0]), best, found,
                         self.periods, self.correlations)
        return self.periods, self.correlations


def _candidates(nc, best, peaks, periods, correlations):
    """The Viterbi's candidates of one frame from its correlation ``nc`` [769], its best
    period after the octave check, ``best``, and its best peaks (a list of periods, best
    first): written to ``periods``, ``correlations`` [4]; padded with ``best``."""
    chosen, scores = [best], [nc[best]]
    if 2 * best <= PITCH_MAX_PERIOD:
        double = _argmax3(nc, 2 * best)
        chosen.append(double)
        scores.append(OCTAVE_THRESHOLD * nc[double])
    for p in peaks:
        ratio = p / best
        if abs(ratio - round(ratio)) > 0.03 * ratio:
            chosen.append(p)
            scores.append(nc[p])
    missing = NB_CANDIDATES - len(chosen)          # ([x] * a negative count is [])
    periods[:] = chosen[:NB_CANDIDATES] + [best] * missing
    correlations[:] = scores[:NB_CANDIDATES] + scores[:1] * missing


def _candidates_rows(nc, best, peaks, found, periods, correlations):
    """``_candidates`` of n frames: ``nc`` [n, 769], ``best`` int [n], ``peaks`` int [n, 4]
    with ``found`` bool [n, 4] (which peaks exist), ``periods``/``correlations`` [n, 4]. The
    one-frame list is built as 2 + 4 slots (best, its double, the peaks) with a mask of those
    it keeps; the first 4 kept, padded with best."""
    rows = np.arange(len(nc))[:, None]
    double = _argmax3(nc, np.minimum(2 * best, PITCH_MAX_PERIOD))
    ratio = peaks / best[:, None]
    slots = np.concatenate([best[:, None], double[:, None], peaks], axis=1)
    values = nc[rows, slots]
    values[:, 1] *= OCTAVE_THRESHOLD
    keep = np.concatenate([np.ones_like(found[:, :1]), (2 * best <= PITCH_MAX_PERIOD)[:, None],
                           found & (np.abs(ratio - np.rint(ratio)) > 0.03 * ratio)], axis=1)
    order = np.argsort(~keep, axis=1, kind="stable")[:, :NB_CANDIDATES]
    padded = np.arange(NB_CANDIDATES) >= keep.sum(axis=1, keepdims=True)
    order[padded] = 0
    periods[:] = slots[rows, order]
    correlations[:] = values[rows, order]


class PitchViterbi:
    """Streaming Viterbi over per-frame candidates with a fixed decision delay.

    The score of a path is the sum of its correlations minus ``VITERBI_JUMP_COST`` per octave of
    period change between frames. ``push`` takes frame t's candidates and returns the decision
    for frame t - ``LOOKAHEAD_FRAMES``, backtracked from the best path ending at frame t.
    Plain Python over 4 x 4 transitions: cheaper than a dozen NumPy calls on 4-element arrays,
    and the same float64 arithmetic.
    """

    def __init__(self):
        depth = LOOKAHEAD_FRAMES + 1
        self._log_periods = [[0.0] * NB_CANDIDATES for _ in range(depth)]
        self._periods = [[PITCH_MAX_PERIOD] * NB_CANDIDATES for _ in range(depth)]
        self._corrs = [[0.0] * NB_CANDIDATES for _ in range(depth)]
        self._back = [[0] * NB_CANDIDATES for _ in range(depth)]
        self._score = [0.0] * NB_CANDIDATES
        self._newest = 0

    def reset(self):
        self.__init__()

    def push(self, periods, correlations):
        """Add frame t's candidates (int [4], float32 [4]); return (period, correlation)
        decided for frame t - 2."""
        return self._advance(periods.tolist(), correlations.tolist())

    def push_rows(self, periods, correlations):
        """``push`` for n frames in a row: candidates int [shape=(n, 4)], float32 [shape=(n, 4)]
        -> decided periods int64 [shape=(n,)] and correlations float32 [shape=(n,)] (row i is
        the decision for frame i - 2, as ``push`` returns it)."""
        if not len(periods):
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        advance = self._advance
        decided = [advance(p, c) for p, c in zip(periods.tolist(), correlations.tolist())]
        period, correlation = zip(*decided)
        return np.array(period, np.int64), np.array(correlation, np.float32)

    def _advance(self, periods, correlations):
        """One Viterbi step from frame t's candidates and their correlations (lists, the
        correlations float32 values); returns the decision for frame t - 2."""
        depth = LOOKAHEAD_FRAMES + 1
        cur = (self._newest + 1) % depth
        log_p = [_LOG2_PERIOD[p] for p in periods]
        log_prev = self._log_periods[self._newest]
        score, back = self._score, self._back[cur]
        new_score = [0.0] * NB_CANDIDATES
        for i, a in enumerate(log_p):
            # Paths from each candidate j of frame t - 1, less the cost of the jump to i.
            total = [s - VITERBI_JUMP_COST * abs(a - b) for s, b in zip(score, log_prev)]
            best = max(total)
            back[i] = total.index(best)        # the first best, as argmax
            new_score[i] = best + correlations[i]
        top = max(new_score)
        self._score = score = [s - top for s in new_score]
        self._log_periods[cur] = log_p
        self._periods[cur] = periods
        self._corrs[cur] = correlations
        self._newest = cur
        state, frame = score.index(max(score)), cur
        for _ in range(LOOKAHEAD_FRAMES):
            state = self._back[frame][state]
            frame = (frame - 1) % depth
        return self._periods[frame][state], self._corrs[frame][state]
