"""The 70 network inputs of one frame.

Layout [shape=(70,)]: 34 log10 band energies of the newest noisy frame t, then for the
frame being output (t - 2): 34 pitch coherences q_y, the pitch period (log-scaled to
[0, 1]) and the pitch correlation. The energies carry the look-ahead; the coherences come
free from the comb filter already run on frame t - 2. Normalisation (fixed mean/std) is
stored with the weights and applied by the model, never computed from the input clip.
"""
import numpy as np

from .constants import NB_BANDS, PITCH_MAX_PERIOD, PITCH_MIN_PERIOD

ENERGY_FLOOR = 1e-9            # about -90 dB below a full-scale band: log10 of silence stays finite
_ENERGY_FLOOR = np.array(ENERGY_FLOOR, np.float32)   # 0-d: cheaper than a Python float operand in Pyodide
# The period feature by period, 1..768 (index 0 unused): log-scaled to [0, 1] over 60..768.
_PERIOD_FEATURE = np.r_[0.0, np.log2(np.arange(1, PITCH_MAX_PERIOD + 1) / PITCH_MIN_PERIOD)
                        / np.log2(PITCH_MAX_PERIOD / PITCH_MIN_PERIOD)]


def compute_features(band_energy, coherence, period, correlation, out):
    """Write the 70 features to ``out`` float32 [shape=(..., 70)].

    ``band_energy`` [..., 34] of frame t, ``coherence`` [..., 34], ``period`` (samples) and
    ``correlation`` of frame t - 2 (scalars, or arrays [...] for a stack of frames).
    """
    energies = out[..., :NB_BANDS]
    np.add(band_energy, _ENERGY_FLOOR, out=energies)
    np.log10(energies, out=energies)
    out[..., NB_BANDS:2 * NB_BANDS] = coherence
    out[..., 2 * NB_BANDS] = _PERIOD_FEATURE[period]
    out[..., 2 * NB_BANDS + 1] = correlation
    return out
