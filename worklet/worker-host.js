// The main thread's side of the Python worker: the shared memory that the worklet, the worker
// and the node talk through, and the worker's lifecycle (start, generation numbers, retiring a
// replaced worker, stopping, the heartbeat check). What to do about a failure (states, events,
// automatic restarts) is the node's business (node.js); this file only reports it.

import { CTRL, IDLE_WAIT_MS, PARAM, RING_CAPACITY, TIMING_SLOTS } from "./constants.js";
import { takePreloaded } from "./preload.js";

// A worker whose heartbeat did not move for this long (ten idle waits) is dead.
const DEAD_AFTER_MS = 10 * IDLE_WAIT_MS;
// A replaced worker runs on this long, so that the worklet can fade its output out (a few ms).
const RETIRE_AFTER_MS = 100;
// destroy(): a worker still inside a frame gets this long to leave its loop before it is killed.
const STOP_AFTER_MS = 500;

/** True when the page may use SharedArrayBuffer (cross-origin isolated). */
export function isIsolated() {
  return typeof SharedArrayBuffer !== "undefined" && globalThis.crossOriginIsolated === true;
}

/**
 * Same layout as ringbuf.js RingBuffer.getStorageForCapacity(capacity, Float32Array): two
 * uint32 indices, then capacity + 1 floats. Made here so the main thread does not need to
 * import the ring itself.
 */
function ringStorage(capacity) {
  return new SharedArrayBuffer(8 + (capacity + 1) * Float32Array.BYTES_PER_ELEMENT);
}

export class WorkerHost {
  constructor() {
    /** The buffers the worklet and each worker get: two rings, CTRL, PARAM and the timing ring. */
    this.shared = {
      inSab: ringStorage(RING_CAPACITY),
      outSab: ringStorage(RING_CAPACITY),
      ctrlSab: new SharedArrayBuffer(CTRL.LENGTH * 4),
      paramSab: new SharedArrayBuffer(PARAM.LENGTH * 4),
      timingSab: new SharedArrayBuffer(TIMING_SLOTS * 4),
    };
    this.ctrl = new Int32Array(this.shared.ctrlSab);
    this.params = new Float32Array(this.shared.paramSab);
    this.timing = new Float32Array(this.shared.timingSab);
    Atomics.store(this.ctrl, CTRL.ENABLED, 1);
    this.params[PARAM.ATTENUATION_LIMIT_DB] = Infinity;
    this.params[PARAM.VAD] = NaN;
    this.params[PARAM.NOISE_DB] = NaN;
    this.worker = null;
    this.generation = 0;          // workers started so far; the current one's number
    this.assetsURL = null;        // what the current worker was started with (restart reuses it)
    this.model = null;
    /** Called with the current worker's "ready" message. */
    this.onReady = () => {};
    /** Called with a message when the current worker fails to load (failed) or crashes (crashed). */
    this.onError = (message, kind) => {};
    /** Called with the current worker's "voice" messages (worker.js: speech start/end, noisy microphone). */
    this.onVoice = (msg) => {};
  }

  /**
   * Start the next generation's worker on the current rings: it loads Python, then serves frames.
   * `assetsURL` (absolute) holds worklet/worker.js, pyodide/, wheels/ and manifest.json.
   * A worker that preload() started for the same assets and model is taken instead of a new one.
   */
  start(assetsURL, model) {
    Object.assign(this, { assetsURL, model });
    const generation = ++this.generation;
    // From the assets folder, not next to this module: a bundled page has no worklet/ beside its bundle.
    const worker = takePreloaded(assetsURL, model) ?? new Worker(new URL("worklet/worker.js", assetsURL), { type: "module" });
    this.worker = worker;
    const current = () => generation === this.generation;   // ignore a replaced worker's last words
    worker.onmessage = (e) => {
      const msg = e.data;
      if (!current()) return;
      if (msg.type === "ready") this.onReady(msg);
      else if (msg.type === "error") this.onError(msg.message, "failed");
      else if (msg.type === "voice") this.onVoice(msg);
    };
    worker.onerror = (e) => {
      if (current()) this.onError(e.message || "script error", "crashed");
    };
    worker.postMessage({ type: "init", assetsURL, model, generation, ...this.shared });
  }

  /**
   * Replace the worker: the current one is retired (stopped after RETIRE_AFTER_MS, while the
   * worklet fades its output out), new rings are made and a new worker starts on them.
   * Returns the worklet's "rebind" message (new rings, the new worker's generation).
   */
  replace() {
    this.retire(this.worker, this.generation);
    Object.assign(this.shared, { inSab: ringStorage(RING_CAPACITY), outSab: ringStorage(RING_CAPACITY) });
    const rebind = { type: "rebind", inSab: this.shared.inSab, outSab: this.shared.outSab, generation: this.generation + 1 };
    this.start(this.assetsURL, this.model);
    return rebind;
  }

  /** Stops `worker` (of `generation`) after RETIRE_AFTER_MS: it leaves its loop, or is killed. */
  retire(worker, generation) {
    const c = this.ctrl;
    setTimeout(() => {
      if (Atomics.load(c, CTRL.STOP) < generation) Atomics.store(c, CTRL.STOP, generation);  // never lower it
      Atomics.notify(c, CTRL.INPUT_SEQ);                   // the worker leaves its loop...
      if (worker) worker.terminate();                     // ...or is killed
    }, RETIRE_AFTER_MS);
  }

  /** Calls `onDead` if the current worker's heartbeat does not move for DEAD_AFTER_MS. */
  checkAlive(onDead) {
    const generation = this.generation;
    const beat = Atomics.load(this.ctrl, CTRL.HEARTBEAT);
    setTimeout(() => {
      const dead = Atomics.load(this.ctrl, CTRL.HEARTBEAT) === beat;
      if (dead && generation === this.generation) onDead();
    }, DEAD_AFTER_MS);
  }

  /** Stop every worker for good. */
  stop() {
    Atomics.store(this.ctrl, CTRL.STOP, this.generation);
    Atomics.notify(this.ctrl, CTRL.INPUT_SEQ);
    const worker = this.worker;
    if (worker) setTimeout(() => worker.terminate(), STOP_AFTER_MS);
  }
}
