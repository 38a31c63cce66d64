// Web Worker: Python's side of the bridge.
//
// Loads Pyodide + numpy + our wheel, makes one percepnet_wasm.worker.WorkerSession
// (the Python side: model choice, warm-up, attenuation limit, the frame step; tested
// natively in tests/test_worker.py), then loops: wait on the input ring
// (Atomics.wait), pop 480 samples straight into session.inp's memory, call
// session.step(), push session.out's memory to the output ring. Nothing is converted
// or allocated per frame: JS and Python share the two arrays' bytes. Once the loop runs the worker no longer reads
// messages; it is steered through shared memory (CTRL / PARAM) and stopped by
// CTRL.STOP reaching its generation (the node numbers its workers 1, 2, ...).
//
// Messages in: {type: "preload", assetsURL, model} (optional, first: load now; preload.js),
//   {type: "init", assetsURL, model: "auto" | "default" | null, generation, ...SABs}.
// Messages out: {type: "preloaded", error?} (after "preload") | {type: "ready", model: "default" | null, hasWeights,
//   timings, assets, preloaded} | {type: "error", message} | {type: "stopped"}
//   | {type: "voice", events, frame, onset, offset, probability, noiseDb} when vad.js reports a change
//     (speech start/end, noisy microphone on/off: rare, so a message is fine; frames count from the stream's start)

import { RingBuffer } from "./vendor/ringbuf.js";
import { CTRL, FRAME_SIZE, IDLE_WAIT_MS, PARAM, TIMING_SLOTS } from "./constants.js";
import { loadRuntime } from "./runtime.js";
import { levelDb, VoiceActivity } from "./vad.js";

// Loading Python, made the model and warmed it up: a promise, started by the first of
// "preload" (preload.js: before the page asks for a node) and "init".
let loading = null;

self.onmessage = async (e) => {
  const o = e.data;
  if (o.type === "preload") {
    loading ??= load(o);
    loading.then(() => self.postMessage({ type: "preloaded" }),
                 (err) => self.postMessage({ type: "preloaded", error: errorText(err) }));
    return;
  }
  if (o.type !== "init") return;
  const ctrl = new Int32Array(o.ctrlSab);
  try {
    const preloaded = loading !== null;
    loading ??= load(o);
    const { session, timings, sources } = await loading;
    const loop = new FrameLoop(session, o, ctrl);
    const model = session.model ?? null;     // Python None arrives as undefined
    // READY before the message: a page that starts rendering on `ready` must find the
    // worker already taking frames, or the stream would start late (offline rendering).
    Atomics.store(ctrl, CTRL.READY, o.generation);
    self.postMessage({ type: "ready", model, hasWeights: session.has_weights, timings, assets: sources, preloaded });
    loop.run();
    self.postMessage({ type: "stopped" });
  } catch (err) {
    Atomics.compareExchange(ctrl, CTRL.READY, o.generation, 0);   // never a newer worker's flag
    self.postMessage({ type: "error", message: errorText(err) });
  }
  self.close();
};

const errorText = (err) => String(err && err.message ? err.message : err);

/**
 * Pyodide, numpy and our wheel; the session (model) for `model`; its warm-up (Python's first
 * frames are slow: some run through a throwaway Denoiser before going live).
 * @returns {Promise<{session: object, timings: object, sources: object}>}  timings: ms per step
 */
async function load({ assetsURL, model }) {
  const timings = {};
  const t0 = performance.now();
  const { pyodide, sources, checkedMs } = await loadRuntime({ assetsURL, onStep: (n, ms) => (timings[n] = ms) });
  timings.checked = checkedMs;
  let t = performance.now();
  const { WorkerSession } = pyodide.pyimport("percepnet_wasm.worker");
  const session = WorkerSession(model);          // JS null arrives as None
  timings.denoiser = performance.now() - t;
  t = performance.now();
  session.warm_up();
  timings.warmUp = performance.now() - t;
  timings.total = performance.now() - t0;
  return { session, timings, sources };
}

class FrameLoop {
  constructor(session, o, ctrl) {
    this.session = session;
    this.ctrl = ctrl;
    this.generation = o.generation;
    this.params = new Float32Array(o.paramSab);
    this.timing = new Float32Array(o.timingSab);
    this.inRing = new RingBuffer(o.inSab, Float32Array);
    this.outRing = new RingBuffer(o.outSab, Float32Array);
    this.step = session.step;
    this.setLimit = session.set_limit;
    this.bufs = [session.inp, session.out, session.vad];
    this.voice = new VoiceActivity();
    this.takeViews();
  }

  /** Float32Array views on the numpy arrays' bytes; taken again if wasm memory grew. */
  takeViews() {
    [this.inView, this.outView, this.vadView] = this.bufs.map((a) => a.getBuffer("f32").data);
  }

  /** Hysteresis on the frame's speech probability (vad.js); tells the main thread about changes. */
  updateVoice(probability, level) {
    const v = this.voice;
    const events = v.update(probability, level);
    const { params } = this;
    params[PARAM.SPEAKING] = v.speaking ? 1 : 0;
    params[PARAM.NOISE_DB] = v.noiseDb;
    params[PARAM.NOISY] = v.noisy ? 1 : 0;
    if (events) {
      self.postMessage({ type: "voice", events, frame: v.frame, onset: v.onset, offset: v.offset,
                         probability, noiseDb: v.noiseDb });
    }
  }

  run() {
    const { ctrl, params, timing, inRing, outRing } = this;
    let paramSeq = -1;
    while (Atomics.load(ctrl, CTRL.STOP) < this.generation) {
      Atomics.add(ctrl, CTRL.HEARTBEAT, 1);
      const seq = Atomics.load(ctrl, CTRL.INPUT_SEQ);       // read before draining: no lost wake-up
      const p = Atomics.load(ctrl, CTRL.PARAM_SEQ);
      if (p !== paramSeq) {
        paramSeq = p;
        this.setLimit(params[PARAM.ATTENUATION_LIMIT_DB]);
      }
      while (inRing.availableRead() >= FRAME_SIZE) {
        const t = performance.now();
        if (this.inView.length === 0) this.takeViews();        // detached by memory growth
        inRing.pop(this.inView, FRAME_SIZE);
        const level = levelDb(this.inView, FRAME_SIZE);
        this.step();
        if (this.outView.length === 0) this.takeViews();
        outRing.push(this.outView, FRAME_SIZE);
        const frames = Atomics.add(ctrl, CTRL.FRAMES, 1);
        timing[frames % TIMING_SLOTS] = performance.now() - t;
        params[PARAM.VAD] = this.vadView[0];
        this.updateVoice(this.vadView[0], level);
        params[PARAM.WASM_BYTES] = this.inView.buffer.byteLength;   // the views cover all wasm memory
      }
      Atomics.wait(ctrl, CTRL.INPUT_SEQ, seq, IDLE_WAIT_MS);  // timeout: notice STOP even when idle
    }
  }
}
