// Voice-activity events: hysteresis on the network's per-frame speech probability, and the input
// level while nobody speaks (a noisy microphone). The same state machine as
// py/percepnet_wasm/vad.py (its docstring has the reasoning), with the constants of constants.js.
// The worker runs update() on every frame; nothing here allocates.

import {
  NOISE_MIN_FRAMES, NOISE_TAU_FRAMES, NOISY_MIC_DB, NOISY_MIC_HYSTERESIS_DB, VAD_HANGOVER_FRAMES, VAD_OFF, VAD_ON,
  VAD_START_FRAMES,
} from "./constants.js";

// Bits of update()'s return value.
export const SPEECH_START = 1;
export const SPEECH_END = 2;
export const NOISY_ON = 4;
export const NOISY_OFF = 8;
export const SILENCE_DB = -100;    // the level of an all-zero frame

/** Mean square of samples[0..n) in dBFS (full scale 1.0), at least SILENCE_DB. */
export function levelDb(samples, n = samples.length) {
  let s = 0;
  for (let i = 0; i < n; i++) s += samples[i] * samples[i];
  return s > 0 ? Math.max(SILENCE_DB, 10 * Math.log10(s / n)) : SILENCE_DB;
}

export class VoiceActivity {
  constructor() {
    this.reset();
  }

  reset() {
    this.frame = -1;
    this.speaking = false;
    this.run = 0;              // frames in a row on the other side of the threshold
    this.onset = -1;           // first frame of the run that caused the last start
    this.offset = -1;          // ... the last end
    this.noiseDb = NaN;        // mean level of non-speech frames (NaN: none seen)
    this.noiseFrames = 0;
    this.noisy = false;
  }

  /**
   * Advance one frame: `probability` in [0, 1] (NaN without a model), `level` in dBFS.
   * @returns {number} 0 or SPEECH_START | SPEECH_END | NOISY_ON | NOISY_OFF
   */
  update(probability, level) {
    this.frame++;
    let events = 0;
    if (Number.isNaN(probability)) {         // no model, no verdict
      this.run = 0;
      return 0;
    }
    if (!this.speaking) {
      this.run = probability >= VAD_ON ? this.run + 1 : 0;
      if (this.run >= VAD_START_FRAMES) {
        this.speaking = true;
        this.run = 0;
        this.onset = this.frame - VAD_START_FRAMES + 1;
        events |= SPEECH_START;
      }
    } else {
      this.run = probability < VAD_OFF ? this.run + 1 : 0;
      if (this.run >= VAD_HANGOVER_FRAMES) {
        this.speaking = false;
        this.run = 0;
        this.offset = this.frame - VAD_HANGOVER_FRAMES + 1;
        events |= SPEECH_END;
      }
    }
    if (!this.speaking && probability < VAD_OFF) {
      this.noiseFrames++;
      const a = 1 / Math.min(this.noiseFrames, NOISE_TAU_FRAMES);   // a plain mean until the average is full
      this.noiseDb = Number.isNaN(this.noiseDb) ? level : this.noiseDb + a * (level - this.noiseDb);
      if (this.noiseFrames >= NOISE_MIN_FRAMES) {
        if (!this.noisy && this.noiseDb > NOISY_MIC_DB) {
          this.noisy = true;
          events |= NOISY_ON;
        } else if (this.noisy && this.noiseDb < NOISY_MIC_DB - NOISY_MIC_HYSTERESIS_DB) {
          this.noisy = false;
          events |= NOISY_OFF;
        }
      }
    }
    return events;
  }
}
