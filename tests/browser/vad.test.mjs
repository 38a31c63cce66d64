// worklet/vad.js under `node --test`: the hysteresis and the noisy-microphone verdict, on the same
// made-up sequences as tests/test_vad.py (the Python twin), so both state machines agree.
import { test } from "node:test";
import assert from "node:assert/strict";

import { VAD_HANGOVER_FRAMES, VAD_OFF, VAD_ON } from "../../worklet/constants.js";
import { levelDb, NOISY_OFF, NOISY_ON, SILENCE_DB, SPEECH_END, SPEECH_START, VoiceActivity } from "../../worklet/vad.js";

const FRAME = 480;

test("speech starts after two frames over VAD_ON and ends after a hangover under VAD_OFF", () => {
  const level = levelDb(new Float32Array(FRAME).fill(1e-3));
  const seq = [
    ...Array(10).fill(0.1), ...Array(5).fill([VAD_ON, 0.5]).flat(),   // single frames over VAD_ON: no start
    0.9, 0.9,                                                          // two in a row: start, dated at the first
    ...Array(VAD_HANGOVER_FRAMES - 1).fill(0.1), VAD_OFF,              // a pause shorter than the hangover: no end
    ...Array(VAD_HANGOVER_FRAMES).fill(0.2), ...Array(5).fill(0.1),    // a long one: end, dated at its first frame
  ];
  const v = new VoiceActivity();
  const got = [];
  seq.forEach((p, k) => {
    const e = v.update(p, level);
    if (e) got.push([k, e]);
  });
  const start = 20;
  const end = start + 2 + VAD_HANGOVER_FRAMES;
  assert.deepEqual(got, [[start + 1, SPEECH_START], [end + VAD_HANGOVER_FRAMES - 1, SPEECH_END]]);
  assert.equal(v.onset, start);
  assert.equal(v.offset, end);
  assert.equal(new VoiceActivity().update(NaN, level), 0);           // no model: no events
});

test("no chatter: a probability hovering between the thresholds never toggles", () => {
  const v = new VoiceActivity();
  let events = 0;
  for (let k = 0; k < 1000; k++) events |= v.update(0.5 + 0.2 * Math.sin(k), -60) & (SPEECH_START | SPEECH_END);
  assert.equal(events, 0);
  v.update(0.9, -20);
  v.update(0.9, -20);
  assert.equal(v.speaking, true);
  for (let k = 0; k < 1000; k++) events |= v.update(0.5 + 0.2 * Math.sin(k), -60);
  assert.equal(events & SPEECH_END, 0);
});

test("noisy microphone: loud input without speech, not during speech; clears 5 dB lower", () => {
  const loud = levelDb(new Float32Array(FRAME).fill(0.02));   // -34 dBFS
  const quiet = loud - 40;
  const v = new VoiceActivity();
  const flags = Array.from({ length: 150 }, () => v.update(0.05, loud));
  assert.equal(flags.indexOf(NOISY_ON), 99);                   // after 1 s of non-speech
  for (let k = 0; k < 300; k++) v.update(0.95, quiet);         // speech does not count
  assert.equal(v.noisy, true);
  const later = Array.from({ length: 300 }, () => v.update(0.05, quiet));
  assert.ok(later.includes(NOISY_OFF));
  assert.equal(v.noisy, false);
  assert.equal(levelDb(new Float32Array(FRAME)), SILENCE_DB);
});
