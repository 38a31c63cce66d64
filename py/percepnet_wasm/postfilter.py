"""Envelope postfilter (inference only): sharpen the band gains, then restore loudness."""
import math

import numpy as np

from .constants import EPS, NB_BANDS

POSTFILTER_BETA = 0.02
_HALF_PI = np.float32(0.5 * np.pi)


def postfilter(gains, band_energy, out, work=None):
    """Sharpened gains ``G * g sin(pi g / 2)``, with G bringing the loudness back.

    ``R = E0 / E1`` is the output energy before / after sharpening, summed over bands, and
    ``G = sqrt((1 + beta) R / (1 + beta R^2))`` (at most +5.6 dB).

    Parameters
    ----------
    gains : float32 [shape=(34,)]  band gains in [0, 1]
    band_energy : float32 [shape=(34,)]  noisy band energies the gains apply to
    out : float32 [shape=(34,)]  may be ``gains`` itself
    work : optional ``postfilter_workspace()``: then nothing is allocated. G is applied in
        float64 (G is a Python float: float64 with a float64 array), so the gains go through a
        float64 buffer, as NumPy would cast them through buffers of its own.
    """
    square, wide = postfilter_workspace() if work is None else work
    np.multiply(gains, gains, out=square)
    before = float(np.dot(square, band_energy))
    np.multiply(gains, _HALF_PI, out=square)
    np.sin(square, out=square)
    np.multiply(gains, square, out=out)
    np.multiply(out, out, out=square)
    after = float(np.dot(square, band_energy))
    ratio = before / after if after > EPS else 1.0
    np.copyto(wide, out)
    np.multiply(wide, math.sqrt((1.0 + POSTFILTER_BETA) * ratio / (1.0 + POSTFILTER_BETA * ratio * ratio)),
                out=wide)
    np.copyto(out, wide)
    return out


def postfilter_workspace():
    """The ``work`` of ``postfilter``: float32 and float64 arrays [shape=(34,)]."""
    return np.zeros(NB_BANDS, np.float32), np.zeros(NB_BANDS, np.float64)
