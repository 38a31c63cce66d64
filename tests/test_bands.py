"""The band classes the runtime uses (``BandPool``, ``BandToBins``, ``BinsToBand``) against a
direct definition of the triangular bands, written here from the design notes rather than
from ``bands.py``:

- 34 band centres ``c_b`` in 50 Hz bins: 0 2 4 6 8 10 12 15 18 21 24 28 32 36 41 47 53 60 68
  77 87 98 110 124 140 157 176 198 223 251 282 317 356 400 (PERCEPNET.md, "Bands");
- band b's triangle is 1 at ``c_b`` and falls linearly to 0 at the neighbouring centres;
- bins above the last centre (20 kHz .. 24 kHz) belong to the last band with weight 1, so the
  weights sum to 1 on every bin and interpolation is the transpose of pooling;
- pooling ``E_b = sum_k w_b(k) v(k)``; interpolation ``g(k) = sum_b w_b(k) g_b``.
"""
import numpy as np
import pytest

from percepnet_wasm.bands import BandPool, BandToBins, BinsToBand
from percepnet_wasm.constants import BAND_CENTRES, FREQ_SIZE, NB_BANDS

CENTRES = (0, 2, 4, 6, 8, 10, 12, 15, 18, 21, 24, 28, 32, 36, 41, 47, 53, 60, 68,
           77, 87, 98, 110, 124, 140, 157, 176, 198, 223, 251, 282, 317, 356, 400)


def weight(b, k):
    """``w_b(k)``, one band and one bin at a time, straight from the definition."""
    c = CENTRES[b]
    if k == c:
        return 1.0
    if k < c:
        if b == 0:
            return 0.0
        lo = CENTRES[b - 1]
        return max(0.0, (k - lo) / (c - lo))
    if b == len(CENTRES) - 1:
        return 1.0                                  # above the last centre: the last band
    hi = CENTRES[b + 1]
    return max(0.0, (hi - k) / (hi - c))


W = np.array([[weight(b, k) for k in range(FREQ_SIZE)] for b in range(len(CENTRES))])


@pytest.fixture
def rng():
    return np.random.default_rng(13)


def test_the_definition_matches_the_constants_and_sums_to_one():
    assert tuple(BAND_CENTRES) == CENTRES and W.shape == (NB_BANDS, FREQ_SIZE)
    np.testing.assert_allclose(W.sum(axis=0), 1.0, atol=1e-12)
    assert np.all((W > 0).sum(axis=0) <= 2)         # each bin in at most two triangles


def close(actual, expected):
    """float32 results against the float64 definition, within float32 round-off of the sums."""
    scale = np.abs(expected).max()
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6 * scale)


@pytest.mark.parametrize("rows", [1, 4])
def test_band_pool_is_the_weighted_sum(rows, rng):
    pool = BandPool(rows)
    for values in (rng.random((rows, FREQ_SIZE)),                # energies: >= 0
                   rng.standard_normal((rows, FREQ_SIZE)),       # correlations: either sign
                   np.eye(rows, FREQ_SIZE, 400 - rows + 1)):     # single bins near the top
        values = values.astype(np.float32)
        pool.out[:] = np.nan                                     # canary: every band is written
        result = pool(values)
        assert result is pool.out and result.dtype == np.float32
        close(result, values.astype(np.float64) @ W.T)


def test_band_pool_sees_each_bin_with_its_weight(rng):
    """One bin at a time: pooling a unit impulse at bin k gives column k of the definition."""
    pool = BandPool(1)
    for k in range(FREQ_SIZE):
        values = np.zeros((1, FREQ_SIZE), np.float32)
        values[0, k] = 1.0
        close(pool(values)[0], W[:, k])


@pytest.mark.parametrize("shape", [(), (2,)])
def test_band_to_bins_interpolates_fixed_buffers(shape, rng):
    src = np.zeros((*shape, NB_BANDS), np.float32)
    dst = np.full((*shape, FREQ_SIZE), np.nan, np.float32)
    interp = BandToBins(src, dst)
    for _ in range(3):                              # the buffers are read afresh on every call
        src[...] = rng.standard_normal(src.shape)
        interp()
        close(dst, src.astype(np.float64) @ W)
    # At each centre the interpolated value is that band's value.
    close(dst[..., list(CENTRES)], src)


def test_bins_to_band_pools_fixed_buffers(rng):
    src = np.zeros(FREQ_SIZE, np.float32)
    dst = np.full(NB_BANDS, np.nan, np.float32)
    pool = BinsToBand(src, dst)
    for k in (0, 86, 87, 88, 399, 400, 480):        # impulses at the block seam and the edges
        src[:] = 0
        src[k] = 1
        pool()
        close(dst, W[:, k])
    for _ in range(3):
        src[:] = rng.random(FREQ_SIZE)
        pool()
        close(dst, W @ src.astype(np.float64))


def test_interpolation_is_the_transpose_of_pooling(rng):
    """<pool(v), g> == <v, interp(g)> for the runtime classes, as the definition implies."""
    v, g = rng.standard_normal(FREQ_SIZE).astype(np.float32), rng.standard_normal(NB_BANDS).astype(np.float32)
    pooled, bins = np.zeros(NB_BANDS, np.float32), np.zeros(FREQ_SIZE, np.float32)
    BinsToBand(v, pooled)()
    BandToBins(g, bins)()
    assert abs(float(pooled @ g) - float(v @ bins)) < 1e-4 * np.sqrt(FREQ_SIZE)
