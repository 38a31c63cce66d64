"""Oracle targets: the band gains and comb strengths that turn a noisy frame into the clean one.

They are the training labels, and (applied through the ``Denoiser``) the oracle ladder.
``OracleTargets`` keeps the clean signal's history in lockstep with a ``Denoiser`` (the same
``History`` class) and analyses it with the same ``Analysis`` (comb filter with the noisy
side's pitch, spectra, ``BandPool`` energies, coherence) as the denoiser's noisy side, then
reads the noisy analysis of the frame being output from the denoiser: labels and inference
share one analysis path.
"""
import numpy as np

from .comb import COMB_WINDOW_START
from .constants import EPS, FRAME_SIZE, LOOKAHEAD_FRAMES, NB_BANDS, NB_FEATURES, WINDOW_SIZE
from .denoiser import _NEWEST, _NOISY, Analysis, History

COHERENCE_CEILING = 1.03        # the 1.03 of g_att: keeps the ratio finite as q -> 1
VAD_THRESHOLD_DB = -55.0        # clean frame mean-square above this (dBFS) counts as speech


def oracle_gains(clean_energy, noisy_energy, out):
    """``g_b = min(1, sqrt(E_x,b / E_y,b))``; arrays [shape=(34,)]."""
    np.add(clean_energy, EPS, out=out)
    out /= noisy_energy + EPS
    np.sqrt(out, out=out)
    return np.minimum(out, 1.0, out=out)


def oracle_strengths(q_x, q_y, noise_gain, strengths, gain_scale):
    """Comb strengths r_b that give the output the clean tone-to-noise ratio.

    Parameters
    ----------
    q_x, q_y : float [shape=(34,)]  pitch coherence of the clean and the noisy frame
    noise_gain : float  the comb's power gain on white noise, sigma^2 = sum_k c_k^2
    strengths : float32 [shape=(34,)]  out: r_b in [0, 1]
    gain_scale : float32 [shape=(34,)]  out: extra gain g_att where the comb cannot reach
        the clean coherence (r = 1), else 1
    """
    q_x = np.asarray(q_x, np.float64)
    q_y = np.asarray(q_y, np.float64)
    q_hat = q_y / np.sqrt((1.0 - noise_gain) * q_y * q_y + noise_gain)
    a = q_hat * q_hat - q_x * q_x
    b = q_hat * q_y * (1.0 - q_x * q_x)
    c = q_x * q_x - q_y * q_y
    with np.errstate(divide="ignore", invalid="ignore"):   # a -> 0 or alpha -> -1: clipped below
        alpha = (np.sqrt(np.maximum(b * b + a * c, 0.0)) - b) / a
        r = alpha / (1.0 + alpha)
    unreachable = q_hat < q_x
    r = np.where(unreachable, 1.0, r)
    r = np.where(q_x <= q_y, 0.0, r)
    strengths[:] = np.nan_to_num(np.clip(r, 0.0, 1.0))
    att = np.sqrt((COHERENCE_CEILING - q_x * q_x) / (COHERENCE_CEILING - q_hat * q_hat))
    gain_scale[:] = np.where(unreachable & (q_x > q_y), np.minimum(att, 1.0), 1.0)
    return strengths, gain_scale


class OracleTargets:
    """Clean-side state that yields the oracle labels of the frame a ``Denoiser`` outputs.

    Parameters
    ----------
    clean : float [shape=(n,)]  the clean signal at 48 kHz, aligned with the noisy input
    comb : bool  False gives r = 0 and no g_att (the band-gain-only oracle)
    rows : None (streaming, ``step``) or n: workspaces for ``labels`` of n frames at once
    clean_floor : None or float [shape=(34,)]  band energies subtracted from the clean
        ones (at least 0 left) before the gains: a target that also removes the clean
        recording's own stationary background (``bench/gain_shape.py``'s ``oracle-floor``;
        on cached labels, ``percepnet_train.train.floor_gain_targets``)
    """

    def __init__(self, clean, *, comb=True, rows=None, clean_floor=None):
        lead = () if rows is None else (rows,)
        self.clean = np.asarray(clean, np.float32)
        self.comb = comb
        self.clean_floor = None if clean_floor is None else np.asarray(clean_floor, np.float32)
        self._history = History()
        self._last = np.zeros(FRAME_SIZE, np.float32)        # a short last frame, zero-padded
        self._frame = 0
        # The clean side's analysis: rows P (comb output), frame f, and their cross power.
        self._analysis = Analysis(frames=1, lead=lead)
        self.clean_energy = self._analysis.energies[..., _NOISY, :]
        self.clean_coherence = self._analysis.coherence
        self.gains = np.zeros(lead + (NB_BANDS,), np.float32)
        self.strengths = np.zeros(lead + (NB_BANDS,), np.float32)
        self._gain_scale = np.zeros(lead + (NB_BANDS,), np.float32)

    def reset(self):
        self._history.reset()
        self._frame = 0

    def step(self, denoiser):
        """Advance one frame of clean signal; return (gains, strengths, vad) for ``denoiser``'s output frame."""
        chunk = self.clean[self._frame * FRAME_SIZE:(self._frame + 1) * FRAME_SIZE]
        if len(chunk) < FRAME_SIZE:                 # past the end of the clean signal: zeros
            self._last.fill(0.0)
            self._last[:len(chunk)] = chunk
            chunk = self._last
        self._frame += 1
        return self.labels(self._history.push(chunk), denoiser)

    def labels(self, hist, denoiser):
        """(gains, strengths, vad) of the frame whose clean history is ``hist``.

        ``hist`` float32 [shape=(5760,)], or [shape=(n, 5760)] with ``rows=n`` (as
        ``History.push`` leaves it: non-finite samples 0, clamped to +-8); ``denoiser``
        gives that frame's noisy analysis with the same leading shape: ``noisy_energy``,
        ``coherence`` [..., 34], ``period`` (int, or int array [n]) and ``comb_noise_gain``
        (float, or [n, 1]). vad is a float, or float32 [shape=(n,)].
        """
        self._analysis(hist, denoiser.period)
        if self.clean_floor is not None:
            np.subtract(self.clean_energy, self.clean_floor, out=self.clean_energy)
            np.maximum(self.clean_energy, 0.0, out=self.clean_energy)
        oracle_gains(self.clean_energy, denoiser.noisy_energy, self.gains)
        if self.comb:
            oracle_strengths(self.clean_coherence, denoiser.coherence, denoiser.comb_noise_gain,
                             self.strengths, self._gain_scale)
            self.gains *= self._gain_scale
        else:
            self.strengths.fill(0.0)
        window = hist[..., COMB_WINDOW_START:COMB_WINDOW_START + WINDOW_SIZE]
        mean_square = np.mean(np.square(window[..., FRAME_SIZE // 2:FRAME_SIZE * 3 // 2]), axis=-1)
        loud = 10.0 * np.log10(np.float64(mean_square) + 1e-12) > VAD_THRESHOLD_DB
        vad = np.float32(loud) if np.ndim(loud) else (1.0 if loud else 0.0)
        return self.gains, self.strengths, vad


def _sequence_arrays(clean, noisy):
    """Checked float32 copies of a clean/noisy pair, the frame count, and the zeroed output
    arrays of ``training_sequences`` (T = frames - 2 rows)."""
    clean = np.asarray(clean, np.float32)
    noisy = np.asarray(noisy, np.float32)
    if clean.shape != noisy.shape or clean.ndim != 1:
        raise ValueError(f"clean and noisy must be mono and equally long (were {clean.shape}, {noisy.shape})")
    frames = len(noisy) // FRAME_SIZE
    rows = max(frames - LOOKAHEAD_FRAMES, 0)
    out = {"features": np.zeros((rows, NB_FEATURES), np.float32),
           "gains": np.zeros((rows, NB_BANDS), np.float32),
           "strengths": np.zeros((rows, NB_BANDS), np.float32),
           "vad": np.zeros(rows, np.float32)}
    return clean, noisy, frames, out


def training_sequences(clean, noisy):
    """Features and oracle targets of a clean/noisy pair, by the inference code path.

    Parameters
    ----------
    clean, noisy : float [shape=(n,)]  aligned 48 kHz signals

    Returns
    -------
    dict of float32 arrays: ``features`` (T, 70), ``gains`` (T, 34), ``strengths`` (T, 34),
    ``vad`` (T,). Row t holds the features of frame t + 2 and the targets of frame t (the
    frame the denoiser outputs at that step); T = n // 480 - 2.
    """
    from .denoiser import Denoiser

    clean, noisy, frames, out = _sequence_arrays(clean, noisy)
    denoiser = Denoiser(model=None, oracle=OracleTargets(clean), postfilter=False)
    sink = np.zeros(FRAME_SIZE, np.float32)
    for t in range(frames):
        denoiser.process_frame(noisy[t * FRAME_SIZE:(t + 1) * FRAME_SIZE], sink)
        row = t - LOOKAHEAD_FRAMES           # the frame output at step t
        if row >= 0:
            out["features"][row] = denoiser.features
            out["gains"][row] = denoiser.oracle.gains
            out["strengths"][row] = denoiser.strengths
            out["vad"][row] = denoiser.vad
    return out


def training_sequences_batch(clean, noisy, *, chunk=32):
    """``training_sequences`` for a whole signal at once: the same stage functions on stacks
    of frames, 4-5x faster per frame on one core (``bench/sequences_speed.py``).

    Parameters
    ----------
    clean, noisy : float [shape=(n,)]  aligned 48 kHz signals, nominally in [-1, 1]
    chunk : int  frames per NumPy call (the pitch search takes 4 chunks at a time). The
        default keeps each temporary below glibc's 128 KiB mmap threshold: larger ones cost
        page faults on every call, so 64 is slower.

    Returns
    -------
    dict of float32 arrays, as ``training_sequences``: ``features`` (T, 70), ``gains``
    (T, 34), ``strengths`` (T, 34), ``vad`` (T,), T = n // 480 - 2. Equal to the streaming
    ones: bit-identical on the development machine; ``tests/test_sequences_batch.py``
    allows float round-off, should a NumPy/BLAS build sum a stack of rows in another order,
    but no different pitch decision.

    Every frame's history is a row of a strided view of the padded signal (no copies). Pitch
    candidates of all frames come in chunks (``PitchSearch.search_rows``), the Viterbi runs
    over them once (``PitchViterbi.push_rows``, the only per-frame loop), then each chunk of
    frames goes through the comb filter, analysis, band energies, features and oracle
    labels, as ``Denoiser.process_frame`` and ``OracleTargets.step`` do for one frame.
    """
    from types import SimpleNamespace

    from .comb import COMB_BUF_SIZE, COMB_NOISE_GAIN
    from .denoiser import INPUT_LIMIT
    from .features import compute_features
    from .pitch import NB_CANDIDATES, PITCH_BUF_SIZE, PitchSearch, PitchViterbi

    if chunk < 1:
        raise ValueError(f"chunk must be at least 1 frame (was {chunk})")
    clean, noisy, frames, out = _sequence_arrays(clean, noisy)
    rows = len(out["vad"])
    if rows == 0:
        return out

    # Step t's history (what History.push returns after frame t) is row t of a strided view:
    # 5280 zeros, then the signal as the stream sees it (NaN/Inf -> 0, clamped to
    # +-INPUT_LIMIT); the noisy one for the Denoiser's side, the clean one for OracleTargets.
    def histories(signal):
        padded = np.zeros(COMB_BUF_SIZE - FRAME_SIZE + frames * FRAME_SIZE, np.float32)
        body = padded[COMB_BUF_SIZE - FRAME_SIZE:]
        body[:] = signal[:frames * FRAME_SIZE]
        np.nan_to_num(body, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
        np.clip(body, -INPUT_LIMIT, INPUT_LIMIT, out=body)
        return np.lib.stride_tricks.sliding_window_view(padded, COMB_BUF_SIZE)[::FRAME_SIZE]

    noisy_hist, clean_hist = histories(noisy), histories(clean)

    # Pitch candidates of every frame's newest window, then the Viterbi's decisions (row t:
    # frame t - 2, as Denoiser.period after step t).
    candidates = np.zeros((frames, NB_CANDIDATES), np.int64), np.zeros((frames, NB_CANDIDATES), np.float32)
    pitch_chunk = 4 * chunk      # its temporaries are small: more rows amortise its NumPy calls
    search = PitchSearch(rows=min(pitch_chunk, frames))
    for start in range(0, frames, pitch_chunk):
        part = noisy_hist[start:start + pitch_chunk, -PITCH_BUF_SIZE:]
        if len(part) != len(search.ncorr):
            search = PitchSearch(rows=len(part))
        for found, into in zip(search.search_rows(part), candidates):
            into[start:start + len(part)] = found
    period, correlation = PitchViterbi().push_rows(*candidates)
    noise_gain = np.array(COMB_NOISE_GAIN)

    # Steps t = 2 .. frames - 1 output frames 0 .. rows - 1, a chunk at a time.
    work = None
    for start in range(0, rows, chunk):
        steps = slice(start + LOOKAHEAD_FRAMES, min(start + LOOKAHEAD_FRAMES + chunk, frames))
        n = steps.stop - steps.start
        if work is None or work.n != n:
            work = _BatchWork(clean, n)
        analysis = work.analysis
        taps = analysis(noisy_hist[steps], period[steps])
        energies = analysis.energies
        noisy_side = SimpleNamespace(noisy_energy=energies[:, _NOISY], period=period[steps],
                                     coherence=analysis.coherence, comb_noise_gain=noise_gain[taps][:, None])
        rows_out = slice(start, start + n)
        compute_features(energies[:, _NEWEST], analysis.coherence, period[steps], correlation[steps],
                         out["features"][rows_out])
        gains, strengths, vad = work.oracle.labels(clean_hist[steps], noisy_side)
        out["gains"][rows_out] = gains
        out["strengths"][rows_out] = strengths
        out["vad"][rows_out] = vad
    return out


class _BatchWork:
    """Workspaces of ``training_sequences_batch`` for ``n`` frames: the noisy side's
    ``Analysis`` (as in a ``Denoiser``) and an ``OracleTargets``, each with a leading
    dimension n."""

    def __init__(self, clean, n):
        self.n = n
        self.analysis = Analysis(lead=(n,))
        self.oracle = OracleTargets(clean, rows=n)
