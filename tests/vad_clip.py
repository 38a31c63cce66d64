"""A clip with speech segments known by construction, for the voice-activity tests
(tests/test_vad.py natively, tests/browser/test_vad_events.py in Chromium).

Digital silence, then the example noise alone, then the first utterance of ``examples/speech.wav``
(its first 2.6 s: the utterance is frames 30-254, followed by digital silence) in the same noise,
then noise alone. The labelled onset and end are the first and last 10 ms frames of the utterance
whose clean level is above -40 dBFS, found in the clean speech, so they do not depend on the model.
"""
from pathlib import Path

import numpy as np
import soundfile as sf

from percepnet_wasm import vad
from percepnet_wasm.constants import FRAME_SIZE, SAMPLE_RATE

EXAMPLES = Path(vad.__file__).parent / "examples"
FRAME_S = FRAME_SIZE / SAMPLE_RATE
SPEECH_S = 2.6


def frame_levels(x):
    n = len(x) // FRAME_SIZE * FRAME_SIZE
    return 10 * np.log10(np.mean(x[:n].reshape(-1, FRAME_SIZE) ** 2, axis=1) + 1e-12)


def make_clip(silence_s=0.8, noise_s=0.8, tail_s=1.2, noise_gain=0.1):
    """{"noisy": float32 48 kHz, "onset", "end": labelled times (s), "speech_from", "speech_to"}.

    ``noise_gain`` 0.1 puts the example noise at about -44 dBFS (the speech is at -7 dBFS)."""
    speech, _ = sf.read(EXAMPLES / "speech.wav", dtype="float32")
    noise, _ = sf.read(EXAMPLES / "noise.wav", dtype="float32")
    speech = speech[:int(SPEECH_S * SAMPLE_RATE)]
    lead, lead_noise, tail = (int(s * SAMPLE_RATE) for s in (silence_s, noise_s, tail_s))
    clean = np.concatenate([np.zeros(lead + lead_noise, np.float32), speech, np.zeros(tail, np.float32)])
    noisy = clean + np.concatenate([np.zeros(lead, np.float32), noise_gain * np.resize(noise, len(clean) - lead)])
    loud = np.flatnonzero(frame_levels(speech) > -40.0)
    start = (lead + lead_noise) / SAMPLE_RATE
    return {"noisy": noisy.astype(np.float32), "onset": start + loud[0] * FRAME_S,
            "end": start + (loud[-1] + 1) * FRAME_S, "speech_from": start, "speech_to": start + SPEECH_S}


def native_events(x, model="default"):
    """The events ``VoiceActivity`` gives on ``x`` natively: [(kind, frame)], kind one of
    "start", "end" (frame: the input frame dated by onset / offset), "noisy", "quiet" (frame:
    the frame that decided), and the per-frame probabilities."""
    from percepnet_wasm.denoiser import Denoiser, enhance

    prob = np.empty(-(-len(x) // FRAME_SIZE), np.float32)
    enhance(x, Denoiser(model=model), vad=prob)
    tracker, events = vad.VoiceActivity(), []
    for k, p in enumerate(prob):
        e = tracker.update(float(p), vad.level_db(x[k * FRAME_SIZE:(k + 1) * FRAME_SIZE]))
        if e & vad.SPEECH_START:
            events.append(("start", tracker.onset))
        if e & vad.SPEECH_END:
            events.append(("end", tracker.offset))
        if e & vad.NOISY_ON:
            events.append(("noisy", k))
        if e & vad.NOISY_OFF:
            events.append(("quiet", k))
    return events, prob
