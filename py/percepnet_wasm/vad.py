"""Voice-activity events from the network's per-frame speech probability.

``VoiceActivity`` turns the probability that ``Denoiser.vad`` gives for each 10 ms frame into
the two signals that call pages ask for (as Jitsi shows "are you talking while muted?" and
"your microphone is noisy"):

* **speech start / end, with hysteresis.** Speech starts once ``VAD_START_FRAMES`` frames in a
  row reach ``VAD_ON`` (0.75) and ends once ``VAD_HANGOVER_FRAMES`` frames in a row (200 ms) fall
  below ``VAD_OFF`` (0.35); the frame reported is the first of the run, so an onset is dated
  where it happened, not where it was confirmed.
* **a noisy microphone**: the input's level in frames without speech, averaged over about 1 s,
  is above ``NOISY_MIC_DB`` (-45 dBFS); it clears ``NOISY_MIC_HYSTERESIS_DB`` (5 dB) lower.

``worklet/vad.js`` is the same state machine in JavaScript (run by the worker on every frame);
the constants are shared through ``constants.py`` / ``worklet/constants.js``. The update
allocates nothing.
"""
import math

from .constants import (NOISE_MIN_FRAMES, NOISE_TAU_FRAMES, NOISY_MIC_DB, NOISY_MIC_HYSTERESIS_DB, VAD_HANGOVER_FRAMES,
                        VAD_OFF, VAD_ON, VAD_START_FRAMES)

# Bits of ``VoiceActivity.update``'s return value (also in worklet/vad.js).
SPEECH_START = 1
SPEECH_END = 2
NOISY_ON = 4
NOISY_OFF = 8
SILENCE_DB = -100.0        # the level of an all-zero frame


def level_db(frame):
    """Mean square of ``frame`` in dBFS (full scale = 1.0), at least ``SILENCE_DB``."""
    ms = float(frame @ frame) / len(frame) if len(frame) else 0.0
    return max(SILENCE_DB, 10.0 * math.log10(ms)) if ms > 0 else SILENCE_DB


class VoiceActivity:
    """Hysteresis on per-frame speech probabilities, and the noise level while nobody speaks.

    Call ``update(probability, level)`` once per frame; it returns 0 or a combination of
    ``SPEECH_START``, ``SPEECH_END``, ``NOISY_ON``, ``NOISY_OFF``. ``onset`` / ``offset`` are the
    frame indices (from 0, counting updates) of the first frame of the run that caused the last
    start / end. A NaN probability (no model) never starts or ends speech and is not counted
    as silence for the noise level.
    """

    def __init__(self):
        self.reset()

    def reset(self):
        self.frame = -1
        self.speaking = False
        self.run = 0                 # frames in a row on the other side of the threshold
        self.onset = None
        self.offset = None
        self.noise_db = None         # average level of non-speech frames (None: none seen)
        self.noise_frames = 0
        self.noisy = False

    def update(self, probability, level):
        """Advance one frame. ``probability`` in [0, 1] (or NaN); ``level`` in dBFS (``level_db``)."""
        self.frame += 1
        events = 0
        if probability != probability:            # NaN: no model, no verdict
            self.run = 0
            return 0
        if not self.speaking:
            self.run = self.run + 1 if probability >= VAD_ON else 0
            if self.run >= VAD_START_FRAMES:
                self.speaking, self.run = True, 0
                self.onset = self.frame - VAD_START_FRAMES + 1
                events |= SPEECH_START
        else:
            self.run = self.run + 1 if probability < VAD_OFF else 0
            if self.run >= VAD_HANGOVER_FRAMES:
                self.speaking, self.run = False, 0
                self.offset = self.frame - VAD_HANGOVER_FRAMES + 1
                events |= SPEECH_END
        if not self.speaking and probability < VAD_OFF:
            self.noise_frames += 1
            a = 1.0 / min(self.noise_frames, NOISE_TAU_FRAMES)     # a plain mean until the average is full
            self.noise_db = level if self.noise_db is None else self.noise_db + a * (level - self.noise_db)
            if self.noise_frames >= NOISE_MIN_FRAMES:
                if not self.noisy and self.noise_db > NOISY_MIC_DB:
                    self.noisy = True
                    events |= NOISY_ON
                elif self.noisy and self.noise_db < NOISY_MIC_DB - NOISY_MIC_HYSTERESIS_DB:
                    self.noisy = False
                    events |= NOISY_OFF
        return events

