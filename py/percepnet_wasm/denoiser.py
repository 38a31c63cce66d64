"""The streaming denoiser: 480 samples in, 480 samples out, 1440 samples (30 ms) later.

One frame's journey (``process_frame``, step t; frame f = t - 2 is the one output):
1. append the input to the history (NaN/Inf -> 0, clamped to ±INPUT_LIMIT);
2. band energies of the newest window (frame t), pitch candidates of frame t;
3. the Viterbi decides the pitch of frame f; comb-filter frame f with it (the future taps
   read frames t - 1 and t), band energies and pitch coherence of frame f;
4. features -> gains and strengths of frame f (network, oracle, or unity);
5. postfilter, attenuation floor, comb mix, band gains on bins, synthesis (overlap-add).

Batch (``enhance``) is a loop over the same object.
"""
import numpy as np

from .bands import band_correlation, band_energy, interp_band_gain
from .comb import COMB_BUF_SIZE, COMB_NOISE_GAIN, COMB_WINDOW_START, comb_filter, pitch_coherence
from .constants import (ALGORITHMIC_DELAY, FRAME_SIZE, FREQ_SIZE, NB_BANDS, NB_FEATURES,
                        WINDOW_SIZE)
from .features import compute_features
from .pitch import PITCH_BUF_SIZE, PitchSearch, PitchViterbi
from .postfilter import postfilter
from .stft import Synthesis, analysis

INPUT_LIMIT = 8.0      # input samples are clamped to ±8 (+18 dBFS): keeps energies finite
_EPS = 1e-20
_FRAME_START = COMB_WINDOW_START     # where frame f's window sits in the history


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

        self._history = np.zeros(COMB_BUF_SIZE, np.float32)      # newest sample last
        self._history_next = np.zeros(COMB_BUF_SIZE, np.float32)  # swapped each frame
        self._scratch = np.zeros(WINDOW_SIZE, np.float32)
        self._comb_out = np.zeros(WINDOW_SIZE, np.float32)
        self._pitch = PitchSearch()
        self._viterbi = PitchViterbi()
        self._synthesis = Synthesis()

        # Analysis of the newest frame t and of the output frame f (public, read by oracles).
        self.newest_energy = np.zeros(NB_BANDS, np.float32)
        self.noisy_spectrum = np.zeros(FREQ_SIZE, np.complex64)
        self.noisy_energy = np.zeros(NB_BANDS, np.float32)
        self.comb_spectrum = np.zeros(FREQ_SIZE, np.complex64)
        self.comb_energy = np.zeros(NB_BANDS, np.float32)
        self.coherence = np.zeros(NB_BANDS, np.float32)
        self.comb_noise_gain = COMB_NOISE_GAIN[0]
        self.period = 0
        self.pitch_correlation = 0.0
        self.features = np.zeros(NB_FEATURES, np.float32)
        self.gains = np.ones(NB_BANDS, np.float32)       # applied this frame, after postfilter
        self.strengths = np.zeros(NB_BANDS, np.float32)
        self.vad = 0.0

        self._band = np.zeros(NB_BANDS, np.float32)
        self._bins = np.zeros(FREQ_SIZE, np.float32)
        self._mix = np.zeros(FREQ_SIZE, np.float32)
        self._enhanced = np.zeros(FREQ_SIZE, np.complex64)
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
        for buf in (self._history, self._history_next):
            buf.fill(0.0)
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
        if not np.issubdtype(inp.dtype, np.floating):
            raise ValueError(f"inp must be a float array (was {inp.dtype})")

        # 1. History: shift by one frame, append the sanitised input.
        hist, nxt = self._history, self._history_next
        nxt[:-FRAME_SIZE] = hist[FRAME_SIZE:]
        newest = nxt[-FRAME_SIZE:]
        newest[:] = inp
        np.nan_to_num(newest, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
        np.clip(newest, -INPUT_LIMIT, INPUT_LIMIT, out=newest)
        self._history, self._history_next = nxt, hist
        hist = nxt

        # 2. Newest frame t: energies and pitch candidates.
        band_energy(analysis(hist[-WINDOW_SIZE:], self._scratch), self.newest_energy)
        periods, correlations = self._pitch.search(hist[-PITCH_BUF_SIZE:])

        # 3. Output frame f = t - 2: pitch decision, spectrum, comb filter, coherence.
        self.period, self.pitch_correlation = self._viterbi.push(periods, correlations)
        self.noisy_spectrum[:] = analysis(hist[_FRAME_START:_FRAME_START + WINDOW_SIZE], self._scratch)
        band_energy(self.noisy_spectrum, self.noisy_energy)
        taps = comb_filter(hist, self.period, self._comb_out)
        self.comb_noise_gain = COMB_NOISE_GAIN[taps]
        self.comb_spectrum[:] = analysis(self._comb_out, self._scratch)
        band_energy(self.comb_spectrum, self.comb_energy)
        band_correlation(self.noisy_spectrum, self.comb_spectrum, self._band)
        pitch_coherence(self._band, self.noisy_energy, self.comb_energy, self.coherence)
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
            postfilter(self.gains, self.noisy_energy, self.gains)
        np.maximum(self.gains, self.gain_floor, out=self.gains)

        # 5. Apply and synthesise.
        self._apply(self.gains, self.strengths)
        self._synthesis.push(self._enhanced, out)

    def _apply(self, gains, strengths):
        """``Z = (1 - r) Y + r sqrt(E_Y / E_P) P``, then ``X = g sqrt(E_Y / E_Z) Z`` on bins."""
        band, bins, mix, z = self._band, self._bins, self._mix, self._enhanced
        # Comb branch, energy-matched to the noisy band: r sqrt(E_Y / E_P), on bins.
        np.add(self.noisy_energy, _EPS, out=band)
        band /= self.comb_energy + _EPS
        np.sqrt(band, out=band)
        band *= strengths
        interp_band_gain(band, mix)
        interp_band_gain(strengths, bins)
        np.subtract(1.0, bins, out=bins)
        np.multiply(self.noisy_spectrum, bins, out=z)
        z += self.comb_spectrum * mix
        # Restore the noisy band energy, then apply the gains.
        band_energy(z, band)
        np.divide(self.noisy_energy + _EPS, band + _EPS, out=band)
        np.sqrt(band, out=band)
        band *= gains
        interp_band_gain(band, bins)
        z *= bins


def enhance(x, denoiser=None):
    """Denoise a whole 48 kHz mono signal by streaming it through ``process_frame``.

    Pads the end with 1440 + (up to 479) zeros, then drops the first 1440 output samples,
    so the result is aligned with and as long as the input.

    Parameters
    ----------
    x : float [shape=(n,)]  samples at 48 kHz
    denoiser : Denoiser, optional (default: a new one with the shipped model)

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
    for i in range(frames):
        denoiser.process_frame(padded[i * FRAME_SIZE:(i + 1) * FRAME_SIZE],
                               y[i * FRAME_SIZE:(i + 1) * FRAME_SIZE])
    return y[ALGORITHMIC_DELAY:ALGORITHMIC_DELAY + n]
