"""The streaming denoiser: 480 samples in, 480 samples out, 1440 samples (30 ms) later.

One frame's journey (``process_frame``, step t; frame f = t - 2 is the one output):
1. append the input to the history (NaN/Inf -> 0, clamped to ±INPUT_LIMIT);
2. pitch candidates of the newest frame t; the Viterbi decides the pitch of frame f;
3. comb-filter frame f with it (the future taps read frames t - 1 and t); spectra of frames
   f and t and of the comb output (one rfft call), their band energies (those of frame t
   carry the look-ahead) and the pitch coherence of frame f;
4. features -> gains and strengths of frame f (network, oracle, or unity);
5. postfilter, attenuation floor, comb mix, band gains on bins, synthesis (overlap-add).

Batch (``enhance``) is a loop over the same object.
"""
import numpy as np
from numpy._core.umath import clip      # np.clip's ufunc, without its three Python wrappers

from .bands import BandPool, BandToBins, BinsToBand
from .comb import (COMB_BUF_SIZE, COMB_NOISE_GAIN, COMB_WINDOW_START, EPS_F32, ONE_F32, ZERO_F32,
                   comb_filter, pitch_coherence)
from .constants import (ALGORITHMIC_DELAY, FRAME_SIZE, FREQ_SIZE, NB_BANDS, NB_FEATURES,
                        WINDOW_SIZE)
from .features import compute_features
from .pitch import PITCH_BUF_SIZE, PitchSearch, PitchViterbi
from .postfilter import postfilter, postfilter_workspace
from .stft import WINDOW, Synthesis, rfft_wide, wide_workspace

INPUT_LIMIT = 8.0      # input samples are clamped to ±8 (+18 dBFS): keeps energies finite
# Constants as float32 0-d arrays: a Python float operand costs ~0.6 µs more per ufunc call
# in Pyodide.
_LIMIT, _MINUS_LIMIT = np.array(INPUT_LIMIT, np.float32), np.array(-INPUT_LIMIT, np.float32)
_FRAME_START = COMB_WINDOW_START     # where frame f's window sits in the history
# Rows of the per-frame block and spectrum arrays (one NumPy call serves all rows): the comb
# output P, frame f (Y) and frame t. Frame f's window is followed in the history by frame t's
# (one reshape gives both), and P sits next to Y (one product mixes both). The energy rows
# are the same, then the cross power of Y and P (the last row). Labels analyse the clean
# signal with the first two rows only (no frame t), so _CROSS counts from the end.
_COMB, _NOISY, _NEWEST, _CROSS = 0, 1, 2, -1
assert _FRAME_START + 2 * WINDOW_SIZE == COMB_BUF_SIZE
# The window once per history row that analyse_rows windows (same shapes: no broadcasting,
# which would allocate iterator buffers on every call).
_WINDOWS = np.ascontiguousarray(np.broadcast_to(WINDOW, (2, WINDOW_SIZE)))


class Denoiser:
    """Streaming PercepNet state for one mono 48 kHz stream.

    Parameters
    ----------
    model : "default", None, or an object with ``reset()`` and ``step(features) ->
        (gains [34], strengths [34], vad)``. "default" loads the shipped weights; None
        applies unity gains (the DSP alone: output = input delayed by 1440 samples).
    oracle : optional object with ``reset()`` and ``step(denoiser) -> (gains, strengths,
        vad)`` that reads the current frame's noisy analysis from this object (oracle
        targets, for training labels and the oracle ladder). Takes precedence over model.
    postfilter : bool, apply the envelope postfilter to the gains.
    comb : bool, mix in the comb filter (False: strengths forced to 0).
    attenuation_limit_db : float or None, most noise removed in any band, dB.
    """

    def __init__(self, model="default", *, oracle=None, postfilter=True, comb=True,
                 attenuation_limit_db=None):
        if isinstance(model, str):
            if model != "default":
                raise ValueError(f"model must be 'default', None or a model object (was {model!r})")
            from .model import Model
            model = Model.load()
        self.model = model
        self.oracle = oracle
        self.postfilter = postfilter
        self.comb = comb
        self.enabled = True
        self.gain_floor = 0.0
        self.set_attenuation_limit(attenuation_limit_db)

        self._history = History()
        self._pitch = PitchSearch()
        self._viterbi = PitchViterbi()
        self._synthesis = Synthesis()

        # Windowed blocks [3, 960] (P, frame f, frame t), their spectra [3, 481], the power of
        # each spectrum and the cross power of Y and P [4, 481], pooled into bands [4, 34].
        self._analysis = Analysis()
        self._spectra = self._analysis.spectra
        energies = self._analysis.energies

        # Analysis of the newest frame t and of the output frame f (public, read by oracles;
        # views of the arrays above, updated in place every frame).
        self.newest_energy = energies[_NEWEST]
        self.noisy_spectrum = self._spectra[_NOISY]
        self.noisy_energy = energies[_NOISY]
        self.comb_spectrum = self._spectra[_COMB]
        self.comb_energy = energies[_COMB]
        self.coherence = self._analysis.coherence
        self.comb_noise_gain = COMB_NOISE_GAIN[0]
        self.period = 0
        self.pitch_correlation = 0.0
        self.features = np.zeros(NB_FEATURES, np.float32)
        self.gains = np.ones(NB_BANDS, np.float32)       # applied this frame, after postfilter
        self.strengths = np.zeros(NB_BANDS, np.float32)
        self.vad = 0.0

        self._postfilter_work = postfilter_workspace()
        self._band = np.zeros(NB_BANDS, np.float32)
        # The pooled energies plus EPS [4, 35] (see BandPool), and views of the rows _apply
        # reads (a view made per frame costs ~0.3 µs in Pyodide).
        self._energies_padded = self._analysis.pool.padded
        self._band_eps = np.zeros_like(self._energies_padded)
        self._noisy_eps, self._comb_eps = self._band_eps[_NOISY, :NB_BANDS], self._band_eps[_COMB, :NB_BANDS]
        self._band_pair = np.zeros((2, NB_BANDS), np.float32)            # band weights of P, Y
        self._p_weight, self._y_weight = self._band_pair
        self._bin_pair = np.zeros((2, FREQ_SIZE), np.float32)
        self._bin_pair_complex = np.zeros((2, FREQ_SIZE), np.complex64)
        self._bins = np.zeros(FREQ_SIZE, np.float32)
        self._bins_complex = np.zeros(FREQ_SIZE, np.complex64)
        self._comb_and_noisy = self._spectra[_COMB:_NOISY + 1]             # (P, Y) rows
        self._mix = np.zeros((2, FREQ_SIZE), np.complex64)                # weighted P, Y
        self._mix_p, self._mix_y = self._mix
        self._enhanced = np.zeros(FREQ_SIZE, np.complex64)
        self._z_parts = self._enhanced.view(np.float32).reshape(FREQ_SIZE, 2)    # re, im
        self._z_squares = np.zeros((FREQ_SIZE, 2), np.float32)
        self._z_re2, self._z_im2 = self._z_squares.T
        self._z_power = np.zeros(FREQ_SIZE, np.float32)
        self._pair_to_bins = BandToBins(self._band_pair, self._bin_pair)
        self._pool_z_power = BinsToBand(self._z_power, self._band)
        self._band_to_bins = BandToBins(self._band, self._bins)
        self.reset()      # a model object may come with another stream's recurrent state

    @property
    def delay(self):
        """Algorithmic delay in samples (1440 at 48 kHz)."""
        return ALGORITHMIC_DELAY

    def set_attenuation_limit(self, db):
        """Remove at most ``db`` dB of noise in any band; None or inf removes the limit."""
        if db is None or np.isinf(db):
            self.gain_floor = 0.0
        elif not db >= 0:
            raise ValueError(f"attenuation limit must be >= 0 dB or None (was {db!r})")
        else:
            self.gain_floor = float(10.0 ** (-db / 20.0))

    def reset(self):
        """Forget all history: the next frame is processed as the first of a new stream."""
        self._history.reset()
        self._viterbi.reset()
        self._synthesis.reset()
        for source in (self.model, self.oracle):
            if source is not None:
                source.reset()

    def process_frame(self, inp, out):
        """Denoise one frame in place.

        Parameters
        ----------
        inp : float32 [shape=(480,)]  newest input samples at 48 kHz, nominally in [-1, 1].
            NaN and ±Inf are treated as 0; values beyond ±8 are clamped.
        out : float32 [shape=(480,)]  output; sample n is input sample n - 1440.
        """
        if inp.shape != (FRAME_SIZE,) or out.shape != (FRAME_SIZE,):
            raise ValueError(f"frames must have shape ({FRAME_SIZE},) (was {inp.shape} in, {out.shape} out)")
        if out.dtype != np.float32:
            raise ValueError(f"out must be float32 (was {out.dtype})")
        if inp.dtype.kind != "f":
            raise ValueError(f"inp must be a float array (was {inp.dtype})")

        # 1. History: shift by one frame, append the sanitised input.
        hist = self._history.push(inp)

        # 2. Pitch candidates of the newest frame t; the Viterbi decides frame f = t - 2.
        self.period, self.pitch_correlation = self._viterbi.push(*self._pitch.search(hist[-PITCH_BUF_SIZE:]))

        # 3. Frame f comb-filtered with that period (future taps read frames t - 1 and t);
        #    spectra of frames f, t and of the comb output; band energies, coherence q_y.
        self.comb_noise_gain = COMB_NOISE_GAIN[self._analysis(hist, self.period)]
        compute_features(self.newest_energy, self.coherence, self.period, self.pitch_correlation,
                         self.features)

        # 4. Gains and strengths of frame f.
        if self.oracle is not None:
            gains, strengths, self.vad = self.oracle.step(self)
        elif self.model is not None:
            gains, strengths, self.vad = self.model.step(self.features)
        else:
            gains, strengths, self.vad = 1.0, 0.0, float("nan")
        self.gains[:] = gains
        self.strengths[:] = strengths if self.comb else 0.0
        if not self.enabled:
            self.gains.fill(1.0)
            self.strengths.fill(0.0)
        elif self.postfilter:
            postfilter(self.gains, self.noisy_energy, self.gains, self._postfilter_work)
        np.maximum(self.gains, self.gain_floor, out=self.gains)

        # 5. Apply and synthesise.
        self._apply(self.gains, self.strengths)
        self._synthesis.push(self._enhanced, out)

    def _apply(self, gains, strengths):
        """``Z = (1 - r) Y + r sqrt(E_Y / E_P) P``, then ``X = g sqrt(E_Y / E_Z) Z`` on bins.

        Band -> bin interpolation and the band energy of Z are dense products with blocks of
        the (34, 481) triangles (``BandToBins``, ``BinsToBand``: in Pyodide these beat a
        sparse gather, which costs ~8 ns per element there). Bin weights are copied into
        complex buffers before they multiply a spectrum: the cast NumPy would do inside a
        mixed float/complex product, without the buffers it would allocate for it.
        """
        band, noisy_eps, z = self._band, self._noisy_eps, self._enhanced
        np.add(self._energies_padded, EPS_F32, out=self._band_eps)
        # Band weights of the comb branch P (energy-matched to the noisy band) and of Y:
        # (r sqrt(E_Y / E_P), 1 - r); both on bins (each bin's triangle weights sum to 1, so
        # 1 - r interpolates to 1 minus r's interpolation), then mixed in one product.
        p_weight = self._p_weight
        np.divide(noisy_eps, self._comb_eps, out=p_weight)
        np.sqrt(p_weight, out=p_weight)
        np.multiply(p_weight, strengths, out=p_weight)
        np.subtract(ONE_F32, strengths, out=self._y_weight)
        self._pair_to_bins()
        np.copyto(self._bin_pair_complex, self._bin_pair)
        np.multiply(self._comb_and_noisy, self._bin_pair_complex, out=self._mix)
        np.add(self._mix_y, self._mix_p, out=z)
        # Restore the noisy band energy, then apply the gains.
        np.multiply(self._z_parts, self._z_parts, out=self._z_squares)
        np.add(self._z_re2, self._z_im2, out=self._z_power)
        self._pool_z_power()                             # E_Z
        np.add(band, EPS_F32, out=band)
        np.divide(noisy_eps, band, out=band)
        np.sqrt(band, out=band)
        np.multiply(band, gains, out=band)
        self._band_to_bins()
        np.copyto(self._bins_complex, self._bins)
        np.multiply(z, self._bins_complex, out=z)


class History:
    """The last 5760 samples of one stream (``COMB_BUF_SIZE``: the comb's reach into the past,
    frame f's window, the look-ahead), newest last; inputs sanitised on the way in. The noisy
    stream's for the ``Denoiser``, the clean one's for ``OracleTargets``."""

    def __init__(self):
        self._buffer = np.zeros(COMB_BUF_SIZE, np.float32)
        self._next = np.zeros(COMB_BUF_SIZE, np.float32)       # swapped each frame
        self._finite = np.zeros(FRAME_SIZE, bool)

    def reset(self):
        self._buffer.fill(0.0)
        self._next.fill(0.0)

    def push(self, inp):
        """Shift by one frame and append ``inp`` [480] (NaN/Inf -> 0, clamped to
        ±INPUT_LIMIT); returns the history [5760]. Zeroing the non-finite samples (a masked
        copy, ~10 µs in Pyodide) runs only for frames that hold a NaN or Inf."""
        hist, nxt, finite = self._buffer, self._next, self._finite
        nxt[:-FRAME_SIZE] = hist[FRAME_SIZE:]
        newest = nxt[-FRAME_SIZE:]
        newest[:] = inp
        if not np.logical_and.reduce(np.isfinite(newest, out=finite)):
            np.logical_not(finite, out=finite)
            np.copyto(newest, ZERO_F32, where=finite)
        clip(newest, _MINUS_LIMIT, _LIMIT, out=newest)
        self._buffer, self._next = nxt, hist
        return nxt


class Analysis:
    """Step 3 of a frame, for one history: comb-filter frame f with the decided period, the
    spectra of P, frame f and (``frames=2``) frame t, their band energies and the cross power
    of Y and P (``energies``, rows ``_COMB, _NOISY[, _NEWEST], _CROSS``), and the pitch
    coherence of frame f. The ``Denoiser`` runs one on the noisy history; ``OracleTargets``
    runs one (``frames=1``) on the clean history with the noisy side's period, so labels and
    inference share this code.

    ``lead`` a leading shape for stacks of frames (``training_sequences_batch``): the
    arrays get it in front, and the FFT runs as a plain ``np.fft.rfft`` call. A single frame
    (``lead=()``) allocates nothing (see ``rfft_wide``, ``comb_filter``'s scratch).
    """

    def __init__(self, frames=2, lead=()):
        rows = 1 + frames
        self.blocks = np.zeros(lead + (rows, WINDOW_SIZE), np.float32)
        self.spectra = np.zeros(lead + (rows, FREQ_SIZE), np.complex64)
        self.parts = self.spectra.view(np.float32).reshape(lead + (rows, FREQ_SIZE, 2))   # re, im
        self.products = np.zeros(lead + (rows + 1, FREQ_SIZE, 2), np.float32)
        self.power = np.zeros(lead + (rows + 1, FREQ_SIZE), np.float32)
        self.pool = BandPool(lead + (rows + 1,))
        self.energies = self.pool.out
        self.coherence = np.zeros(lead + (NB_BANDS,), np.float32)
        single = lead == ()
        self._scratch = np.zeros(WINDOW_SIZE, np.float32) if single else None
        self._wide = wide_workspace((rows,)) if single else None

    def __call__(self, hist, period):
        """Analyse the history ``hist`` [shape=(*lead, 5760)] with pitch period ``period`` (int,
        or int [shape=lead]); returns the comb's taps each side, K (int, or int array)."""
        taps = comb_filter(hist, period, self.blocks[..., _COMB, :], self._scratch)
        analyse_rows(hist, self.blocks, self.spectra, self._wide)
        energies = band_energies(self.parts, self.products, self.power, self.pool)
        pitch_coherence(energies[..., _CROSS, :], energies[..., _NOISY, :], energies[..., _COMB, :],
                        self.coherence)
        return taps


def analyse_rows(hist, blocks, spectra, wide=None):
    """Window frame f (and frame t) from the history and the comb output (already in
    ``blocks[..., 0, :]``); one rfft call for all rows.

    ``hist`` float32 [shape=(..., 5760)], ``blocks`` float32 [shape=(..., rows, 960)], ``spectra``
    complex64 [shape=(..., rows, 481)] (out); rows: comb output, frame f[, frame t]. ``wide``:
    ``rfft_wide``'s workspaces (then nothing is allocated).
    """
    frames = blocks.shape[-2] - 1
    np.multiply(hist[..., _FRAME_START:_FRAME_START + frames * WINDOW_SIZE]
                .reshape(hist.shape[:-1] + (frames, WINDOW_SIZE)),
                _WINDOWS[:frames], out=blocks[..., _NOISY:, :])
    blocks[..., _COMB, :] *= WINDOW
    rfft_wide(blocks, spectra, wide)


def band_energies(parts, products, power, pool):
    """Band energies of the spectra and ``C_b = sum_k w_b(k) Re(Y(k) P*(k))``.

    ``parts`` float32 [shape=(..., rows, 481, 2)] (re, im of the ``analyse_rows`` spectra),
    workspaces ``products`` [shape=(..., rows + 1, 481, 2)] and ``power`` [shape=(..., rows + 1,
    481)], ``pool`` a ``BandPool((..., rows + 1))``; returns ``pool.out`` [shape=(..., rows + 1,
    34)]: rows E(comb), E(frame f)[, E(frame t)], C(frame f, comb).
    """
    rows = parts.shape[-3]
    np.multiply(parts, parts, out=products[..., :rows, :, :])
    np.multiply(parts[..., _NOISY, :, :], parts[..., _COMB, :, :], out=products[..., rows, :, :])
    np.add(products[..., 0], products[..., 1], out=power)
    return pool(power)


def enhance(x, denoiser=None, *, vad=None):
    """Denoise a whole 48 kHz mono signal by streaming it through ``process_frame``.

    Pads the end with 1440 + (up to 479) zeros, then drops the first 1440 output samples,
    so the result is aligned with and as long as the input.

    Parameters
    ----------
    x : float [shape=(n,)]  samples at 48 kHz
    denoiser : Denoiser, optional (default: a new one with the shipped model)
    vad : float32 [shape=(ceil(n / 480),)], optional
        filled with each input frame's speech probability (row k: samples 480 k .. 480 k + 479;
        the network reports frame i - 3 at step i, undone here like the 1440-sample trim;
        NaN without a model)

    Returns
    -------
    float32 [shape=(n,)]
    """
    x = np.asarray(x)
    if x.ndim != 1:
        raise ValueError(f"enhance takes a mono signal of shape (n,) (was {x.shape})")
    if not np.issubdtype(x.dtype, np.floating):   # int PCM would be clamped to +-8, silently
        raise ValueError(f"enhance takes float samples in [-1, 1] (was {x.dtype})")
    if denoiser is None:
        denoiser = Denoiser()
    n = len(x)
    frames = -(-(n + ALGORITHMIC_DELAY) // FRAME_SIZE)
    padded = np.zeros(frames * FRAME_SIZE, np.float32)
    padded[:n] = x
    y = np.empty_like(padded)
    lag = ALGORITHMIC_DELAY // FRAME_SIZE
    if vad is not None and vad.shape != (frames - lag,):
        raise ValueError(f"vad must have shape ({frames - lag},) for {n} samples (was {vad.shape})")
    for i in range(frames):
        denoiser.process_frame(padded[i * FRAME_SIZE:(i + 1) * FRAME_SIZE],
                               y[i * FRAME_SIZE:(i + 1) * FRAME_SIZE])
        if vad is not None and i >= lag:
            vad[i - lag] = denoiser.vad
    return y[ALGORITHMIC_DELAY:ALGORITHMIC_DELAY + n]
