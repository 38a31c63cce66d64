// The bridge's framing logic without a browser (node --test): 128-sample (or frame-aligned
// 480-sample, or 160-sample) quanta in, 480-sample frames to a fake worker, fixed delay, dry path, underruns,
// crossfades, resampling, and how late a worker may be for each bridge delay.
// Run by tests/browser/test_bridge_node.py.

import assert from "node:assert/strict";
import test from "node:test";
import { RingBuffer } from "ringbuf.js";
import { Bridge, minBridgeDelay, STATE } from "../../worklet/bridge.js";
import {
  ALGORITHMIC_DELAY, BRIDGE_DELAY, BRIDGE_DELAY_ALIGNED, BRIDGE_DELAY_LOW, CROSSFADE, CTRL, FRAME_SIZE, RENDER_QUANTUM,
  RING_CAPACITY, TOTAL_LATENCY, TOTAL_LATENCY_ALIGNED,
} from "../../worklet/constants.js";
import { alignedQuantum, createAudioContext, defaultBridgeDelay } from "../../worklet/context.js";
import { Resampler } from "../../worklet/resampler.js";

/** A stand-in for worker.js: frames in, `gain` x (input delayed by 1440) out, like the Denoiser's timing. */
class FakeWorker {
  constructor(inRing, outRing, gain = 0.5) {
    Object.assign(this, { inRing, outRing, gain });
    this.delay = new Float32Array(ALGORITHMIC_DELAY + FRAME_SIZE);   // FIFO of the last 1920 inputs
    this.frame = new Float32Array(FRAME_SIZE);
    this.out = new Float32Array(FRAME_SIZE);
  }

  service() {
    while (this.inRing.availableRead() >= FRAME_SIZE) {
      this.inRing.pop(this.frame, FRAME_SIZE);
      this.delay.copyWithin(0, FRAME_SIZE);
      this.delay.set(this.frame, ALGORITHMIC_DELAY);
      for (let j = 0; j < FRAME_SIZE; j++) this.out[j] = this.gain * this.delay[j];
      this.outRing.push(this.out, FRAME_SIZE);
    }
  }
}

/**
 * A worker that answers `lag` quanta late: a frame whose last input sample came in quantum q is
 * pushed after quantum q + lag (so quantum q + lag + 1 is the first that can play it).
 */
class LateWorker extends FakeWorker {
  constructor(inRing, outRing, lag) {
    super(inRing, outRing);
    this.lag = lag;
    this.completedAt = [];   // quantum in which each frame still in the ring was completed
  }

  tick(q) {
    while (this.inRing.availableRead() >= FRAME_SIZE * (this.completedAt.length + 1)) this.completedAt.push(q);
    while (this.completedAt.length && this.completedAt[0] + this.lag <= q) {
      this.completedAt.shift();
      this.inRing.pop(this.frame, FRAME_SIZE);
      this.delay.copyWithin(0, FRAME_SIZE);
      this.delay.set(this.frame, ALGORITHMIC_DELAY);
      for (let j = 0; j < FRAME_SIZE; j++) this.out[j] = this.gain * this.delay[j];
      this.outRing.push(this.out, FRAME_SIZE);
    }
  }
}

function setup({ rate = 48000, ready = true, offline = false, quantum = RENDER_QUANTUM, bridgeDelay, lag = null } = {}) {
  const inRing = new RingBuffer(RingBuffer.getStorageForCapacity(RING_CAPACITY, Float32Array), Float32Array);
  const outRing = new RingBuffer(RingBuffer.getStorageForCapacity(RING_CAPACITY, Float32Array), Float32Array);
  const ctrl = new Int32Array(new SharedArrayBuffer(CTRL.LENGTH * 4));
  ctrl[CTRL.ENABLED] = 1;
  ctrl[CTRL.READY] = ready ? 1 : 0;
  const bridge = new Bridge({ inRing, outRing, ctrl, rate, offline, quantum, bridgeDelay });
  const worker = lag === null ? new FakeWorker(inRing, outRing) : new LateWorker(inRing, outRing, lag);
  return { bridge, ctrl, worker, quantum };
}

/** Seeded noise, so failures reproduce. */
function noise(n, seed = 1) {
  const x = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    x[i] = (s / 2 ** 32 - 0.5) * 0.5;
  }
  return x;
}

/**
 * Runs `x` through the bridge quantum by quantum; `serve(q)` says whether the worker runs after
 * quantum q (it may replace s.worker).
 */
function run(s, x, serve = () => true) {
  const n = s.quantum;
  const y = new Float32Array(x.length - (x.length % n));   // whole quanta only
  const inQ = new Float32Array(n);
  const outQ = new Float32Array(n);
  const states = [];
  for (let q = 0; (q + 1) * n <= x.length; q++) {
    inQ.set(x.subarray(q * n, (q + 1) * n));
    states.push(s.bridge.process(inQ, outQ));
    y.set(outQ, q * n);
    if (s.worker.tick) s.worker.tick(q);
    else if (serve(q)) s.worker.service();
  }
  return { y, states };
}

/** Underruns and early fades in 2 s of noise for a worker `lag` quanta late. */
function whenLate({ quantum, bridgeDelay, lag, rate = 48000 }) {
  const s = setup({ quantum, bridgeDelay, lag, rate });
  run(s, noise(2 * rate, 5));
  return { underruns: s.bridge.underruns, earlyFades: s.ctrl[CTRL.EARLY_FADES] };
}
const underrunsWhenLate = (o) => whenLate(o).underruns;

test("output is the worker's output delayed by exactly the bridge delay, no underruns", () => {
  const s = setup();
  const x = noise(48000);
  const { y, states } = run(s, x);
  assert.equal(TOTAL_LATENCY, ALGORITHMIC_DELAY + BRIDGE_DELAY);
  for (let t = 0; t < x.length; t++) {
    const want = t >= TOTAL_LATENCY ? 0.5 * x[t - TOTAL_LATENCY] : 0;
    if (t >= TOTAL_LATENCY + RENDER_QUANTUM) assert.equal(y[t], Math.fround(want), `t=${t}`);
  }
  assert.equal(s.bridge.underruns, 0);
  assert.equal(states.at(-1), STATE.PROCESSING);
});

// The bridge delays' reason: D - 479 samples must hold a frame's wait for the quantum that
// completes it, plus the worker's time. Quanta of a whole frame (the default of
// createAudioContext) or a third of one waste none of D; 128-sample quanta do.
test("aligned quanta (one frame): output is the worker's output delayed by exactly 1440 + 480", () => {
  const s = setup({ quantum: 480, bridgeDelay: BRIDGE_DELAY_ALIGNED });
  const x = noise(48000, 9);
  const { y } = run(s, x);
  assert.equal(TOTAL_LATENCY_ALIGNED, 1920);
  for (let t = TOTAL_LATENCY_ALIGNED; t < y.length; t++) assert.equal(y[t], Math.fround(0.5 * x[t - TOTAL_LATENCY_ALIGNED]), `t=${t}`);
  assert.deepEqual([s.bridge.underruns, s.ctrl[CTRL.EARLY_FADES]], [0, 0]);
});

test("aligned quanta at D = 480 leave every frame one whole quantum (10 ms), also at 44.1 kHz", () => {
  assert.equal(underrunsWhenLate({ quantum: 480, bridgeDelay: BRIDGE_DELAY_ALIGNED, lag: 0 }), 0);
  assert.ok(underrunsWhenLate({ quantum: 480, bridgeDelay: BRIDGE_DELAY_ALIGNED, lag: 1 }) > 0);
  // 441 samples at 44.1 kHz are exactly 480 at 48 kHz after the upsampler
  assert.equal(alignedQuantum(44100), 441);
  assert.equal(underrunsWhenLate({ rate: 44100, quantum: 441, bridgeDelay: BRIDGE_DELAY_ALIGNED, lag: 0 }), 0);
  assert.ok(underrunsWhenLate({ rate: 44100, quantum: 441, bridgeDelay: BRIDGE_DELAY_ALIGNED, lag: 1 }) > 0);
});

test("a third of a frame (160) at D = 640 leaves every frame two quanta (6.7 ms)", () => {
  assert.equal(underrunsWhenLate({ quantum: 160, bridgeDelay: 640, lag: 1 }), 0);
  assert.ok(underrunsWhenLate({ quantum: 160, bridgeDelay: 640, lag: 2 }) > 0);
});

test("128-sample quanta need D = 720 for two quanta: at 640 half the frames have only one", () => {
  assert.ok(underrunsWhenLate({ quantum: 128, bridgeDelay: 640, lag: 1 }) > 0);
  assert.equal(underrunsWhenLate({ quantum: 128, bridgeDelay: BRIDGE_DELAY_LOW, lag: 1 }), 0);
  assert.ok(underrunsWhenLate({ quantum: 128, bridgeDelay: BRIDGE_DELAY_LOW, lag: 2 }) > 0);
});

test("early fades only for a worker that is behind: a frame not there a whole quantum after its input", () => {
  for (const [quantum, bridgeDelay] of [[128, 720], [160, 640], [480, 480]]) {
    // punctual: each frame pushed within the quantum that completed its input
    assert.deepEqual(whenLate({ quantum, bridgeDelay, lag: 0 }), { underruns: 0, earlyFades: 0 }, `${quantum}/${bridgeDelay}`);
  }
  // a quantum late with two quanta of slack: faded towards dry ahead (the hedge), but in time
  assert.equal(whenLate({ quantum: 160, bridgeDelay: 640, lag: 1 }).underruns, 0);
  assert.ok(whenLate({ quantum: 160, bridgeDelay: 640, lag: 1 }).earlyFades > 0);
  // two quanta late: the quantum before each underrun fades towards dry
  const late = whenLate({ quantum: 160, bridgeDelay: 640, lag: 2 });
  assert.ok(late.earlyFades > 0 && late.underruns > 0, JSON.stringify(late));
});

/**
 * Offline-style run (the worker answers the moment a frame is complete; the worklet may wait):
 * underruns in 200 quanta of a bridge at delay D.
 */
function underrunsOffline({ quantum, bridgeDelay, rate = 48000 }) {
  const least = minBridgeDelay(quantum, rate);
  const s = setup({ quantum, bridgeDelay: Math.max(bridgeDelay, least), rate, offline: true });
  s.bridge.D = bridgeDelay;                                 // below the least: past the constructor's check
  s.bridge.L = ALGORITHMIC_DELAY + bridgeDelay;
  let clock = 0;
  s.bridge.now = () => (clock += 60000);                    // a wait gives up at once, not after 10 s
  const push = s.bridge.inRing.push.bind(s.bridge.inRing);
  s.bridge.inRing.push = (x, n) => {
    const pushed = push(x, n);
    s.worker.service();
    return pushed;
  };
  run(s, noise(200 * quantum, 17), () => false);
  return s.bridge.underruns;
}

test("minBridgeDelay: the least delay at which every frame can be in time, even offline", () => {
  assert.equal(minBridgeDelay(128, 48000), 448);
  assert.equal(minBridgeDelay(480, 48000), 0);
  assert.equal(minBridgeDelay(160, 48000), 320);
  assert.equal(minBridgeDelay(441, 44100), 479);
  for (const [quantum, rate] of [[128, 48000], [160, 48000], [480, 48000], [128, 44100], [441, 44100]]) {
    const least = minBridgeDelay(quantum, rate);
    assert.equal(underrunsOffline({ quantum, rate, bridgeDelay: least }), 0, `${quantum} at ${rate}`);
    if (least > 0) {
      assert.throws(() => setup({ quantum, rate, bridgeDelay: least - 1 }), RangeError);
    }
  }
  // at 48 kHz the bound is tight: one sample less underruns even offline
  for (const quantum of [128, 160]) {
    assert.ok(underrunsOffline({ quantum, bridgeDelay: minBridgeDelay(quantum, 48000) - 1 }) > 0, `${quantum}`);
  }
});

test("defaultBridgeDelay: by render quantum and device callback", () => {
  const ctx = (sampleRate, renderQuantumSize, callback) => ({ sampleRate, renderQuantumSize, baseLatency: callback / sampleRate });
  assert.equal(alignedQuantum(48000), 480);
  assert.equal(alignedQuantum(16000), 160);
  assert.equal(alignedQuantum(22050), null);                                  // 10 ms = 220.5 samples
  assert.equal(defaultBridgeDelay(ctx(48000, 480, 480)), BRIDGE_DELAY_ALIGNED);
  assert.equal(defaultBridgeDelay(ctx(44100, 441, 441)), BRIDGE_DELAY_ALIGNED);
  assert.equal(defaultBridgeDelay(ctx(48000, 480, 960)), BRIDGE_DELAY);       // 2 quanta per callback: bursts
  assert.equal(defaultBridgeDelay(ctx(48000, 160, 160)), BRIDGE_DELAY_LOW);   // not aligned, small callbacks
  assert.equal(defaultBridgeDelay(ctx(48000, 128, 128)), BRIDGE_DELAY_LOW);
  assert.equal(defaultBridgeDelay(ctx(48000, undefined, 128)), BRIDGE_DELAY_LOW);   // no renderQuantumSize
  assert.equal(defaultBridgeDelay(ctx(44100, 128, 128)), BRIDGE_DELAY_LOW);
  assert.equal(defaultBridgeDelay(ctx(48000, 128, 480)), BRIDGE_DELAY);
  assert.equal(defaultBridgeDelay({ sampleRate: 48000 }), BRIDGE_DELAY);       // offline: no baseLatency
});

// Node has no AudioContext, and Chromium has renderSizeHint, so a stand-in class plays the
// device (its rate) and the browser (whether it takes renderSizeHint); the real thing is
// exercised in test_realtime.py, test_track.py and test_demo.py.
function fakeAudioContext({ deviceRate, takesHint }) {
  const made = [];
  globalThis.AudioContext = class {
    constructor(options) {
      this.options = options;
      this.sampleRate = options.sampleRate ?? deviceRate;
      if (takesHint) this.renderQuantumSize = typeof options.renderSizeHint === "number" ? options.renderSizeHint : 128;
      this.closed = false;
      made.push(this);
    }

    close() {
      this.closed = true;
      return Promise.resolve();
    }
  };
  return made;
}

test("createAudioContext: one-frame quanta at the device's rate, asks again if it guessed wrong", () => {
  try {
    let made = fakeAudioContext({ deviceRate: 48000, takesHint: true });
    let ctx = createAudioContext();
    assert.deepEqual([made.length, ctx.renderQuantumSize, ctx.options.latencyHint], [1, 480, 0]);

    made = fakeAudioContext({ deviceRate: 44100, takesHint: true });
    ctx = createAudioContext();
    assert.deepEqual([made.length, made[0].closed, ctx.sampleRate, ctx.renderQuantumSize], [2, true, 44100, 441]);

    made = fakeAudioContext({ deviceRate: 44100, takesHint: false });       // no renderSizeHint: as it is
    ctx = createAudioContext();
    assert.deepEqual([made.length, ctx.renderQuantumSize, ctx.options.latencyHint], [1, undefined, 0]);

    made = fakeAudioContext({ deviceRate: 48000, takesHint: true });
    ctx = createAudioContext({ sampleRate: 22050 });                          // 10 ms is no whole number of samples
    assert.deepEqual([made.length, ctx.renderQuantumSize, "renderSizeHint" in ctx.options], [1, 128, false]);
  } finally {
    delete globalThis.AudioContext;
  }
});

test("a late worker: dry (same delay) while late, late samples dropped, wet again after, aligned", () => {
  const s = setup();
  const x = noise(96000, 7);
  const stall = (q) => !(q >= 100 && q < 130);            // worker asleep for 30 quanta (80 ms)
  const { y } = run(s, x, stall);
  assert.ok(s.bridge.underruns > 0);
  const ratio = (t) => y[t] / x[t - TOTAL_LATENCY];
  const wetBefore = 60 * RENDER_QUANTUM, dryDuring = 125 * RENDER_QUANTUM, wetAfter = 200 * RENDER_QUANTUM;
  for (let t = wetBefore; t < 100 * RENDER_QUANTUM; t++) assert.ok(Math.abs(ratio(t) - 0.5) < 1e-6, `before t=${t}`);
  for (let t = dryDuring; t < dryDuring + 500; t++) assert.equal(y[t], x[t - TOTAL_LATENCY], `during t=${t}`);
  for (let t = wetAfter; t < x.length; t++) assert.ok(Math.abs(ratio(t) - 0.5) < 1e-6, `after t=${t}`);
  // never anything but a mix of the aligned wet and dry: |y| between 0.5|x| and |x|
  for (let t = TOTAL_LATENCY + 256; t < x.length; t++) {
    const r = ratio(t);
    assert.ok(r > 0.5 - 1e-6 && r < 1 + 1e-6, `t=${t} ratio ${r}`);
  }
});

test("setEnabled crossfades to dry over CROSSFADE samples, latency unchanged", () => {
  const s = setup();
  const x = noise(48000, 3);
  const switchAt = 200;
  const { y } = run(s, x, (q) => {
    if (q === switchAt - 1) s.ctrl[CTRL.ENABLED] = 0;
    return true;
  });
  const t0 = switchAt * RENDER_QUANTUM - RENDER_QUANTUM + RENDER_QUANTUM;  // first quantum after the switch
  const ratio = (t) => y[t] / x[t - TOTAL_LATENCY];
  assert.ok(Math.abs(ratio(t0 - 1) - 0.5) < 1e-6);
  assert.ok(ratio(t0 + 64) > 0.6 && ratio(t0 + 64) < 0.9);   // half-way through the fade
  for (let t = t0 + RENDER_QUANTUM; t < x.length; t++) assert.equal(y[t], x[t - TOTAL_LATENCY]);
});

test("before the worker is ready: dry, delayed by the same latency; loading state", () => {
  const s = setup({ ready: false });
  const x = noise(24000, 5);
  const { y, states } = run(s, x);
  for (let t = TOTAL_LATENCY; t < y.length; t++) assert.equal(y[t], x[t - TOTAL_LATENCY]);
  assert.ok(states.every((st) => st === STATE.LOADING));
  assert.equal(s.bridge.underruns, 0);
});

test("a worker that never answers ends in pass-through state, never silence", () => {
  const s = setup();
  const x = noise(48000, 9);
  const { y, states } = run(s, x, (q) => q < 50);
  assert.equal(states.at(-1), STATE.PASS_THROUGH);
  assert.equal(s.bridge.state, STATE.PASS_THROUGH);
  for (let t = 30000; t < x.length; t++) assert.equal(y[t], x[t - TOTAL_LATENCY]);
});

test("restart: a dead worker, dry meanwhile, a new worker on new rings mid-audio, no dip, aligned", () => {
  const s = setup();
  const x = noise(144000, 11);
  const fresh = () => new RingBuffer(RingBuffer.getStorageForCapacity(RING_CAPACITY, Float32Array), Float32Array);
  const { y, states } = run(s, x, (q) => {
    if (q === 200) {                                        // the node's restart(): new rings, generation 2
      const inRing = fresh(), outRing = fresh();
      s.bridge.rebind(inRing, outRing, 2);
      s.worker = new FakeWorker(inRing, outRing);
    }
    if (q === 300) s.ctrl[CTRL.READY] = 2;                  // the new worker finished loading
    return q < 100 || q >= 300;                             // the first worker died at quantum 100
  });
  assert.ok(states.includes(STATE.PASS_THROUGH));
  assert.equal(states.at(-1), STATE.PROCESSING);
  const ratio = (t) => y[t] / x[t - TOTAL_LATENCY];
  // the restarted stream's first 1440 wet samples come from input it never saw: dry covers them
  const wetFrom = 300 * RENDER_QUANTUM + RENDER_QUANTUM + BRIDGE_DELAY + ALGORITHMIC_DELAY;
  for (let t = 150 * RENDER_QUANTUM; t < wetFrom; t++) assert.equal(y[t], x[t - TOTAL_LATENCY], `dry t=${t}`);
  for (let t = wetFrom + RENDER_QUANTUM; t < x.length; t++) assert.ok(Math.abs(ratio(t) - 0.5) < 1e-6, `wet t=${t}`);
  for (let t = TOTAL_LATENCY + 256; t < x.length; t++) {
    const r = ratio(t);
    assert.ok(r > 0.5 - 1e-6 && r < 1 + 1e-6, `t=${t} ratio ${r}`);   // never a dip
  }
});

test("restart while processing: the old worker's output fades out over CROSSFADE, no step", () => {
  const s = setup();
  const x = noise(96000, 13);
  const fresh = () => new RingBuffer(RingBuffer.getStorageForCapacity(RING_CAPACITY, Float32Array), Float32Array);
  const old = s.worker;
  const { y } = run(s, x, (q) => {
    if (q === 200) {                                        // restart() on a live worker
      const inRing = fresh(), outRing = fresh();
      s.bridge.rebind(inRing, outRing, 2);
      s.worker = new FakeWorker(inRing, outRing);
    }
    if (q >= 200 && q < 210) old.service();                 // the node retires it a little later
    return q < 200;                                         // the new worker is still loading
  });
  const t0 = 201 * RENDER_QUANTUM;                          // the first quantum after rebind()
  const ratio = (t) => y[t] / x[t - TOTAL_LATENCY];
  assert.ok(Math.abs(ratio(t0 - 1) - 0.5) < 1e-6);
  for (let t = t0 + 1; t < t0 + CROSSFADE; t++) {
    assert.ok(ratio(t) > ratio(t - 1) - 1e-6 && ratio(t) < 1 + 1e-6, `a ramp, t=${t}`);
  }
  assert.ok(ratio(t0 + CROSSFADE / 2) > 0.6 && ratio(t0 + CROSSFADE / 2) < 0.9);   // half-way
  for (let t = t0 + CROSSFADE; t < x.length; t++) assert.equal(y[t], x[t - TOTAL_LATENCY], `dry t=${t}`);
  assert.equal(s.bridge.underruns, 0);                      // the fade needed no missing samples
});

test("44.1 kHz: resampled both ways, output is the input delayed by the reported latency", () => {
  const rate = 44100;
  const s = setup({ rate });
  s.worker.gain = 1;
  const n = rate * 2, f = 997;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = 0.5 * Math.sin((2 * Math.PI * f * i) / rate);
  const { y } = run(s, x);
  const lat = s.bridge.latency;
  // the two resamplers add their half-lengths (1.5 ms each at 44.1 kHz)
  assert.ok(Math.abs(lat - (TOTAL_LATENCY * rate) / 48000) < 0.0031 * rate, `latency ${lat}`);
  let err = 0;
  for (let i = Math.ceil(lat) + 4800; i < y.length; i++) {
    err = Math.max(err, Math.abs(y[i] - 0.5 * Math.sin((2 * Math.PI * f * (i - lat)) / rate)));
  }
  assert.ok(err < 1e-4, `max error ${err}`);
  assert.equal(s.bridge.underruns, 0);
});

/** Gain (dB) of a Resampler(a, b) for a sine of f Hz, from the steady-state output's power. */
function sineGainDb(a, b, f) {
  const r = new Resampler(a, b, 4096);
  const blocks = 12, x = new Float32Array(4096 * blocks), out = new Float32Array(8192 * blocks);
  for (let i = 0; i < x.length; i++) x[i] = Math.sin((2 * Math.PI * f * i) / a);
  let got = 0;
  for (let k = 0; k < blocks; k++) got += r.process(x.subarray(k * 4096, (k + 1) * 4096), 4096, out.subarray(got));
  let s = 0, m = 0;
  for (let i = 2000; i < got - 10; i++, m++) s += out[i] * out[i];
  return 10 * Math.log10((2 * s) / m);
}

test("Resampler: flat to 20 kHz both ways at 44.1 kHz (the network hears the top band), aliases > 90 dB down", () => {
  for (const [a, b] of [[44100, 48000], [48000, 44100]]) {
    for (const f of [100, 1000, 8000, 16000, 19000, 20000]) {
      const g = sineGainDb(a, b, f);
      assert.ok(Math.abs(g) < 0.1, `${a}->${b} at ${f} Hz: ${g.toFixed(2)} dB`);
    }
    const edge = sineGainDb(a, b, 21000);
    assert.ok(edge > -3 && edge < 0, `${a}->${b} at 21 kHz: ${edge.toFixed(2)} dB`);
  }
  for (const f of [22500, 23000, 23900]) {                  // above 44.1 kHz's Nyquist: would alias
    const g = sineGainDb(48000, 44100, f);
    assert.ok(g < -90, `48000->44100 at ${f} Hz: ${g.toFixed(1)} dB`);
  }
});

test("Resampler: rational ratios, unity DC gain, 48k -> 48k style round trip", () => {
  for (const [a, b] of [[44100, 48000], [48000, 44100], [96000, 48000], [48000, 192000], [22050, 48000]]) {
    const r = new Resampler(a, b, 4096);
    const ones = new Float32Array(4096).fill(1);
    const out = new Float32Array(16384);
    let got = 0;
    for (let k = 0; k < 4; k++) got = r.process(ones, 4096, out);
    for (let i = 0; i < got; i++) assert.ok(Math.abs(out[i] - 1) < 1e-5, `${a}->${b} DC ${out[i]}`);
    assert.equal(r.inputNeeded(0) >= 0, true);
  }
});
