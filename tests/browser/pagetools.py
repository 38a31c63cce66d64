"""Moving float32 arrays in and out of test pages (base64 strings travel cheaply through Playwright)."""
import base64

import numpy as np


def b64(a):
    return base64.b64encode(np.ascontiguousarray(a, np.float32).tobytes()).decode()


def unb64(s):
    return np.frombuffer(base64.b64decode(s), np.float32)


def noisy_vowel(rng, seconds=1.0, sr=48000):
    """A 150 Hz harmonic 'vowel' with a vibrato, in white noise at about 10 dB SNR."""
    t = np.arange(int(seconds * sr)) / sr
    f0 = 150 + 10 * np.sin(2 * np.pi * 3 * t)
    phase = 2 * np.pi * np.cumsum(f0) / sr
    voice = sum(np.sin(k * phase) / k for k in range(1, 20))
    voice *= 0.3 / np.max(np.abs(voice))
    noise = rng.standard_normal(len(t)) * 0.03
    return (voice + noise).astype(np.float32)
