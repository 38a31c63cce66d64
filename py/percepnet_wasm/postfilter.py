"""Envelope postfilter (inference only): sharpen the band gains, then restore loudness."""
import numpy as np

POSTFILTER_BETA = 0.02


def postfilter(gains, band_energy, out):
    """Sharpened gains ``G * g sin(pi g / 2)``, with G bringing the loudness back.

    ``R = E0 / E1`` is the output energy before / after sharpening, summed over bands, and
    ``G = sqrt((1 + beta) R / (1 + beta R^2))`` (at most +5.6 dB).

    Parameters
    ----------
    gains : float32 [shape=(34,)]  band gains in [0, 1]
    band_energy : float32 [shape=(34,)]  noisy band energies the gains apply to
    out : float32 [shape=(34,)]  may be ``gains`` itself
    """
    before = float(np.dot(gains * gains, band_energy))
    np.multiply(gains, np.sin((0.5 * np.pi) * gains), out=out)
    after = float(np.dot(out * out, band_energy))
    ratio = before / after if after > 1e-20 else 1.0
    out *= np.sqrt((1.0 + POSTFILTER_BETA) * ratio / (1.0 + POSTFILTER_BETA * ratio * ratio))
    return out
