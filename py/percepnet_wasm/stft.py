"""Analysis and synthesis: Vorbis power-complementary window, 960-point real FFT, 480 hop.

``w(n)^2 + w(n + 480)^2 = 1``, so windowing at analysis and again at synthesis, then
overlap-adding, reconstructs the input exactly (delayed by one hop, 480 samples).
"""
import numpy as np

from .constants import FRAME_SIZE, WINDOW_SIZE


def vorbis_window(size=WINDOW_SIZE):
    """Power-complementary window ``sin(pi/2 sin^2(pi (n + 1/2) / size))`` [shape=(size,)]."""
    n = np.arange(size, dtype=np.float64)
    return np.sin(0.5 * np.pi * np.sin(np.pi * (n + 0.5) / size) ** 2).astype(np.float32)


WINDOW = vorbis_window()


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
    """Overlap-add of windowed inverse FFTs; one object per stream."""

    def __init__(self):
        self._tail = np.zeros(FRAME_SIZE, np.float32)     # second half of the previous block
        self._block = np.zeros(WINDOW_SIZE, np.float32)

    def reset(self):
        self._tail.fill(0.0)

    def push(self, spectrum, out):
        """Add the block of ``spectrum`` [481] and write the 480 finished samples to ``out``."""
        np.multiply(np.fft.irfft(spectrum, WINDOW_SIZE), WINDOW, out=self._block)
        np.add(self._block[:FRAME_SIZE], self._tail, out=out)
        self._tail[:] = self._block[FRAME_SIZE:]
