// AudioContext set-up for the smallest bridge delay, without any node (importable in Node):
// the render quantum that aligns with our 10 ms frames, a context made with it, and the
// bridge delay measured to suffice for a given context (see constants.js for the numbers).

import {
  BRIDGE_DELAY, BRIDGE_DELAY_ALIGNED, BRIDGE_DELAY_LOW, FRAME_SIZE, RENDER_QUANTUM, SAMPLE_RATE, SMALL_CALLBACK,
} from "./constants.js";

/**
 * The render quantum (samples at `sampleRate`) that carries exactly one 10 ms frame, so that
 * every frame ends on a quantum boundary: 480 at 48 kHz, 441 at 44.1 kHz; null for rates where
 * 10 ms is no whole number of samples (22.05 kHz).
 * @param {number} sampleRate  Hz
 */
export function alignedQuantum(sampleRate) {
  const quantum = (sampleRate * FRAME_SIZE) / SAMPLE_RATE;
  return Number.isInteger(quantum) ? quantum : null;
}

/**
 * A real-time AudioContext made for the smallest bridge delay: where the browser takes
 * `renderSizeHint` (Chromium), the aligned render quantum (`alignedQuantum`: one 10 ms frame,
 * so 10 ms device callbacks, as Chromium's default context on Linux has) with `latencyHint: 0`
 * (one quantum per callback), which allows BRIDGE_DELAY_ALIGNED (40 ms in all). The device's
 * own sample rate is kept unless `options.sampleRate` asks for another; other options pass on.
 * Elsewhere it is a `latencyHint: 0` context with 128-sample quanta (BRIDGE_DELAY_LOW).
 * @param {AudioContextOptions} [options]
 * @returns {AudioContext}
 */
export function createAudioContext(options = {}) {
  const make = (rate) => {
    const quantum = alignedQuantum(rate);
    return new AudioContext({ latencyHint: 0, ...options, ...(quantum ? { renderSizeHint: quantum } : {}) });
  };
  let context = make(options.sampleRate ?? SAMPLE_RATE);
  const quantum = alignedQuantum(context.sampleRate);
  if (quantum && context.renderQuantumSize !== undefined && context.renderQuantumSize !== quantum) {
    // The device runs at another rate than guessed (44.1 kHz, say): ask again for its quantum.
    const rate = context.sampleRate;
    context.close().catch(() => {});
    context = make(rate);
  }
  return context;
}

/**
 * The bridge delay (48 kHz samples) measured to run without underruns for `context`:
 * BRIDGE_DELAY_ALIGNED for an aligned render quantum (`alignedQuantum`) with one quantum per
 * device callback, BRIDGE_DELAY_LOW when the device callback is at most SMALL_CALLBACK samples
 * (e.g. `latencyHint: 0` with 128-sample quanta), else BRIDGE_DELAY (10 ms callbacks, offline
 * contexts, browsers that do not say).
 * @param {BaseAudioContext} context
 */
export function defaultBridgeDelay(context) {
  const rate = context.sampleRate;
  const quantum = context.renderQuantumSize ?? RENDER_QUANTUM;
  const callback = (context.baseLatency || 0) * rate;          // samples per device callback
  if (callback <= 0) return BRIDGE_DELAY;
  if (quantum === alignedQuantum(rate) && callback < quantum + 1) return BRIDGE_DELAY_ALIGNED;
  return (callback * SAMPLE_RATE) / rate <= SMALL_CALLBACK ? BRIDGE_DELAY_LOW : BRIDGE_DELAY;
}
