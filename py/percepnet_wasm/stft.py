"""Analysis and synthesis: Vorbis power-complementary window, 960-point real FFT, 480 hop.

``w(n)^2 + w(n + 480)^2 = 1``, so windowing at analysis and again at synthesis, then
overlap-adding, reconstructs the input exactly (delayed by one hop, 480 samples).
"""
import numpy as np
from numpy.fft import _pocketfft_umath as _pocketfft

from .constants import FRAME_SIZE, WINDOW_SIZE


def vorbis_window(size=WINDOW_SIZE):
    """Power-complementary window ``sin(pi/2 sin^2(pi (n + 1/2) / size))`` [shape=(size,)]."""
    n = np.arange(size, dtype=np.float64)
    return np.sin(0.5 * np.pi * np.sin(np.pi * (n + 0.5) / size) ** 2).astype(np.float32)


WINDOW = vorbis_window()
_SYNTHESIS_SCALE = np.reciprocal(WINDOW_SIZE, dtype=np.float32)     # float32 irfft of 960 points


def rfft(x, out):
    """``np.fft.rfft(x, axis=-1, out=out)`` for rows ``x`` [shape=(..., n)] of even length n:
    ``out`` [shape=(..., n // 2 + 1)] complex, of ``x``'s precision.

    ``np.fft.rfft`` and ``irfft`` are Python wrappers that make about six NumPy calls around
    one gufunc of ``numpy.fft._pocketfft_umath`` (5-10 µs per transform in Pyodide). Here and
    in ``irfft`` the gufunc is called directly, with the scale factor the wrapper passes:
    the same transform, the same bits (``tests/test_dsp.py``).
    """
    return _pocketfft.rfft_n_even(x, 1, out=out)


def irfft(spectrum, scale, out):
    """``np.fft.irfft(spectrum, n, axis=-1, out=out)``, n = ``out.shape[-1]``: ``spectrum``
    [shape=(..., n // 2 + 1)] complex -> ``out`` [shape=(..., n)] real. ``scale`` is the
    wrapper's 1 / n, ``np.reciprocal(n, dtype=out.dtype)``."""
    return _pocketfft.irfft(spectrum, scale, out=out)


def rfft_wide(blocks, out, wide=None):
    """``out[...] = rfft(blocks)``: float32 blocks [shape=(..., 960)] -> complex64 ``out``
    [shape=(..., 481)], computed in float64.

    NumPy's rfft of float32 input runs its float64 transform and casts the input in and the
    result out through buffers it allocates on every call (16 KB per row). ``wide``, a pair
    of float64 [shape=(..., 960)] and complex128 [shape=(..., 481)] workspaces, does the
    same casts and the same transform into preallocated arrays: the same bits, nothing
    allocated. Without it, the plain ``np.fft.rfft`` call (batch paths).
    """
    if wide is None:
        return np.fft.rfft(blocks, axis=-1, out=out)
    blocks_wide, spectra_wide = wide
    np.copyto(blocks_wide, blocks)
    rfft(blocks_wide, spectra_wide)
    np.copyto(out, spectra_wide)
    return out


def wide_workspace(lead=()):
    """The ``wide`` workspaces of ``rfft_wide`` for blocks of leading shape ``lead``."""
    return (np.zeros(lead + (WINDOW_SIZE,), np.float64),
            np.zeros(lead + (FRAME_SIZE + 1,), np.complex128))


def analysis(samples, scratch, out=None):
    """Spectrum of windowed 960-sample blocks.

    Parameters
    ----------
    samples : float32 [shape=(..., 960)]  the blocks, oldest sample first
    scratch : float32 [shape=(..., 960)]  workspace, overwritten
    out : complex64 [shape=(..., 481)], optional  where to write the spectra

    Returns
    -------
    complex64 [shape=(..., 481)]  rfft of ``WINDOW * samples``; bins 50 Hz apart
    """
    np.multiply(samples, WINDOW, out=scratch)
    if out is not None:
        return np.fft.rfft(scratch, out=out)
    return np.fft.rfft(scratch).astype(np.complex64, copy=False)


class Synthesis:
    """Overlap-add of windowed inverse FFTs; one object per stream. ``push`` allocates
    nothing: the inverse FFT (float32 in NumPy) writes into the object's own block."""

    def __init__(self):
        self._tail = np.zeros(FRAME_SIZE, np.float32)     # second half of the previous block
        self._block = np.zeros(WINDOW_SIZE, np.float32)

    def reset(self):
        self._tail.fill(0.0)

    def push(self, spectrum, out):
        """Add the block of ``spectrum`` complex64 [481] and write the 480 finished samples
        to ``out`` float32 [480]."""
        block = self._block
        irfft(spectrum, _SYNTHESIS_SCALE, block)
        np.multiply(block, WINDOW, out=block)
        np.add(block[:FRAME_SIZE], self._tail, out=out)
        self._tail[:] = block[FRAME_SIZE:]
