"""Oracle targets: the band gains and comb strengths that turn a noisy frame into the clean one.

They are the training labels, and (applied through the ``Denoiser``) the oracle ladder.
``OracleTargets`` keeps the clean signal's own history in lockstep with a ``Denoiser`` and
reads the noisy analysis of the frame being output from it, so labels and inference share
one code path.
"""
import numpy as np

from .bands import band_correlation, band_energy
from .comb import COMB_BUF_SIZE, COMB_WINDOW_START, comb_filter, pitch_coherence
from .constants import FRAME_SIZE, NB_BANDS, NB_FEATURES, WINDOW_SIZE
from .stft import analysis

COHERENCE_CEILING = 1.03        # the 1.03 of g_att: keeps the ratio finite as q -> 1
VAD_THRESHOLD_DB = -55.0        # clean frame mean-square above this (dBFS) counts as speech
_EPS = 1e-20


def oracle_gains(clean_energy, noisy_energy, out):
    """``g_b = min(1, sqrt(E_x,b / E_y,b))``; arrays [shape=(34,)]."""
    np.add(clean_energy, _EPS, out=out)
    out /= noisy_energy + _EPS
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
    """

    def __init__(self, clean, *, comb=True):
        self.clean = np.asarray(clean, np.float32)
        self.comb = comb
        self._history = np.zeros(COMB_BUF_SIZE, np.float32)
        self._scratch = np.zeros(WINDOW_SIZE, np.float32)
        self._comb_out = np.zeros(WINDOW_SIZE, np.float32)
        self._frame = 0
        self.clean_energy = np.zeros(NB_BANDS, np.float32)
        self.clean_coherence = np.zeros(NB_BANDS, np.float32)
        self._comb_energy = np.zeros(NB_BANDS, np.float32)
        self._correlation = np.zeros(NB_BANDS, np.float32)
        self.gains = np.zeros(NB_BANDS, np.float32)
        self.strengths = np.zeros(NB_BANDS, np.float32)
        self._gain_scale = np.zeros(NB_BANDS, np.float32)

    def reset(self):
        self._history.fill(0.0)
        self._frame = 0

    def step(self, denoiser):
        """Advance one frame of clean signal; return (gains, strengths, vad) for ``denoiser``'s output frame."""
        hist = self._history
        hist[:-FRAME_SIZE] = hist[FRAME_SIZE:].copy()
        chunk = self.clean[self._frame * FRAME_SIZE:(self._frame + 1) * FRAME_SIZE]
        hist[-FRAME_SIZE:] = 0.0
        hist[COMB_BUF_SIZE - FRAME_SIZE:COMB_BUF_SIZE - FRAME_SIZE + len(chunk)] = chunk
        self._frame += 1

        window = hist[COMB_WINDOW_START:COMB_WINDOW_START + WINDOW_SIZE]
        spectrum = analysis(window, self._scratch)
        band_energy(spectrum, self.clean_energy)
        oracle_gains(self.clean_energy, denoiser.noisy_energy, self.gains)
        if self.comb:
            comb_filter(hist, denoiser.period, self._comb_out)
            comb_spectrum = analysis(self._comb_out, self._scratch)
            band_energy(comb_spectrum, self._comb_energy)
            band_correlation(spectrum, comb_spectrum, self._correlation)
            pitch_coherence(self._correlation, self.clean_energy, self._comb_energy, self.clean_coherence)
            oracle_strengths(self.clean_coherence, denoiser.coherence, denoiser.comb_noise_gain,
                             self.strengths, self._gain_scale)
            self.gains *= self._gain_scale
        else:
            self.strengths.fill(0.0)
        mean_square = float(np.mean(np.square(window[FRAME_SIZE // 2:FRAME_SIZE * 3 // 2])))
        vad = 1.0 if 10.0 * np.log10(mean_square + 1e-12) > VAD_THRESHOLD_DB else 0.0
        return self.gains, self.strengths, vad


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

    clean = np.asarray(clean, np.float32)
    noisy = np.asarray(noisy, np.float32)
    if clean.shape != noisy.shape or clean.ndim != 1:
        raise ValueError(f"clean and noisy must be mono and equally long (were {clean.shape}, {noisy.shape})")
    frames = len(noisy) // FRAME_SIZE
    rows = max(frames - 2, 0)
    out = {"features": np.zeros((rows, NB_FEATURES), np.float32),
           "gains": np.zeros((rows, NB_BANDS), np.float32),
           "strengths": np.zeros((rows, NB_BANDS), np.float32),
           "vad": np.zeros(rows, np.float32)}
    denoiser = Denoiser(model=None, oracle=OracleTargets(clean), postfilter=False)
    sink = np.zeros(FRAME_SIZE, np.float32)
    for t in range(frames):
        denoiser.process_frame(noisy[t * FRAME_SIZE:(t + 1) * FRAME_SIZE], sink)
        if t >= 2:
            out["features"][t - 2] = denoiser.features
            out["gains"][t - 2] = denoiser.oracle.gains
            out["strengths"][t - 2] = denoiser.strengths
            out["vad"][t - 2] = denoiser.vad
    return out
