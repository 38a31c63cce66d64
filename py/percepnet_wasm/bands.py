"""The 34 triangular bands: pooling bins into bands, and interpolating band values to bins.

Each bin belongs to at most two neighbouring triangles whose weights sum to 1, so
interpolation (band -> bin) is the transpose of pooling (bin -> band). Bins above the
last centre (20 kHz) take the last band with weight 1.
"""
import numpy as np

from .constants import BAND_CENTRES, FREQ_SIZE, NB_BANDS


def band_matrix():
    """Triangular weights ``w_b(k)`` [shape=(NB_BANDS, FREQ_SIZE)], float32."""
    weights = np.zeros((NB_BANDS, FREQ_SIZE), np.float64)
    centres = BAND_CENTRES
    for b in range(NB_BANDS - 1):
        lo, hi = centres[b], centres[b + 1]
        rise = np.arange(hi - lo) / (hi - lo)          # 0 .. <1 across [lo, hi)
        weights[b, lo:hi] += 1.0 - rise
        weights[b + 1, lo:hi] += rise
    weights[NB_BANDS - 1, centres[-1]:] = 1.0
    return weights.astype(np.float32)


BANDS = band_matrix()
BANDS_T = np.ascontiguousarray(BANDS.T)


def band_energy(spectrum, out):
    """``E_b = sum_k w_b(k) |X(k)|^2``: ``spectrum`` complex [481] -> ``out`` float32 [34]."""
    power = spectrum.real * spectrum.real + spectrum.imag * spectrum.imag
    return np.dot(BANDS, power, out=out)


def band_correlation(x, p, out):
    """``C_b = sum_k w_b(k) Re(X(k) P*(k))``: two complex [481] spectra -> ``out`` float32 [34]."""
    cross = x.real * p.real + x.imag * p.imag
    return np.dot(BANDS, cross, out=out)


def interp_band_gain(band_values, out):
    """Band values [34] -> per-bin values ``out`` [481] (triangular interpolation)."""
    return np.dot(BANDS_T, band_values, out=out)
