"""Objective speech-quality metrics, all offline.

Every function takes float signals in [-1, 1] (any float dtype, 1-D) at the stated rate.

- ``si_sdr``  : scale-invariant SDR in dB (NumPy, Le Roux et al. 2019).
- ``pesq_wb`` : ITU-T P.862.2 wide-band PESQ (PyPI ``pesq``), computed at 16 kHz.
- ``stoi``    : short-time objective intelligibility (PyPI ``pystoi``), 0..1.
- ``dnsmos``  : DNSMOS P.835 SIG/BAK/OVRL (PyPI ``speechmos``; its ONNX models ship in the
  wheel, so nothing is downloaded), non-intrusive, computed at 16 kHz.
- ``score``   : all of the above after ``align``.

Silent or degenerate clips
--------------------------
Intrusive metrics (SI-SDR, PESQ, STOI) are undefined when the clean reference carries no
speech. ``score`` returns NaN for them when the reference RMS is below ``SILENCE_DBFS``
(-70 dBFS), and PESQ returns NaN when the ``pesq`` library finds no utterance. DNSMOS is
NaN when the estimate itself is silent. Aggregates must therefore use ``np.nanmean`` and
report how many clips were skipped.
"""
from __future__ import annotations

import math
import threading
from functools import lru_cache
from math import gcd

import numpy as np

__all__ = ["align", "si_sdr", "pesq_wb", "stoi", "dnsmos", "score", "resample",
           "SILENCE_DBFS", "METRIC_KEYS"]

#: Reference RMS (dBFS) under which a clip counts as silent for intrusive metrics.
SILENCE_DBFS = -70.0
#: Keys of the dict returned by ``score``, in table order.
METRIC_KEYS = ("pesq", "stoi", "si_sdr", "sig", "bak", "ovrl")


def _as_1d(x, name):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {x.shape}")
    if x.size == 0:
        raise ValueError(f"{name} is empty")
    return x


def _rms_dbfs(x):
    return 10.0 * math.log10(float(np.mean(np.square(x))) + 1e-30)


def resample(x, rate_in, rate_out):
    """Polyphase resampling (``scipy.signal.resample_poly``).

    Parameters
    ----------
    x : np.ndarray [shape=(n,)]
    rate_in, rate_out : int, Hz

    Returns
    -------
    np.ndarray [shape=(about n * rate_out / rate_in,)], float64
    """
    if rate_in == rate_out:
        return np.asarray(x, dtype=np.float64)
    from scipy.signal import resample_poly
    g = gcd(int(rate_in), int(rate_out))
    return resample_poly(np.asarray(x, dtype=np.float64), rate_out // g, rate_in // g)


def align(ref, est, max_lag=4800):
    """Remove an integer delay between ``est`` and ``ref`` and trim both to the overlap.

    The delay is the peak of the cross-correlation within ``[-max_lag, max_lag]`` samples.
    A positive lag means ``est`` is late: ``est[n + lag] ~ ref[n]``.

    Parameters
    ----------
    ref, est : np.ndarray [shape=(n,), (m,)]
    max_lag : int, samples (default 4800 = 100 ms at 48 kHz)

    Returns
    -------
    ref_aligned, est_aligned : np.ndarray [shape=(k,)], float64, equal length
    lag : int, samples
    """
    ref = _as_1d(ref, "ref")
    est = _as_1d(est, "est")
    if max_lag < 0:
        raise ValueError(f"max_lag must be >= 0, got {max_lag}")
    n = len(ref) + len(est)
    nfft = 1 << (n - 1).bit_length()
    xc = np.fft.irfft(np.fft.rfft(est, nfft) * np.conj(np.fft.rfft(ref, nfft)), nfft)
    lags = np.arange(-max_lag, max_lag + 1)
    # Negative lags wrap to the end of the circular correlation.
    lag = int(lags[np.argmax(xc[lags % nfft])]) if np.any(xc) else 0
    start_ref = max(0, -lag)
    start_est = start_ref + lag
    k = min(len(ref) - start_ref, len(est) - start_est)
    if k <= 0:
        raise ValueError(f"no overlap after removing lag {lag} "
                         f"(len ref {len(ref)}, len est {len(est)})")
    return ref[start_ref:start_ref + k], est[start_est:start_est + k], lag


def si_sdr(ref, est):
    """Scale-invariant signal-to-distortion ratio in dB.

    Both signals are made zero-mean; ``est`` is projected onto ``ref``. Equal lengths
    required (call ``align`` first). Returns NaN when ``ref`` is all zeros. A perfect
    estimate gives about +156 dB (the error is floored at float64 eps times the target
    energy) rather than inf.

    Parameters
    ----------
    ref, est : np.ndarray [shape=(n,)]

    Returns
    -------
    float, dB
    """
    ref = _as_1d(ref, "ref")
    est = _as_1d(est, "est")
    if ref.shape != est.shape:
        raise ValueError(f"ref and est differ in length: {len(ref)} vs {len(est)}")
    ref = ref - ref.mean()
    est = est - est.mean()
    e_ref = float(np.dot(ref, ref))
    if e_ref == 0.0:
        return float("nan")
    target = (np.dot(est, ref) / e_ref) * ref
    e_t = float(np.dot(target, target))
    err = est - target
    e_err = float(np.dot(err, err))
    eps = np.finfo(np.float64).eps * max(e_t, e_ref)
    return 10.0 * math.log10((e_t + 1e-300) / (e_err + eps))


def _at_16k(ref, est, rate):
    """Both signals, checked to be 1-D, resampled from ``rate`` to 16 kHz."""
    return resample(_as_1d(ref, "ref"), rate, 16000), resample(_as_1d(est, "est"), rate, 16000)


def pesq_wb(ref, est, rate):
    """Wide-band PESQ (P.862.2 MOS-LQO, about 1.04..4.64), computed at 16 kHz.

    Signals at another rate are resampled to 16 kHz first. Returns NaN when the
    ``pesq`` library finds no utterance in the reference (silent clip).

    Parameters
    ----------
    ref, est : np.ndarray [shape=(n,)], equal length
    rate : int, Hz

    Returns
    -------
    float
    """
    from pesq import pesq, PesqError
    ref16, est16 = _at_16k(ref, est, rate)
    try:
        return float(pesq(16000, ref16, est16, "wb"))
    except PesqError:
        return float("nan")


def stoi(ref, est, rate):
    """STOI (``pystoi``, classic, not extended), 0..1.

    ``pystoi`` resamples internally to 10 kHz; we hand it 16 kHz signals to keep that
    step cheap.

    Parameters
    ----------
    ref, est : np.ndarray [shape=(n,)], equal length
    rate : int, Hz

    Returns
    -------
    float
    """
    from pystoi import stoi as _stoi
    ref16, est16 = _at_16k(ref, est, rate)
    return float(_stoi(ref16, est16, 16000, extended=False))


_dnsmos_lock = threading.Lock()


@lru_cache(maxsize=1)
def _dnsmos_model():
    """The speechmos DNSMOS P.835 model with single-threaded ONNX sessions.

    speechmos builds its sessions with onnxruntime defaults (all cores); we rebuild them
    with one intra-op thread so a process pool of N workers uses N cores.
    """
    import os
    import onnxruntime as ort
    from speechmos import dnsmos as _dm

    d = os.path.join(os.path.dirname(os.path.abspath(_dm.__file__)), "dnsmos_models")
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    model = object.__new__(_dm.DNSMOS)
    model.primary_model_path = os.path.join(d, "sig_bak_ovr.onnx")
    model.onnx_sess = ort.InferenceSession(model.primary_model_path, opts,
                                           providers=["CPUExecutionProvider"])
    model.p808_onnx_sess = ort.InferenceSession(os.path.join(d, "model_v8.onnx"), opts,
                                                providers=["CPUExecutionProvider"])
    return model


def dnsmos(est, rate):
    """DNSMOS P.835 (non-personalised) scores of one clip.

    Resampled to 16 kHz and clipped to [-1, 1] (speechmos refuses values outside).
    Clips shorter than 9.01 s are tiled by speechmos, as in the DNS challenge scripts.

    Parameters
    ----------
    est : np.ndarray [shape=(n,)]
    rate : int, Hz

    Returns
    -------
    dict with float ``sig``, ``bak``, ``ovrl`` (1..5), NaN when ``est`` is silent.
    """
    x = resample(_as_1d(est, "est"), rate, 16000)
    if _rms_dbfs(x) < SILENCE_DBFS:
        return {"sig": float("nan"), "bak": float("nan"), "ovrl": float("nan")}
    x = np.clip(x, -1.0, 1.0).astype(np.float32)
    with _dnsmos_lock:
        r = _dnsmos_model()(x, 16000, False)
    return {"sig": float(r["sig_mos"]), "bak": float(r["bak_mos"]),
            "ovrl": float(r["ovrl_mos"])}


def score(ref, est, rate, *, max_lag=None, with_dnsmos=True):
    """All metrics of one enhanced clip against its clean reference.

    ``est`` is first aligned to ``ref`` (``align``, safety net: systems should already
    return delay-compensated output, and ``lag`` reports what was left).

    Parameters
    ----------
    ref, est : np.ndarray [shape=(n,), (m,)]
    rate : int, Hz
    max_lag : int or None, samples (default: 100 ms)
    with_dnsmos : bool

    Returns
    -------
    dict: ``pesq``, ``stoi``, ``si_sdr`` (dB), ``sig``, ``bak``, ``ovrl`` (NaN when not
    computed or undefined, see the module docstring), ``lag`` (samples), ``silent`` (bool).
    """
    if max_lag is None:
        max_lag = int(round(0.1 * rate))
    ref_a, est_a, lag = align(ref, est, max_lag=max_lag)
    nan = float("nan")
    out = {k: nan for k in METRIC_KEYS}
    out["lag"] = lag
    out["silent"] = _rms_dbfs(ref_a) < SILENCE_DBFS
    if not out["silent"]:
        out["si_sdr"] = si_sdr(ref_a, est_a)
        out["pesq"] = pesq_wb(ref_a, est_a, rate)
        out["stoi"] = stoi(ref_a, est_a, rate)
    if with_dnsmos:
        out.update(dnsmos(est_a, rate))
    return out


def versions():
    """Versions of the metric libraries, for report headers."""
    from importlib.metadata import version, PackageNotFoundError
    out = {}
    for p in ("numpy", "scipy", "pesq", "pystoi", "speechmos", "onnxruntime", "librosa"):
        try:
            out[p] = version(p)
        except PackageNotFoundError:
            out[p] = "not installed"
    return out
