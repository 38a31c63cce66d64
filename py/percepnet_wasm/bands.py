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
_STARTS = np.array(BAND_CENTRES)                               # segment b: bins [c_b, c_{b+1})
_SEGMENT = np.searchsorted(_STARTS, np.arange(FREQ_SIZE), side="right") - 1   # bin -> segment


class BandPool:
    """``E[r, b] = sum_k w_b(k) values[r, k]`` for ``rows`` rows at once, preallocated; the
    one pooling of bins into bands (energies and correlations, inference and labels).

    Uses the sparsity of the triangles instead of the dense (34 x 481) product, which costs
    about 16k multiply-adds per row (slow without BLAS in Pyodide): the bins of segment
    ``[c_b, c_{b+1})`` go to band b with weight ``1 - rise`` and to band b + 1 with ``rise``,
    so two weighted segment sums (one ``add.reduceat``) give every band.

    ``pool(values)`` : float32 [shape=(*rows, 481)] -> float32 [shape=(*rows, 34)] (``pool.out``);
    ``rows`` an int or a shape tuple. ``pool.padded`` [shape=(*rows, 35)] holds ``out`` in its
    first 34 columns (``out`` is a view of it; the last column is scratch).

    A call allocates nothing: every NumPy call in it sees operands of one shape or a plain
    copy (a broadcasting ufunc would allocate iterator buffers each time). The segment sums
    that go to band b + 1 are written one column to the right (``_shifted``, a strided view
    of the same buffer), so the two sums of each band are added by one call over whole
    rows; the column before band 0 holds -0.0, which adds exactly nothing.
    """

    _SPLIT = np.stack([BANDS[_SEGMENT, np.arange(FREQ_SIZE)],            # to band b
                       BANDS[np.minimum(_SEGMENT + 1, NB_BANDS - 1), np.arange(FREQ_SIZE)]
                       * (_SEGMENT < NB_BANDS - 1)])                      # to band b + 1

    def __init__(self, rows):
        lead = rows if isinstance(rows, tuple) else (rows,)
        # (to band b, to band b + 1) x rows x bins: both weightings of every row.
        self._split = np.ascontiguousarray(
            np.broadcast_to(self._SPLIT.reshape((2,) + (1,) * len(lead) + (FREQ_SIZE,)),
                            (2,) + lead + (FREQ_SIZE,)))
        self._weighted = np.zeros((2,) + lead + (FREQ_SIZE,), np.float32)
        self._sums = np.zeros((2,) + lead + (NB_BANDS + 1,), np.float32)
        self._sums[1, ..., 0] = -0.0
        strides = self._sums.strides
        self._shifted = np.lib.stride_tricks.as_strided(       # [0, r, b] -> sums[0, r, b],
            self._sums, (2,) + lead + (NB_BANDS,),             # [1, r, b] -> sums[1, r, b + 1]
            (strides[0] + strides[-1],) + strides[1:])
        self.padded = np.zeros(lead + (NB_BANDS + 1,), np.float32)
        self.out = self.padded[..., :NB_BANDS]

    def __call__(self, values):
        weighted = self._weighted
        np.copyto(weighted, values)                            # both halves
        np.multiply(weighted, self._split, out=weighted)
        np.add.reduceat(weighted, _STARTS, axis=-1, out=self._shifted)
        np.add(self._sums[0], self._sums[1], out=self.padded)
        return self.out


# Where the two dense blocks of ``BandToBins``/``BinsToBand`` meet: band centre 20 (bin 87).
_SPLIT_BAND = 20


class BandToBins:
    """``dst[..., k] = sum_b w_b(k) src[..., b]`` (band -> bin interpolation) between fixed
    buffers ``src`` (..., 34) and ``dst`` (..., 481), float32; call with no arguments.

    The (34 x 481) triangle matrix is mostly zeros: bins below centre m read only bands
    0..m, bins from centre m on only bands m..33. Two dense ``matmul`` blocks skip about
    half the multiply-adds (in Pyodide, 12 -> 8 µs for two rows); only zero terms are
    dropped.
    """

    def __init__(self, src, dst):
        m = _SPLIT_BAND
        c = BAND_CENTRES[m]
        self._blocks = ((src[..., :m + 1], BANDS[:m + 1, :c].copy(), dst[..., :c]),
                        (src[..., m:], BANDS[m:, c:].copy(), dst[..., c:]))

    def __call__(self):
        for values, weights, out in self._blocks:
            np.matmul(values, weights, out=out)


class BinsToBand:
    """``dst[b] = sum_k w_b(k) src[k]`` (bin -> band pooling) between fixed float32 buffers
    ``src`` (481,) and ``dst`` (34,); call with no arguments.

    Two dense blocks, as in ``BandToBins``: bands below m cover only bins below centre m,
    bands m..33 only bins from centre m - 1 on.

    The one pooling besides ``BandPool``: the ``Denoiser`` pools the energy of its mixed
    spectrum Z (one row, inside ``_apply``) with it, as it has since the speed work. For one
    row the dense blocks cost less in Pyodide than ``BandPool``'s five calls, and pooling Z
    with ``BandPool`` would round E_Z differently, moving every output sample by float32
    round-off against the frozen reference (``tests/test_speed_equivalence.py``).
    """

    def __init__(self, src, dst):
        m = _SPLIT_BAND
        c, c_prev = BAND_CENTRES[m], BAND_CENTRES[m - 1]
        self._blocks = ((BANDS[:m, :c].copy(), src[:c], dst[:m]),
                        (BANDS[m:, c_prev:].copy(), src[c_prev:], dst[m:]))

    def __call__(self):
        for weights, values, out in self._blocks:
            np.matmul(weights, values, out=out)
