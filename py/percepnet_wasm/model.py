"""Streaming PercepNet network in pure NumPy (the runtime twin of ``percepnet_train.model``).

Runs one 10 ms frame per ``Model.step``: raw features of the newest frame t in, gains,
comb strengths and a voice-activity probability for frame t - 2 out (the look-ahead lives in
the causal network; docs/INTERFACES.md). Every buffer is made in ``load``; ``step`` writes
in place and allocates no arrays.

Pyodide's NumPy has no BLAS or SIMD, and there ``einsum`` beats ``@`` for the large mat-vec
products (about 1 multiply-add per ns, ~75 % of the step), while every other NumPy call costs
about a microsecond; so the step is laid out for few calls: each layer is one
``einsum(..., out=)`` with its bias as a weight column (inputs end in a constant 1), and
the gains and strength GRUs run as one group. The GRU follows torch's gate equations exactly
(gate order r, z, n; ``b_hn`` inside ``r * (W_hn h + b_hn)``), with the three gates fused:
one ``W_ih x`` and one ``W_hh h`` product per step. Outputs match torch within float32
round-off (docs/performance.md, "network step").

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


# np.einsum's C core: the Python wrapper around it costs ~1 µs per call in Pyodide.
try:
    from numpy._core.multiarray import c_einsum as _einsum
except ImportError:                  # NumPy < 2
    _einsum = np.einsum
_MATVEC = "ij,j->i"
_GATES_MATVEC = "gij,j->gi"          # (3 gates, units, inputs) @ (inputs,) -> (3, units)
# Constants as float32 0-d arrays: a Python float operand costs ~0.6 µs more per ufunc call.
_HALF = np.array(0.5, np.float32)


def _affine(weight, bias, bias_first=False):
    """``W x + b`` as one product: ``[b | W]`` with input ``[1, x]`` or ``[W | b]`` with
    ``[x, 1]`` (the activation vectors carry the constant 1s). Rows = output units."""
    parts = (bias[:, None], weight) if bias_first else (weight, bias[:, None])
    return np.ascontiguousarray(np.concatenate(parts, axis=1), np.float32)


def _sigmoid_of_half_(t: np.ndarray) -> None:
    """In place ``t = a / 2 -> sigmoid(a) = 0.5 tanh(a / 2) + 0.5`` (no exp overflow).

    The callers' weights are pre-scaled by 0.5 (exact in float32), so the product already
    gives ``a / 2``.
    """
    np.tanh(t, out=t)
    np.multiply(t, _HALF, out=t)
    np.add(t, _HALF, out=t)


def _halve_rz(w):
    """GRU weights with torch gate rows (r, z, n): r and z rows times 0.5 (see
    ``_sigmoid_of_half_``)."""
    w = w.copy()
    w[:2 * (w.shape[0] // 3)] *= 0.5
    return w


class _GruGroup:
    """GRU layers that read the same input, stepped as one (torch gates r, z, n).

    The gate rows of all members are stacked gate by gate (r of every member, then z, then n),
    so the element-wise part runs once for the whole group; ``W_ih [x, 1]`` is one product,
    ``W_hh [1, h]`` one per member (written into its columns of the gate block).

    Parameters
    ----------
    members : list of (w_ih (3H, X), w_hh (3H, H), b_ih (3H,), b_hh (3H,), state_in, bias_first)
        torch's weights, and the member's ``[1, h]`` (bias_first) or ``[h, 1]`` view of
        the activation vector.
    x1 : view [shape=(X + 1,)], the shared input followed by the constant 1.
    h : view [shape=(sum H,)], the members' states, contiguous in member order.
    """

    def __init__(self, members, x1, h):
        sizes = [m[1].shape[1] for m in members]
        for (w_ih, w_hh, *_), n in zip(members, sizes):
            if w_ih.shape != (3 * n, x1.size - 1) or w_hh.shape != (3 * n, n):
                raise ValueError(f"GRU weight shapes do not match: {w_ih.shape}, {w_hh.shape}")
        total = sum(sizes)
        if h.shape != (total,):
            raise ValueError(f"GRU group state must have {total} units, not {h.shape}")
        self.x1, self.h = x1, h
        gate_rows = [_halve_rz(_affine(w_ih, b_ih)).reshape(3, n, -1)
                     for (w_ih, _, b_ih, *_), n in zip(members, sizes)]
        self.w_ih = np.concatenate(gate_rows, axis=1).reshape(3 * total, -1)
        self.gi = np.zeros((3, total), np.float32)      # W_ih [x, 1]: rows r, z, n
        self.gh = np.zeros((3, total), np.float32)      # W_hh [1, h]: rows r, z, n
        self.recurrent = []                             # (w_hh (3, H, H + 1), [1, h], out)
        start = 0
        for (_, w_hh, _, b_hh, state_in, bias_first), n in zip(members, sizes):
            w = _halve_rz(_affine(w_hh, b_hh, bias_first)).reshape(3, n, n + 1)
            self.recurrent.append((w, state_in, self.gh[:, start:start + n]))
            start += n
        self.gi_all = self.gi.reshape(-1)
        self.rz, self.r, self.z, self.n = (self.gi[:2].reshape(-1), self.gi[0], self.gi[1],
                                           self.gi[2])
        self.gh_rz, self.gh_n = self.gh[:2].reshape(-1), self.gh[2]

    def step(self) -> None:
        """Update ``h`` from ``x1`` (and the previous ``h``), in place."""
        _einsum(_MATVEC, self.w_ih, self.x1, out=self.gi_all)
        for w, state_in, out in self.recurrent:
            _einsum(_GATES_MATVEC, w, state_in, out=out)
        np.add(self.rz, self.gh_rz, out=self.rz)            # (a_r, a_z) / 2
        _sigmoid_of_half_(self.rz)                           # r, z
        np.multiply(self.gh_n, self.r, out=self.gh_n)        # r * (W_hn h + b_hn)
        np.add(self.n, self.gh_n, out=self.n)
        np.tanh(self.n, out=self.n)                          # n
        np.subtract(self.h, self.n, out=self.h)              # h' = n + z * (h - n)
        np.multiply(self.h, self.z, out=self.h)
        np.add(self.h, self.n, out=self.h)


class _CausalConv:
    """Causal conv1d over time as one mat-vec on a doubled ring buffer of inputs.

    Each new input row is written at ring slot p and p + k, so rows p+1 .. p+k are always
    the last k inputs, oldest first, as one contiguous view. Every ring row ends with a
    constant 1, which carries the bias (a column of the newest row's weights).
    """

    def __init__(self, weight_2d, bias, kernel):
        out, cols = weight_2d.shape
        n_in = cols // kernel
        # torch (out, in, k) -> (out, k, in + 1): window rows are time steps, oldest first.
        w = np.zeros((out, kernel, n_in + 1), np.float32)
        w[:, :, :n_in] = weight_2d.reshape(out, n_in, kernel).transpose(0, 2, 1)
        w[:, -1, n_in] = bias
        self.w = w.reshape(out, kernel * (n_in + 1))
        self.k = kernel
        self.ring = np.zeros((2 * kernel, n_in + 1), np.float32)
        self.slots = [self.ring[p, :n_in] for p in range(kernel)]
        self.mirrors = [self.ring[p + kernel, :n_in] for p in range(kernel)]
        self.windows = [self.ring[p + 1:p + 1 + kernel].reshape(-1) for p in range(kernel)]
        self.reset()

    def reset(self):
        self.ring[:, :-1] = 0
        self.ring[:, -1] = 1
        self.pos = 0

    def push(self):
        """Mirror the row just written to ``slots[pos]``; returns the window ending there."""
        p = self.pos
        np.copyto(self.mirrors[p], self.slots[p])
        self.pos = (p + 1) % self.k
        return self.windows[p]


class Model:
    """The PercepNet network, one frame at a time.

    Use ``Model.load()`` (the package's trained weights) or ``Model.load(path)``.

    Every layer's input is a view of a float32 vector followed by a constant 1, so each
    layer's bias is a weight column and each layer is one product. The GRU states and the
    conv output live in one activation vector, each followed by a 1:
    ``[conv out, 1, h_0, 1, ..., h_last, 1, h_gains, h_str, 1]``; the gains and strength
    GRUs (both read ``h_last``) are stepped as one group.
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
        self.n_weights = int(sum(a.size for a in p.values()))

        clip = np.float32(cfg["input_clip"])
        self._clip_lo, self._clip_hi = np.array(-clip), np.array(clip)
        self.mean = np.asarray(arrays["norm_mean"], np.float32)
        self.inv_std = (1.0 / np.asarray(arrays["norm_std"], np.float64)).astype(np.float32)
        if self.mean.shape != (NB_FEATURES,):
            raise ValueError(f"norm_mean must have shape ({NB_FEATURES},), got {self.mean.shape}")
        self._x1 = np.ones(NB_FEATURES + 1, np.float32)         # [normalised features, 1]
        self._x = self._x1[:NB_FEATURES]
        self.w_dense = _affine(p["dense.weight"], p["dense.bias"])
        self.conv1 = _CausalConv(p["conv1.weight"], p["conv1.bias"], cfg["conv1_kernel"])
        self.conv2 = _CausalConv(p["conv2.weight"], p["conv2.bias"], cfg["conv2_kernel"])

        # Activation vector: segments (conv out, h_0 .. h_last, h_gains + h_str), each + 1.
        n_gru, gains_n = cfg["n_gru"], cfg["gains_hidden"]
        widths = [cfg["conv"]] + [cfg["hidden"]] * n_gru + [gains_n + cfg["str_hidden"]]
        self._acts = np.zeros(sum(widths) + len(widths), np.float32)
        starts = np.cumsum([0] + [w + 1 for w in widths[:-1]])
        self._ones = starts + np.array(widths)                  # where the constant 1s sit
        seg = [self._acts[s:s + w] for s, w in zip(starts, widths)]
        seg1 = [self._acts[s:s + w + 1] for s, w in zip(starts, widths)]   # [segment, 1]
        # [1, segment j] for the GRU states j = 1, 2, ... (the 1 ends segment j - 1)
        one_seg = [self._acts[s - 1:s + w] for s, w in zip(starts[1:], widths[1:])]
        self._conv_out = seg[0]

        def gru(name, state_in, bias_first):
            return (*(p[f"{name}.{n}"] for n in ("weight_ih", "weight_hh", "bias_ih",
                                                  "bias_hh")), state_in, bias_first)

        self.grus = [_GruGroup([gru(f"grus.{i}", one_seg[i], True)], seg1[i], seg[i + 1])
                     for i in range(n_gru)]
        self._gains_h1 = one_seg[-1][:gains_n + 1]               # [1, h_gains]
        self._str_h1 = seg1[-1][gains_n:]                        # [h_str, 1]
        self.heads = _GruGroup([gru("gains_gru", self._gains_h1, True),
                                gru("str_gru", self._str_h1, False)], seg1[-2], seg[-1])
        self._last1 = seg1[-2]                                   # [h_last, 1], read by vad

        # Output layers (weights halved for _sigmoid_of_half_) into [gains, strengths, vad].
        self._w_gains = _affine(p["gains_out.weight"], p["gains_out.bias"], True) * _HALF
        self._w_str = _affine(p["str_out.weight"], p["str_out.bias"]) * _HALF
        self._w_vad = _affine(p["vad_out.weight"], p["vad_out.bias"]) * _HALF
        self._out = np.zeros(2 * NB_BANDS + 1, np.float32)
        self.gains, self.strengths = self._out[:NB_BANDS], self._out[NB_BANDS:2 * NB_BANDS]
        self._vad = self._out[2 * NB_BANDS:]
        self.reset()

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
        self._acts.fill(0.0)
        self._acts[self._ones] = 1.0

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
        np.minimum(x, self._clip_hi, out=x)
        np.maximum(x, self._clip_lo, out=x)
        # dense (tanh), straight into conv1's ring; conv1 (tanh) into conv2's ring
        c1, c2 = self.conv1, self.conv2
        dst = c1.slots[c1.pos]
        _einsum(_MATVEC, self.w_dense, self._x1, out=dst)
        np.tanh(dst, out=dst)
        dst = c2.slots[c2.pos]
        _einsum(_MATVEC, c1.w, c1.push(), out=dst)
        np.tanh(dst, out=dst)
        # conv2 (tanh), then the GRUs
        y = self._conv_out
        _einsum(_MATVEC, c2.w, c2.push(), out=y)
        np.tanh(y, out=y)
        for g in self.grus:
            g.step()
        self.heads.step()
        # Small output layers: np.dot has less call overhead than einsum there.
        np.dot(self._w_gains, self._gains_h1, out=self.gains)
        np.dot(self._w_str, self._str_h1, out=self.strengths)
        np.dot(self._w_vad, self._last1, out=self._vad)
        _sigmoid_of_half_(self._out)
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
