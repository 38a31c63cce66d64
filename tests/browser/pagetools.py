"""Moving float32 arrays in and out of test pages (base64 strings travel cheaply through Playwright),
and the values of worklet/constants.js."""
import base64
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
import build  # noqa: E402  (build.py: js_constants)
from percepnet_wasm.constants import SAMPLE_RATE  # noqa: E402


def js_constants():
    """The exports of worklet/constants.js as JavaScript evaluates them (Node imports the module)."""
    return build.js_constants()


JS = js_constants()
BRIDGE_DELAY = JS["BRIDGE_DELAY"]
TOTAL_LATENCY = JS["ALGORITHMIC_DELAY"] + BRIDGE_DELAY     # samples at 48 kHz, 10 ms device callbacks
TOTAL_LATENCY_LOW = JS["ALGORITHMIC_DELAY"] + JS["BRIDGE_DELAY_LOW"]   # small callbacks (latencyHint 0)
TOTAL_LATENCY_ALIGNED = JS["ALGORITHMIC_DELAY"] + JS["BRIDGE_DELAY_ALIGNED"]   # aligned quanta (createAudioContext)


def b64(a):
    return base64.b64encode(np.ascontiguousarray(a, np.float32).tobytes()).decode()


def unb64(s):
    return np.frombuffer(base64.b64decode(s), np.float32)


def noisy_vowel(rng, seconds=1.0, sr=SAMPLE_RATE):
    """A 150 Hz harmonic 'vowel' with a vibrato, in white noise at about 10 dB SNR."""
    t = np.arange(int(seconds * sr)) / sr
    f0 = 150 + 10 * np.sin(2 * np.pi * 3 * t)
    phase = 2 * np.pi * np.cumsum(f0) / sr
    voice = sum(np.sin(k * phase) / k for k in range(1, 20))
    voice *= 0.3 / np.max(np.abs(voice))
    noise = rng.standard_normal(len(t)) * 0.03
    return (voice + noise).astype(np.float32)
