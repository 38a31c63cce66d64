"""Moving float32 arrays in and out of test pages (base64 strings travel cheaply through Playwright),
the values of worklet/constants.js, and the test signals fed to the pages."""
import base64
import sys
from pathlib import Path

import numpy as np
import soundfile as sf

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


EXAMPLES = Path(__file__).resolve().parents[2] / "py" / "percepnet_wasm" / "examples"
SPEECH_LOOP_S = 4.0
SPEECH_LOOP_NOISE_RMS = 0.02   # white noise at -34 dBFS under speech at about -7 dBFS (active)


def speech_loop():
    """4 s for a fake microphone to loop: the first utterance of examples/speech.wav (0.3-2.55 s),
    then silence; white noise throughout. float32 [shape=(192000,)] at 48 kHz."""
    speech, _ = sf.read(EXAMPLES / "speech.wav", dtype="float32")
    clean = np.zeros(int(SPEECH_LOOP_S * SAMPLE_RATE), np.float32)
    clean[:int(2.6 * SAMPLE_RATE)] = 0.5 * speech[:int(2.6 * SAMPLE_RATE)]
    noise = np.random.default_rng(21).standard_normal(len(clean)).astype(np.float32) * SPEECH_LOOP_NOISE_RMS
    return clean + noise


def noisy_vowel(rng, seconds=1.0, sr=SAMPLE_RATE):
    """A 150 Hz harmonic 'vowel' with a vibrato, in white noise at about 10 dB SNR."""
    t = np.arange(int(seconds * sr)) / sr
    f0 = 150 + 10 * np.sin(2 * np.pi * 3 * t)
    phase = 2 * np.pi * np.cumsum(f0) / sr
    voice = sum(np.sin(k * phase) / k for k in range(1, 20))
    voice *= 0.3 / np.max(np.abs(voice))
    noise = rng.standard_normal(len(t)) * 0.03
    return (voice + noise).astype(np.float32)
