// The audio-thread half of the bridge, without any Web Audio glue, so that it
// can be tested in Node: rate conversion to/from 48 kHz, the input ring push,
// the fixed bridge delay, the dry path, underrun accounting and crossfades.
//
// Timeline (all indices in 48 kHz samples since the node started):
//   in48[a]   the a-th sample pushed towards the worker (after resampling)
//   y48[t]    the t-th sample handed to the output resampler
// The worker stream starts at s (the first input pushed once the worker is
// ready), so the Denoiser sees in48[s + j] and returns den[j] = in48[s + j - 1440].
// The node's output is
//   y48[t] = den[t - s - D]     wet, when it arrived in time (t >= s + D)
//   y48[t] = in48[t - L]        dry, otherwise (L = 1440 + D)
// Both are in48 delayed by exactly L, so the latency never changes, whichever
// path a sample takes. When a wet block is late its samples are skipped once
// they arrive (debt), so wet and dry stay aligned for ever.
// A stream that starts mid-audio (s > 0: the worker became ready, or was
// restarted, while audio flowed) also skips its first 1440 wet samples: they
// are made from input the worker never saw (its history starts at zero), so
// the dry path covers them instead of a 30 ms dip.
//
// Nothing in process() allocates: every buffer is made in the constructor.

import {
  ALGORITHMIC_DELAY, BRIDGE_DELAY, CROSSFADE, CTRL, FRAME_SIZE, RENDER_QUANTUM, SAMPLE_RATE,
} from "./constants.js";
import { Resampler } from "./resampler.js";

export const STATE = Object.freeze({ LOADING: 0, PROCESSING: 1, PASS_THROUGH: 2 });

/**
 * The least bridge delay (48 kHz samples) with which every frame can be complete by the quantum
 * that plays its last sample, even offline where the worklet may wait for the worker. A quantum
 * ends r samples into a frame, r a multiple of gcd(quantum, 480) at 48 kHz, so up to
 * 480 - gcd(quantum, 480) samples are still missing (448 for 128-sample quanta, 0 for 480). A
 * resampled quantum brings a varying count, so any r can happen: 479. Real time needs more on
 * top: the worker's time (defaultBridgeDelay).
 * @param {number} quantum  context-rate samples per process() call
 * @param {number} rate     the context's sample rate, Hz
 */
export function minBridgeDelay(quantum, rate) {
  let a = quantum, b = FRAME_SIZE;
  while (b) [a, b] = [b, a % b];                            // a = gcd(quantum, FRAME_SIZE)
  return FRAME_SIZE - (rate === SAMPLE_RATE ? a : 1);
}

// Consecutive underrun quanta before the state says pass-through (about 130 ms).
const STALL_QUANTA = 50;
// Offline rendering may wait for the worker; give up after this long (ms).
const OFFLINE_WAIT_MS = 10000;

export class Bridge {
  /**
   * @param {object} o
   * @param {RingBuffer} o.inRing   48 kHz samples to the worker
   * @param {RingBuffer} o.outRing  48 kHz samples from the worker
   * @param {Int32Array} o.ctrl     shared control block (CTRL indices)
   * @param {number} o.rate         the AudioContext's sample rate, Hz
   * @param {boolean} o.offline     OfflineAudioContext: wait for the worker instead of underrunning
   * @param {number} [o.bridgeDelay]
   * @param {number} [o.quantum]     context-rate samples per process() call (the render quantum)
   */
  constructor({
    inRing, outRing, ctrl, rate, offline = false, bridgeDelay = BRIDGE_DELAY, quantum = RENDER_QUANTUM, now = Date.now,
  }) {
    if (bridgeDelay < minBridgeDelay(quantum, rate)) {
      throw new RangeError(`bridgeDelay ${bridgeDelay} < ${minBridgeDelay(quantum, rate)}: frames could never arrive in time`);
    }
    this.inRing = inRing;
    this.outRing = outRing;
    this.ctrl = ctrl;
    this.offline = offline;
    this.now = now;
    this.D = bridgeDelay;
    this.L = ALGORITHMIC_DELAY + bridgeDelay;
    this.rate = rate;
    const n = quantum;
    const max48 = Math.ceil((n * SAMPLE_RATE) / rate) + 2;    // most 48 kHz samples per quantum
    this.up = rate === SAMPLE_RATE ? null : new Resampler(rate, SAMPLE_RATE, n);
    this.down = rate === SAMPLE_RATE ? null : new Resampler(SAMPLE_RATE, rate, max48);
    this.in48 = new Float32Array(max48);
    this.wet48 = new Float32Array(max48);
    this.out48 = new Float32Array(max48);
    this.scratch = new Float32Array(max48);
    let size = 1;
    while (size < this.L + 4 * max48 + 1024) size *= 2;
    this.dry = new Float32Array(size);                        // circular: in48[a] at dry[a & mask]
    this.mask = size - 1;
    this.pushed = 0;          // a: in48 samples produced so far
    this.consumed = 0;        // t: y48 samples produced so far
    this.streamStart = -1;    // s, or -1 while the worker is loading
    this.wetStart = Infinity; // first y48 index taken from the worker (s + D, or s + D + 1440 mid-audio)
    this.generation = 1;      // the worker generation whose CTRL.READY starts the stream
    this.debt = 0;            // wet samples to drop when they arrive (they came too late)
    this.gain = 0;            // wet share, 0..1, ramps by 1/CROSSFADE per sample
    this.lateRun = 0;         // consecutive underrun quanta
    this.state = STATE.LOADING;
    this.overflow = false;    // the input ring was full: the worker is gone for good
    this.pendingRebind = null; // {inRing, outRing, generation}: taken once the wet path has faded out
  }

  /** Quanta that had to use the dry path so far: CTRL.UNDERRUNS, the node's stats() count. */
  get underruns() {
    return Atomics.load(this.ctrl, CTRL.UNDERRUNS);
  }

  /** Total latency in output (context-rate) samples, fractional when resampling. */
  get latency() {
    if (!this.up) return this.L;
    return (this.up.delaySeconds + this.L / SAMPLE_RATE + this.down.delaySeconds) * this.rate;
  }

  /**
   * One render quantum.
   * @param {Float32Array} input   mono, context rate, one render quantum
   * @param {Float32Array} output  mono, context rate, one render quantum (written)
   * @returns {number} the state after this quantum (STATE.*)
   */
  process(input, output) {
    const ctrl = this.ctrl;
    if (this.pendingRebind && this.gain === 0) this.takePendingRebind();
    // 1. to 48 kHz, remember for the dry path, push to the worker once it is ready
    const m = this.up ? this.up.process(input, input.length, this.in48) : copy(input, this.in48, input.length);
    for (let j = 0; j < m; j++) this.dry[(this.pushed + j) & this.mask] = this.in48[j];
    if (this.streamStart < 0 && Atomics.load(ctrl, CTRL.READY) === this.generation) this.startStream();
    if (this.streamStart >= 0 && !this.overflow) {
      if (this.inRing.push(this.in48, m) < m) this.overflow = true;
      Atomics.add(ctrl, CTRL.INPUT_SEQ, 1);
      Atomics.notify(ctrl, CTRL.INPUT_SEQ);
    }
    this.pushed += m;

    // 2. the 48 kHz samples this quantum needs: dry always, wet when it is there
    const n = this.down ? this.down.inputNeeded(output.length) : output.length;
    const t0 = this.consumed;
    for (let j = 0; j < n; j++) {
      const a = t0 + j - this.L;
      this.out48[j] = a >= 0 ? this.dry[a & this.mask] : 0;
    }
    const first = Math.max(0, Math.min(n, this.wetStart - t0));   // leading samples before the wet stream
    const k = n - first;                                      // wet samples wanted
    let haveWet = false;
    if (k > 0 && !this.overflow) {
      haveWet = this.takeWet(first, k);
      if (!haveWet) {
        this.debt += k;
        Atomics.add(ctrl, CTRL.UNDERRUNS, 1);                 // the one count (stats() reads it)
      }
    }

    // 3. mix: wet when enabled and present, else dry; ramps instead of steps where possible
    const enabled = Atomics.load(ctrl, CTRL.ENABLED) === 1;
    let target = enabled && haveWet && !this.pendingRebind ? 1 : 0;
    // About to run dry (real time only)? Fade out while the wet samples last.
    if (target === 1 && !this.offline && this.workerBehind(t0, n, m)) {
      target = 0;
      Atomics.add(ctrl, CTRL.EARLY_FADES, 1);
    }
    if (!haveWet) this.gain = 0;                              // nothing to fade from
    this.mix(first, n, target);
    this.consumed += n;

    // 4. back to the context rate
    if (this.down) this.down.process(this.out48, n, output);
    else copy(this.out48, output, n);

    // 5. state
    this.lateRun = k > 0 && !haveWet ? this.lateRun + 1 : haveWet ? 0 : this.lateRun;
    let state = this.state;
    if (this.overflow || this.lateRun >= STALL_QUANTA) state = STATE.PASS_THROUGH;
    else if (haveWet) state = STATE.PROCESSING;
    this.state = state;                                       // the processor posts changes to the node
    return state;
  }

  /** The worker is ready: its stream starts with the next input sample. */
  startStream() {
    const skip = this.pushed > 0 ? ALGORITHMIC_DELAY : 0;   // wet samples made from unseen input
    this.streamStart = this.pushed;
    this.wetStart = this.pushed + this.D + skip;
    this.debt = skip;
  }

  /**
   * A new worker on new rings (restart): back to loading, dry until the worker of `generation`
   * sets CTRL.READY; its stream then starts mid-audio. While the old worker still answers, its
   * wet output first fades out over CROSSFADE samples; the rings are swapped after that.
   * @param {RingBuffer} inRing
   * @param {RingBuffer} outRing
   * @param {number} generation
   */
  rebind(inRing, outRing, generation) {
    this.pendingRebind = { inRing, outRing, generation };
  }

  /** Swaps to the rings rebind() gave, between two quanta, once the wet share is 0. */
  takePendingRebind() {
    Object.assign(this, this.pendingRebind);
    this.pendingRebind = null;
    this.streamStart = -1;
    this.wetStart = Infinity;
    this.debt = 0;
    this.gain = 0;
    this.lateRun = 0;
    this.overflow = false;
    this.state = STATE.LOADING;
  }

  /**
   * Will the next quantum find its wet samples missing although the frame holding the last of
   * them had its input complete before this quantum? A frame whose input only came in now is not
   * late: the bridge delay gives it time. t0: this quantum's first y48 index; n: y48 samples per
   * quantum; m: input samples pushed in this quantum (48 kHz).
   */
  workerBehind(t0, n, m) {
    if (this.outRing.availableRead() - this.debt >= n) return false;
    const frame = Math.floor((t0 + 2 * n - 1 - this.streamStart - this.D) / FRAME_SIZE);
    return (frame + 1) * FRAME_SIZE <= this.pushed - m - this.streamStart;
  }

  /** Pops k wet samples into out48/wet48 at `offset` after paying the debt; false if they are not there. */
  takeWet(offset, k) {
    const ring = this.outRing;
    let deadline = 0;
    for (;;) {
      while (this.debt > 0) {             // drop samples that came too late
        const got = ring.pop(this.scratch, Math.min(this.debt, this.scratch.length));
        if (got === 0) break;
        this.debt -= got;
      }
      if (this.debt === 0 && ring.availableRead() >= k) {
        ring.pop(this.wet48, k, offset);
        return true;
      }
      if (!this.offline) return false;
      // Offline rendering runs faster than real time: spin (Atomics.wait is not
      // allowed on the audio thread) until the worker catches up.
      if (deadline === 0) deadline = this.now() + OFFLINE_WAIT_MS;
      else if (this.now() > deadline) return false;
    }
  }

  /** out48[first..n) = dry + gain * (wet - dry), gain ramping towards target. */
  mix(first, n, target) {
    const out = this.out48, wet = this.wet48, step = 1 / CROSSFADE;
    let g = this.gain;
    for (let j = first; j < n; j++) {
      if (g !== target) g = target > g ? Math.min(target, g + step) : Math.max(target, g - step);
      if (g === 1) out[j] = wet[j];
      else if (g !== 0) out[j] += g * (wet[j] - out[j]);
    }
    this.gain = g;
  }
}

function copy(src, dst, n) {
  for (let j = 0; j < n; j++) dst[j] = src[j];
  return n;
}
