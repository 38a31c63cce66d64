"""Streaming PercepNet network in pure NumPy (the runtime twin of ``percepnet_train.model``).

Runs one 10 ms frame per ``Model.step``: raw features of the newest frame t in, gains,
comb strengths and a voice-activity probability for frame t - 2 out (the look-ahead lives in
the causal network; docs/INTERFACES.md). Every buffer is made in ``load``; ``step`` writes
in place and allocates no arrays.

Pyodide's NumPy has no BLAS or SIMD, and there ``np.einsum`` beats ``@`` for mat-vec
products, so each layer is one ``einsum(..., out=)``. The GRU follows torch's gate equations
exactly (gate order r, z, n; ``b_hn`` inside ``r * (W_hn h + b_hn)``), with the three gates
fused: one ``W_ih x`` and one ``W_hh h`` product of 3H rows per step.

Weights file (``weights.npz``, written by ``percepnet_train.export``; ``FORMAT_VERSION``):

- ``metadata``: 0-d string, JSON: format, format_version, quantisation, config (widths),
  n_weights, training step, val loss, git commit, date, data manifest hash, arrays_sha256.
- ``norm_mean``, ``norm_std``: float32 (70,) feature normalisation of the training cache.
- each weight matrix ``L`` (``dense.weight``, ``conv1.weight``, ``grus.0.weight_ih``, ...),
  2-D (rows = output units): either ``L.q`` int8 with ``L.scale`` float32 (rows,)
  (value = q * scale) or ``L`` float32. Conv weights are torch's (out, in, k) as (out, in*k).
- each bias ``L`` (``dense.bias``, ``grus.0.bias_ih``, ...): float32.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from .constants import NB_BANDS, NB_FEATURES

FORMAT = "percepnet-wasm-weights"
FORMAT_VERSION = 1
DEFAULT_WEIGHTS = Path(__file__).with_name("weights.npz")

# Metadata keys every shipped weights file carries (tests check them).
REQUIRED_METADATA = (
    "format", "format_version", "quantisation", "config", "n_weights", "step", "val_loss",
    "git_commit", "date", "data_manifest_sha256", "arrays_sha256", "torch_version",
)


def arrays_sha256(arrays) -> str:
    """sha256 over every array but ``metadata`` (sorted by name: name, dtype, shape, bytes).

    Stored in the metadata so a weights file can be checked without a side file.
    """
    h = hashlib.sha256()
    for name in sorted(arrays):
        if name == "metadata":
            continue
        a = np.ascontiguousarray(arrays[name])
        h.update(name.encode())
        h.update(str(a.dtype).encode())
        h.update(str(a.shape).encode())
        h.update(a.tobytes())
    return h.hexdigest()


def layer_names(config: dict):
    """Names of (weight matrices, biases) in the weights file for a config."""
    weights, biases = [], []

    def linear(name):
        weights.append(f"{name}.weight")
        biases.append(f"{name}.bias")

    def gru(name):
        weights.extend((f"{name}.weight_ih", f"{name}.weight_hh"))
        biases.extend((f"{name}.bias_ih", f"{name}.bias_hh"))

    for name in ("dense", "conv1", "conv2"):
        linear(name)
    for i in range(config["n_gru"]):
        gru(f"grus.{i}")
    gru("gains_gru")
    linear("gains_out")
    gru("str_gru")
    linear("str_out")
    linear("vad_out")
    return weights, biases


def _sigmoid_(a: np.ndarray) -> None:
    """In-place logistic, as 0.5 * tanh(a / 2) + 0.5 (no exp overflow, no temporaries)."""
    np.multiply(a, 0.5, out=a)
    np.tanh(a, out=a)
    np.multiply(a, 0.5, out=a)
    np.add(a, 0.5, out=a)


class _Gru:
    """One GRU layer's weights, state and scratch (torch gate layout r, z, n)."""

    def __init__(self, w_ih, w_hh, b_ih, b_hh):
        h3 = w_ih.shape[0]
        if h3 % 3 or w_hh.shape != (h3, h3 // 3):
            raise ValueError(f"GRU weight shapes do not match: {w_ih.shape}, {w_hh.shape}")
        n = h3 // 3
        self.size = n
        self.w_ih, self.w_hh, self.b_ih, self.b_hh = w_ih, w_hh, b_ih, b_hh
        self.h = np.zeros(n, np.float32)
        self.gi = np.zeros(h3, np.float32)
        self.gh = np.zeros(h3, np.float32)
        self.rz, self.r, self.z, self.n = (self.gi[:2 * n], self.gi[:n], self.gi[n:2 * n],
                                           self.gi[2 * n:])
        self.gh_rz, self.gh_n = self.gh[:2 * n], self.gh[2 * n:]

    def step(self, x: np.ndarray) -> np.ndarray:
        np.einsum("ij,j->i", self.w_ih, x, out=self.gi)
        np.add(self.gi, self.b_ih, out=self.gi)
        np.einsum("ij,j->i", self.w_hh, self.h, out=self.gh)
        np.add(self.gh, self.b_hh, out=self.gh)
        np.add(self.rz, self.gh_rz, out=self.rz)
        _sigmoid_(self.rz)                                   # r, z
        np.multiply(self.gh_n, self.r, out=self.gh_n)        # r * (W_hn h + b_hn)
        np.add(self.n, self.gh_n, out=self.n)
        np.tanh(self.n, out=self.n)                          # n
        np.subtract(self.h, self.n, out=self.h)              # h' = n + z * (h - n)
        np.multiply(self.h, self.z, out=self.h)
        np.add(self.h, self.n, out=self.h)
        return self.h


class _CausalConv:
    """Causal conv1d over time as one mat-vec on a doubled ring buffer of inputs.

    Each new input row is written at ring slot p and p + k, so rows p+1 .. p+k are always
    the last k inputs, oldest first, as one contiguous (k * in,) view.
    """

    def __init__(self, weight_2d, bias, kernel):
        out, cols = weight_2d.shape
        n_in = cols // kernel
        # torch (out, in, k) -> (out, k, in): window rows are time steps, oldest first.
        self.w = np.ascontiguousarray(
            weight_2d.reshape(out, n_in, kernel).transpose(0, 2, 1).reshape(out, kernel * n_in))
        self.b = bias
        self.k = kernel
        self.ring = np.zeros((2 * kernel, n_in), np.float32)
        self.slots = [self.ring[p] for p in range(kernel)]
        self.mirrors = [self.ring[p + kernel] for p in range(kernel)]
        self.windows = [self.ring[p + 1:p + 1 + kernel].reshape(-1) for p in range(kernel)]
        self.pos = 0

    def reset(self):
        self.ring[...] = 0
        self.pos = 0


class Model:
    """The PercepNet network, one frame at a time.

    Use ``Model.load()`` (the package's trained weights) or ``Model.load(path)``.
    """

    def __init__(self, arrays: dict, metadata: dict):
        self.metadata = metadata
        cfg = metadata["config"]
        self.config = cfg
        weights, biases = layer_names(cfg)
        p = {}
        for name in weights:
            if f"{name}.q" in arrays:
                q, scale = arrays[f"{name}.q"], arrays[f"{name}.scale"]
                p[name] = (q.astype(np.float32) * scale.astype(np.float32)[:, None])
            elif name in arrays:
                p[name] = np.asarray(arrays[name], np.float32)
            else:
                raise ValueError(f"weights file lacks {name!r}")
        for name in biases:
            p[name] = np.asarray(arrays[name], np.float32)
        self.params = p           # dequantised float32 arrays, by file name (read-only use)

        self.input_clip = np.float32(cfg["input_clip"])
        self.mean = np.asarray(arrays["norm_mean"], np.float32)
        self.inv_std = (1.0 / np.asarray(arrays["norm_std"], np.float64)).astype(np.float32)
        if self.mean.shape != (NB_FEATURES,):
            raise ValueError(f"norm_mean must have shape ({NB_FEATURES},), got {self.mean.shape}")
        self.w_dense, self.b_dense = p["dense.weight"], p["dense.bias"]
        self.conv1 = _CausalConv(p["conv1.weight"], p["conv1.bias"], cfg["conv1_kernel"])
        self.conv2 = _CausalConv(p["conv2.weight"], p["conv2.bias"], cfg["conv2_kernel"])
        self.grus = [_Gru(*(p[f"grus.{i}.{n}"] for n in ("weight_ih", "weight_hh", "bias_ih",
                                                            "bias_hh")))
                     for i in range(cfg["n_gru"])]
        self.gains_gru = _Gru(*(p[f"gains_gru.{n}"] for n in ("weight_ih", "weight_hh",
                                                              "bias_ih", "bias_hh")))
        self.str_gru = _Gru(*(p[f"str_gru.{n}"] for n in ("weight_ih", "weight_hh",
                                                          "bias_ih", "bias_hh")))
        self._x = np.zeros(NB_FEATURES, np.float32)
        self._conv_out = np.zeros(cfg["conv"], np.float32)
        self.gains = np.zeros(NB_BANDS, np.float32)
        self.strengths = np.zeros(NB_BANDS, np.float32)
        self._vad = np.zeros(1, np.float32)
        self.n_weights = int(sum(a.size for a in p.values()))

    @classmethod
    def load(cls, path=None) -> "Model":
        """Load a weights file (default: the package's ``weights.npz``), dequantised once.

        Raises FileNotFoundError when no trained weights exist, ValueError when the file is
        not a weights file of a known version or its arrays do not match their hash.
        """
        path = Path(path) if path is not None else DEFAULT_WEIGHTS
        if not path.is_file():
            raise FileNotFoundError(
                f"no trained weights shipped: run training (percepnet_train.train, then "
                f"percepnet_train.export); looked for {path}")
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        if "metadata" not in arrays:
            raise ValueError(f"{path} has no metadata: not a {FORMAT} file")
        metadata = json.loads(str(arrays["metadata"]))
        if metadata.get("format") != FORMAT or metadata.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"{path}: format {metadata.get('format')!r} version "
                             f"{metadata.get('format_version')!r}, expected {FORMAT!r} "
                             f"version {FORMAT_VERSION}")
        digest = arrays_sha256(arrays)
        if metadata.get("arrays_sha256") != digest:
            raise ValueError(f"{path}: arrays sha256 {digest} does not match the metadata's "
                             f"{metadata.get('arrays_sha256')}")
        return cls(arrays, metadata)

    def reset(self) -> None:
        """Forget all history (conv buffers and GRU states), as at the start of a stream."""
        self.conv1.reset()
        self.conv2.reset()
        for g in (*self.grus, self.gains_gru, self.str_gru):
            g.h[...] = 0

    def step(self, features: np.ndarray):
        """Advance one frame.

        Parameters
        ----------
        features : np.ndarray [shape=(70,)], float32
            Raw (unnormalised) features of the newest frame t.

        Returns
        -------
        gains : np.ndarray [shape=(34,)]   band gains of frame t - 2, in (0, 1)
        strengths : np.ndarray [shape=(34,)]   comb strengths of frame t - 2, in (0, 1)
        vad : float   voice-activity probability of frame t - 2
            The arrays are this model's buffers, overwritten by the next step.
        """
        if features.shape != (NB_FEATURES,):
            raise ValueError(f"features must have shape ({NB_FEATURES},), got {features.shape}")
        x = self._x
        np.subtract(features, self.mean, out=x)
        np.multiply(x, self.inv_std, out=x)
        np.clip(x, -self.input_clip, self.input_clip, out=x)
        # dense (tanh), straight into conv1's ring
        c = self.conv1
        dst = c.slots[c.pos]
        np.einsum("ij,j->i", self.w_dense, x, out=dst)
        np.add(dst, self.b_dense, out=dst)
        np.tanh(dst, out=dst)
        np.copyto(c.mirrors[c.pos], dst)
        # conv1 (tanh), into conv2's ring
        c2 = self.conv2
        dst = c2.slots[c2.pos]
        np.einsum("ij,j->i", c.w, c.windows[c.pos], out=dst)
        np.add(dst, c.b, out=dst)
        np.tanh(dst, out=dst)
        np.copyto(c2.mirrors[c2.pos], dst)
        c.pos = (c.pos + 1) % c.k
        # conv2 (tanh)
        y = self._conv_out
        np.einsum("ij,j->i", c2.w, c2.windows[c2.pos], out=y)
        np.add(y, c2.b, out=y)
        np.tanh(y, out=y)
        c2.pos = (c2.pos + 1) % c2.k
        for g in self.grus:
            y = g.step(y)
        p = self.params
        hg = self.gains_gru.step(y)
        np.einsum("ij,j->i", p["gains_out.weight"], hg, out=self.gains)
        np.add(self.gains, p["gains_out.bias"], out=self.gains)
        _sigmoid_(self.gains)
        hr = self.str_gru.step(y)
        np.einsum("ij,j->i", p["str_out.weight"], hr, out=self.strengths)
        np.add(self.strengths, p["str_out.bias"], out=self.strengths)
        _sigmoid_(self.strengths)
        np.einsum("ij,j->i", p["vad_out.weight"], y, out=self._vad)
        np.add(self._vad, p["vad_out.bias"], out=self._vad)
        _sigmoid_(self._vad)
        return self.gains, self.strengths, float(self._vad[0])

    def run(self, features: np.ndarray):
        """Batch helper (allocates): ``step`` over rows of (T, 70) from the current state.

        Returns gains (T, 34), strengths (T, 34), vad (T,).
        """
        t = features.shape[0]
        gains = np.empty((t, NB_BANDS), np.float32)
        strengths = np.empty((t, NB_BANDS), np.float32)
        vad = np.empty(t, np.float32)
        feats = np.ascontiguousarray(features, dtype=np.float32)
        for i in range(t):
            g, r, v = self.step(feats[i])
            gains[i], strengths[i], vad[i] = g, r, v
        return gains, strengths, vad
