"""Reading and writing audio files for the CLI (soundfile + scipy); never imported by the runtime path."""
from fractions import Fraction
from pathlib import Path

import numpy as np

from .constants import SAMPLE_RATE


class AudioError(Exception):
    """A file that cannot be used as audio input; the message names the file and the reason."""


def read_audio(path):
    """Read ``path`` as mono float32 at 48 kHz.

    Channels are averaged; other rates are resampled with ``scipy.signal.resample_poly``.
    Returns (samples [shape=(n,)], original rate in Hz).
    """
    import soundfile

    path = Path(path)
    if not path.is_file():
        raise AudioError(f"{path}: no such file")
    try:
        data, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    except Exception as exc:   # soundfile raises several types for unreadable input
        raise AudioError(f"{path}: not a readable audio file ({exc})") from None
    if data.shape[0] == 0:
        raise AudioError(f"{path}: the file holds no samples")
    mono = data.mean(axis=1)
    return resample(mono, rate, SAMPLE_RATE), rate


def resample(x, rate_in, rate_out):
    """Resample float [shape=(n,)] from ``rate_in`` to ``rate_out`` Hz (polyphase); float32."""
    if rate_in == rate_out:
        return np.asarray(x, np.float32)
    from scipy.signal import resample_poly

    ratio = Fraction(int(rate_out), int(rate_in))
    return resample_poly(x, ratio.numerator, ratio.denominator).astype(np.float32)


def write_audio(path, samples, rate):
    """Write mono float ``samples`` at 48 kHz to ``path`` at ``rate`` Hz, atomically (tmp file, then rename)."""
    import soundfile

    path = Path(path)
    data = resample(samples, SAMPLE_RATE, rate)
    tmp = path.with_name(f".{path.name}.partial")
    fmt = (path.suffix.lstrip(".") or "wav").upper()
    try:
        soundfile.write(str(tmp), data, rate, format=fmt, subtype="FLOAT" if fmt == "WAV" else None)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
