// Web Worker: Python's side of the bridge.
//
// Loads Pyodide + numpy + our wheel, makes one percepnet_wasm.Denoiser, then
// loops: wait on the input ring (Atomics.wait), pop 480 samples straight into
// a numpy array's memory, call process_frame(inp, out), push out's memory to
// the output ring. Nothing is converted or allocated per frame: JS and Python
// share the two arrays' bytes. Once the loop runs the worker no longer reads
// messages; it is steered through shared memory (CTRL / PARAM) and stopped by
// CTRL.STOP reaching its generation (the node numbers its workers 1, 2, ...).
//
// Messages out: {type: "ready", model, hasWeights, timings, assets} | {type: "error", message} | {type: "stopped"}

import { RingBuffer } from "./vendor/ringbuf.js";
import { CTRL, FRAME_SIZE, PARAM, TIMING_SLOTS } from "./constants.js";
import { loadRuntime } from "./runtime.js";

const SETUP = `
import importlib.resources, numpy as np
from percepnet_wasm import Denoiser
from percepnet_wasm.constants import FRAME_SIZE

def _make(model):
    has_weights = importlib.resources.files("percepnet_wasm").joinpath("weights.npz").is_file()
    if model == "auto":
        model = "default" if has_weights else "none"
    den = Denoiser(model=None if model == "none" else model)
    return den, model, has_weights

den, model_used, has_weights = _make(MODEL)
# Frames run before going live: wasm functions are compiled lazily and tiered up after
# use, so the first frames are several times slower than the rest (measured: with 20
# warm-up frames, ~10 underruns in the first second at 44.1 kHz; with 100, none or 1-2).
WARM_UP_FRAMES = 100
inp = np.zeros(FRAME_SIZE, np.float32)
out = np.zeros(FRAME_SIZE, np.float32)
vad = np.zeros(1, np.float32)

def step():
    den.process_frame(inp, out)
    vad[0] = den.vad

def warm_up():
    # A throwaway Denoiser sharing the model, over faint noise (zeros would skip code
    # paths); then the model's state is reset, so the live stream starts fresh.
    d = Denoiser(model=den.model)
    noise = np.random.default_rng(0).standard_normal((WARM_UP_FRAMES, FRAME_SIZE)).astype(np.float32) * 1e-3
    for frame in noise:
        d.process_frame(frame, out)
    den.reset()

def set_limit(db):
    den.set_attenuation_limit(None if db == float("inf") else float(db))
`;

self.onmessage = async (e) => {
  if (e.data.type !== "init") return;
  const o = e.data;
  const ctrl = new Int32Array(o.ctrlSab);
  try {
    const timings = {};
    const t0 = performance.now();
    const { pyodide, sources, checkedMs } = await loadRuntime({
      assetsURL: o.assetsURL, onStep: (n, ms) => (timings[n] = ms),
    });
    timings.checked = checkedMs;
    const ns = pyodide.globals.get("dict")();
    ns.set("MODEL", o.model);
    let t = performance.now();
    pyodide.runPython(SETUP, { globals: ns });
    timings.denoiser = performance.now() - t;
    const loop = new FrameLoop(pyodide, ns, o, ctrl);
    t = performance.now();
    loop.warmUp();
    timings.warmUp = performance.now() - t;
    timings.total = performance.now() - t0;
    const model = ns.get("model_used");
    // READY before the message: a page that starts rendering on `ready` must find the
    // worker already taking frames, or the stream would start late (offline rendering).
    Atomics.store(ctrl, CTRL.READY, o.generation);
    self.postMessage({ type: "ready", model, hasWeights: ns.get("has_weights"), timings, assets: sources });
    loop.run();
    self.postMessage({ type: "stopped" });
  } catch (err) {
    Atomics.compareExchange(ctrl, CTRL.READY, o.generation, 0);   // never a newer worker's flag
    self.postMessage({ type: "error", message: String(err && err.message ? err.message : err) });
  }
  self.close();
};

class FrameLoop {
  constructor(pyodide, ns, o, ctrl) {
    this.ns = ns;
    this.ctrl = ctrl;
    this.generation = o.generation;
    this.params = new Float32Array(o.paramSab);
    this.timing = new Float32Array(o.timingSab);
    this.inRing = new RingBuffer(o.inSab, Float32Array);
    this.outRing = new RingBuffer(o.outSab, Float32Array);
    this.step = ns.get("step");
    this.setLimit = ns.get("set_limit");
    this.bufs = ["inp", "out", "vad"].map((name) => ns.get(name));
    this.takeViews();
  }

  /** Float32Array views on the numpy arrays' bytes; taken again if wasm memory grew. */
  takeViews() {
    [this.inView, this.outView, this.vadView] = this.bufs.map((a) => a.getBuffer("f32").data);
  }

  /** Python's first frames are slow: run some through a throwaway Denoiser before going live. */
  warmUp() {
    this.ns.get("warm_up")();
    this.takeViews();
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
        this.step();
        if (this.outView.length === 0) this.takeViews();
        outRing.push(this.outView, FRAME_SIZE);
        const frames = Atomics.add(ctrl, CTRL.FRAMES, 1);
        timing[frames % TIMING_SLOTS] = performance.now() - t;
        params[PARAM.VAD] = this.vadView[0];
        params[PARAM.WASM_BYTES] = this.inView.buffer.byteLength;   // the views cover all wasm memory
      }
      Atomics.wait(ctrl, CTRL.INPUT_SEQ, seq, 100);          // timeout: notice STOP even when idle
    }
  }
}
