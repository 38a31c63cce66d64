"""Reading and writing audio files for the CLI (soundfile + scipy); never imported by the runtime path.

Every way a file can be unusable ends in ``AudioError`` whose message names the file and the
reason in one line (docs/bad-input.md lists them).
"""
import os
from fractions import Fraction
from pathlib import Path

import numpy as np

from .constants import SAMPLE_RATE

MIN_RATE = 8_000          # Hz: below this there is no speech band left to denoise
MAX_RATE = 384_000        # Hz: the highest rate audio interfaces offer
MAX_CHANNELS = 8          # channels are averaged to mono; more than 7.1 is not a recording to mix down


class AudioError(Exception):
    """A file that cannot be used as audio input or output.

    ``str(exc)`` is one line, ``"PATH: reason"``; ``exc.path`` and ``exc.reason`` hold the parts.
    """

    def __init__(self, path, reason):
        super().__init__(f"{path}: {reason}")
        self.path, self.reason = path, reason


def read_audio(path):
    """Read ``path`` as mono float32 at 48 kHz.

    Channels are averaged; other rates are resampled with ``scipy.signal.resample_poly``.
    Raises ``AudioError`` for a missing, empty, truncated or unreadable file, a rate outside
    ``MIN_RATE..MAX_RATE`` Hz or more than ``MAX_CHANNELS`` channels.

    Returns (samples [shape=(n,)], original rate in Hz, original length in samples at that rate).
    The length is what ``write_audio(..., length=)`` needs to give the file back sample for
    sample as long: resampling rounds up, and above 48 kHz an odd length cannot be told from
    the next even one once at 48 kHz.
    """
    import soundfile

    path = Path(path)
    if path.is_dir():
        raise AudioError(path, "is a directory, not a file")
    if not path.is_file():
        raise AudioError(path, "no such file")
    size = path.stat().st_size
    if size == 0:
        raise AudioError(path, "empty file (0 bytes)")
    try:
        f = soundfile.SoundFile(str(path))
    except Exception as exc:   # soundfile raises several types for unreadable input
        raise AudioError(path, f"not a readable audio file ({_one_line(exc)})") from None
    with f:
        rate, channels, frames = f.samplerate, f.channels, f.frames
        if not MIN_RATE <= rate <= MAX_RATE:
            raise AudioError(path, f"unsupported sample rate {rate} Hz "
                             f"(supported: {MIN_RATE}..{MAX_RATE} Hz)")
        if channels > MAX_CHANNELS:
            raise AudioError(path, f"unsupported channel count {channels} (at most {MAX_CHANNELS})")
        if frames == 0:
            raise AudioError(path, "the file holds no samples")
        missing = _wav_missing_bytes(path, size)
        if missing:
            raise AudioError(path, f"truncated (the header promises {missing[0]} bytes of "
                             f"samples, the file holds {missing[1]})")
        try:
            data = f.read(dtype="float32", always_2d=True)
        except Exception as exc:
            raise AudioError(path, f"truncated or corrupt ({_one_line(exc)})") from None
    if data.shape[0] < frames:
        raise AudioError(path, f"truncated (the header promises {frames} frames, "
                         f"{data.shape[0]} are readable)")
    mono = data.mean(axis=1)
    return resample(mono, rate, SAMPLE_RATE), rate, frames


def _one_line(exc):
    return " ".join(str(exc).split()) or type(exc).__name__


def _wav_missing_bytes(path, size):
    """For a RIFF/WAVE file whose data chunk runs past the end of the file, (promised, present) bytes.

    libsndfile silently shortens such a file to what is there, so a cut-off download would
    pass as complete. None for other formats, intact files, and the "unknown length" sizes
    (0, 0xFFFFFFFF) that streaming writers leave in the header.
    """
    with open(path, "rb") as f:
        head = f.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return None
        pos = 12
        while pos + 8 <= size:
            f.seek(pos)
            chunk = f.read(8)
            length = int.from_bytes(chunk[4:], "little")
            if chunk[:4] == b"data":
                present = size - pos - 8
                if length in (0, 0xFFFFFFFF) or length <= present:
                    return None
                return length, present
            pos += 8 + length + (length & 1)
    return None


def resample(x, rate_in, rate_out, *, length=None):
    """Resample float [shape=(n,)] from ``rate_in`` to ``rate_out`` Hz (polyphase); float32.

    The result has ``ceil(n * rate_out / rate_in)`` samples, or exactly ``length`` when given
    (cut at the end, or padded with zeros there).
    """
    if rate_in == rate_out:
        y = np.asarray(x, np.float32)
    else:
        from scipy.signal import resample_poly

        ratio = Fraction(int(rate_out), int(rate_in))
        y = resample_poly(x, ratio.numerator, ratio.denominator).astype(np.float32)
    if length is not None and len(y) != length:
        y = y[:length] if len(y) > length else np.pad(y, (0, length - len(y)))
    return y


def output_format(path):
    """The soundfile format that ``path``'s suffix asks for (no suffix: WAV); ``AudioError`` if none.

    Checked before any work is done, so a batch does not denoise a file it cannot write.
    """
    import soundfile

    path = Path(path)
    fmt = (path.suffix.lstrip(".") or "wav").upper()
    fmt = {"AIF": "AIFF", "OGA": "OGG", "OPUS": "OGG"}.get(fmt, fmt)
    if fmt not in soundfile.available_formats():
        raise AudioError(path, f"cannot write {path.suffix!r} files "
                         f"(use .wav, .flac, .ogg or another soundfile format)")
    return fmt


def write_audio(path, samples, rate, *, length=None):
    """Write mono float ``samples`` at 48 kHz to ``path`` at ``rate`` Hz, atomically.

    ``length``: samples to write at ``rate`` (the input's length from ``read_audio``); None
    writes what resampling gives, which can be one more.

    The data goes to a hidden ``.NAME.partial`` beside ``path`` and is renamed onto ``path``
    only when complete; on any failure the partial file is removed and ``path`` is untouched.
    """
    import soundfile

    path = Path(path)
    fmt = output_format(path)
    if path.is_dir():
        raise AudioError(path, "is a directory, cannot write a file there")
    subtype = {"WAV": "FLOAT", "OGG": "OPUS" if path.suffix.lower() == ".opus" else None}.get(fmt)
    data = resample(samples, SAMPLE_RATE, rate, length=length)
    tmp = path.with_name(f".{path.name}.partial")
    try:
        try:
            soundfile.write(str(tmp), data, rate, format=fmt, subtype=subtype)
            os.replace(tmp, path)
        except (OSError, RuntimeError, ValueError, TypeError) as exc:
            raise AudioError(path, f"cannot write ({_one_line(exc)})") from None
    finally:
        tmp.unlink(missing_ok=True)
