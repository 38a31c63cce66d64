// Public API of percepnet-wasm in the browser (ESM; types in index.d.ts).
//
//   const node = await createPercepNetNode(audioContext);
//   source.connect(node).connect(audioContext.destination);
//   await node.ready;                         // {state: "processing" | "pass-through", reason}
//
//   const { track, stop } = await denoiseTrack(micTrack);   // for RTCPeerConnection
//
// For the lowest latency make the context with createAudioContext() (40 ms in all).
//
// The node is never a silent no-op: `node.state` is "loading", "processing" or
// "pass-through" (with `node.reason`), every change fires "statechange", and
// failures fire "error" / "fallback". While not processing, the node passes
// the input through (delayed by the same latency, except in the fallback).

import {
  ALGORITHMIC_DELAY, BRIDGE_DELAY, BRIDGE_DELAY_ALIGNED, BRIDGE_DELAY_LOW, CTRL, PARAM, RENDER_QUANTUM,
  RING_CAPACITY, SAMPLE_RATE, TIMING_SLOTS, TOTAL_LATENCY,
} from "./constants.js";
import { minBridgeDelay } from "./bridge.js";
import { alignedQuantum, createAudioContext, defaultBridgeDelay } from "./context.js";

export { ALGORITHMIC_DELAY, BRIDGE_DELAY, BRIDGE_DELAY_ALIGNED, BRIDGE_DELAY_LOW, SAMPLE_RATE, TOTAL_LATENCY };
export { alignedQuantum, createAudioContext, defaultBridgeDelay, minBridgeDelay };

const PROCESSOR = "percepnet-wasm-bridge";
const DEFAULT_ASSETS = new URL("../", import.meta.url).href;

/** Strength presets: the most noise (dB) removed in any band. */
export const PRESETS = Object.freeze({ conservative: 12, balanced: 24, strong: Infinity });

const STATES = ["loading", "processing", "pass-through"];
// A worker that dies mid-stream is replaced automatically, at most this many times per node,
// after RESTART_DELAY_MS x the attempt number (audio passes through meanwhile).
const MAX_AUTO_RESTARTS = 3;
const RESTART_DELAY_MS = 1000;
// A worker whose heartbeat did not move for this long is dead (its idle loop beats every 100 ms).
const DEAD_AFTER_MS = 1000;
// A replaced worker runs on this long, so that the worklet can fade its output out (a few ms).
const RETIRE_AFTER_MS = 100;
// One worklet module per context (addModule twice is allowed but wasteful).
const modules = new WeakMap();

/**
 * The model names the worker (percepnet_wasm.worker) takes, which are the Python Denoiser's:
 * "default" (the shipped weights), null (unity gains: the DSP alone), and "auto" ("default" if
 * the wheel ships weights, else null). "none" is the older name for null and is still accepted.
 */
function workerModel(model) {
  if (model === "none") return null;
  if (model === "auto" || model === "default" || model === null) return model;
  throw new TypeError(`model must be "auto", "default" or null (was ${JSON.stringify(model)})`);
}

function isIsolated() {
  return typeof SharedArrayBuffer !== "undefined" && globalThis.crossOriginIsolated === true;
}

function ringStorage(capacity) {
  // Same layout as ringbuf.js RingBuffer.getStorageForCapacity(capacity, Float32Array):
  // two uint32 indices, then capacity + 1 floats. Made here so the main thread does not
  // need to import the ring itself.
  return new SharedArrayBuffer(8 + (capacity + 1) * Float32Array.BYTES_PER_ELEMENT);
}

export class PercepNetNode extends AudioWorkletNode {
  constructor(context, { isolated, offline, bridgeDelay, autoRestart }) {
    const quantum = context.renderQuantumSize ?? RENDER_QUANTUM;    // samples per process() call
    const shared = isolated
      ? {
          inSab: ringStorage(RING_CAPACITY),
          outSab: ringStorage(RING_CAPACITY),
          ctrlSab: new SharedArrayBuffer(CTRL.LENGTH * 4),
          paramSab: new SharedArrayBuffer(PARAM.LENGTH * 4),
          timingSab: new SharedArrayBuffer(TIMING_SLOTS * 4),
        }
      : null;
    super(context, PROCESSOR, {
      numberOfInputs: 1,
      numberOfOutputs: 1,
      outputChannelCount: [1],
      processorOptions: isolated
        ? { mode: "bridge", quantum, offline, bridgeDelay, ...shared }
        : { mode: "fallback", quantum },
    });
    this._shared = shared;
    this._bridgeDelay = bridgeDelay;
    this._quantum = quantum;
    this._state = "loading";
    this._reason = "loading Pyodide, numpy and the model";
    this._latency = null;
    this._worker = null;
    this._generation = 0;        // workers started so far; the current one's number
    this._workerReady = false;   // the current worker reached "ready" (so it died mid-stream, if it dies)
    this._autoRestarts = autoRestart ? MAX_AUTO_RESTARTS : 0;   // left
    this._info = {};
    if (shared) {
      this._ctrl = new Int32Array(shared.ctrlSab);
      this._params = new Float32Array(shared.paramSab);
      this._timing = new Float32Array(shared.timingSab);
      Atomics.store(this._ctrl, CTRL.ENABLED, 1);
      this._params[PARAM.ATTENUATION_LIMIT_DB] = Infinity;
      this._params[PARAM.VAD] = NaN;
    }
    this.port.onmessage = (e) => this._fromProcessor(e.data);
    let settle;
    /** Resolves once the node processes audio or has settled into pass-through: {state, reason}. */
    this.ready = new Promise((resolve) => (settle = resolve));
    this._settle = settle;
  }

  /** "loading" | "processing" | "pass-through" */
  get state() {
    return this._state;
  }

  /** Why the node is in its state (always set for "pass-through"). */
  get reason() {
    return this._reason;
  }

  /** The Web Worker that runs Python (diagnostics; null in the fallback). */
  get worker() {
    return this._worker;
  }

  /**
   * Total latency: 48 kHz samples, context-rate samples and milliseconds; the bridge delay in
   * it (48 kHz samples) and the context's render quantum (context-rate samples).
   */
  get latency() {
    const samples = this._shared ? ALGORITHMIC_DELAY + this._bridgeDelay : 0;
    const ctxSamples = this._latency ?? samples;
    return {
      samples,
      contextSamples: ctxSamples,
      ms: (1000 * ctxSamples) / this.context.sampleRate,
      bridgeDelay: this._shared ? this._bridgeDelay : 0,
      quantum: this._quantum,
    };
  }

  _setState(state, reason) {
    if (state === this._state && reason === this._reason) return;
    this._state = state;
    this._reason = reason;
    this.dispatchEvent(new CustomEvent("statechange", { detail: { state, reason } }));
    if (state !== "loading") this._settle({ state, reason });
  }

  _fail(message) {
    if (this._failed) return;                              // the first failure explains the state
    this._failed = true;
    this.dispatchEvent(new CustomEvent("error", { detail: { message } }));
    this._setState("pass-through", message);
  }

  _fromProcessor(msg) {
    if (msg.type === "latency") {
      this._latency = msg.samples;
    } else if (msg.type === "stream") {
      this._streamStartFrame = msg.contextFrame;
    } else if (msg.type === "state" && this._shared && !this._destroyed) {
      const state = STATES[msg.state];
      if (state === "pass-through") {
        // The worklet ran dry for ~130 ms: the worker is gone or hopelessly late.
        this._fail("the worker stopped responding: passing audio through (delayed, no denoising)");
        this._restartIfDead();
      } else if (state === "processing" && this._failed && this._workerReady) {
        this._failed = false;                              // it was only late (CPU starvation)
        this._setState("processing", "denoising again after a stall");
      }
    }
  }

  /** After a stall: if the worker's heartbeat stopped, it is dead, so start a new one. */
  _restartIfDead() {
    const generation = this._generation;
    const beat = Atomics.load(this._ctrl, CTRL.HEARTBEAT);
    setTimeout(() => {
      const dead = Atomics.load(this._ctrl, CTRL.HEARTBEAT) === beat;
      if (dead && generation === this._generation) this._autoRestart("the worker stopped");
    }, DEAD_AFTER_MS);
  }

  /** A worker that had been processing died: replace it, a bounded number of times. */
  _autoRestart(why) {
    if (this._destroyed || !this._workerReady || this._autoRestarts <= 0 || this._restartTimer) return;
    const attempt = MAX_AUTO_RESTARTS - this._autoRestarts + 1;
    this._autoRestarts--;
    this._restartTimer = setTimeout(() => {
      this._restartTimer = null;
      if (!this._destroyed) this.restart(`restarting after: ${why} (automatic restart ${attempt} of ${MAX_AUTO_RESTARTS})`);
    }, RESTART_DELAY_MS * attempt);
  }

  _startWorker(assetsURL, model) {
    this._start = { assetsURL, model };
    const generation = ++this._generation;
    this._workerReady = false;
    const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
    this._worker = worker;
    const current = () => generation === this._generation;   // ignore a replaced worker's last words
    worker.onmessage = (e) => {
      const msg = e.data;
      if (!current()) return;
      if (msg.type === "ready") {
        this._info = msg;
        this._workerReady = true;
        this._failed = false;
        this._setState("processing", msg.model === null
          ? "DSP only: the wheel has no trained weights (unity gains)"
          : "denoising");
      } else if (msg.type === "error") {
        this._fail(`the Python worker failed: ${msg.message}`);
        this._autoRestart(msg.message);
      }
    };
    worker.onerror = (e) => {
      if (!current()) return;
      const message = e.message || "script error";
      this._fail(`the Python worker crashed: ${message}`);
      this._autoRestart(message);
    };
    worker.postMessage({ type: "init", assetsURL, model, generation, ...this._shared });
  }

  /**
   * Replace the worker with a new one (same node, latency and settings), at any time: after
   * an `error` event, a failed load, or a worker that died mid-stream (the node also does this
   * by itself for a worker that dies mid-stream, see `autoRestart`). The worklet fades the
   * old worker's output out (if it still answers), gets new rings and passes audio through
   * (same latency) until the new worker is ready, then crossfades to it. Resolves like `ready`.
   * @param {string} [reason]  the "loading" state's reason
   * @returns {Promise<{state: string, reason: string}>}
   */
  async restart(reason = "restarting: loading Pyodide, numpy and the model") {
    if (!this._shared) return this.ready;                  // fallback: nothing to restart
    if (this._destroyed) throw new Error("restart(): the node was destroyed");
    this._retire(this._worker, this._generation);
    Object.assign(this._shared, { inSab: ringStorage(RING_CAPACITY), outSab: ringStorage(RING_CAPACITY) });
    this.port.postMessage({ type: "rebind", inSab: this._shared.inSab, outSab: this._shared.outSab,
      generation: this._generation + 1 });
    this._failed = false;
    this.ready = new Promise((resolve) => (this._settle = resolve));
    this._setState("loading", reason);
    this._startWorker(this._start.assetsURL, this._start.model);
    return this.ready;
  }

  /**
   * Stops a replaced worker after RETIRE_AFTER_MS: meanwhile the worklet fades its output out
   * (a worker that still answers is not cut off mid-sound).
   */
  _retire(worker, generation) {
    const c = this._ctrl;
    setTimeout(() => {
      if (Atomics.load(c, CTRL.STOP) < generation) Atomics.store(c, CTRL.STOP, generation);  // never lower it
      Atomics.notify(c, CTRL.INPUT_SEQ);                   // the worker leaves its loop...
      if (worker) worker.terminate();                     // ...or is killed
    }, RETIRE_AFTER_MS);
  }

  /** Wet (true) or dry (false), crossfaded over CROSSFADE samples; the latency stays the same. */
  setEnabled(on) {
    if (this._ctrl) Atomics.store(this._ctrl, CTRL.ENABLED, on ? 1 : 0);
  }

  /** Remove at most `db` dB of noise in any band (null or Infinity: no limit). */
  setAttenuationLimit(db) {
    const v = db === null || db === undefined ? Infinity : Number(db);
    if (!(v >= 0)) throw new RangeError(`attenuation limit must be >= 0 dB or null (was ${db})`);
    if (!this._params) return;
    this._params[PARAM.ATTENUATION_LIMIT_DB] = v;
    Atomics.add(this._ctrl, CTRL.PARAM_SEQ, 1);
    Atomics.notify(this._ctrl, CTRL.INPUT_SEQ);
  }

  /** Apply a strength preset: "conservative" | "balanced" | "strong". */
  setPreset(name) {
    if (!(name in PRESETS)) throw new RangeError(`unknown preset ${name} (one of ${Object.keys(PRESETS)})`);
    this.setAttenuationLimit(PRESETS[name]);
  }

  /** Counters and timings; cheap enough to call every animation frame. */
  stats() {
    const base = { state: this._state, reason: this._reason, latency: this.latency };
    if (!this._ctrl) return { ...base, frames: 0, underruns: 0, earlyFades: 0, msPerFrame: null, vad: null, wasmMemoryBytes: null };
    const frames = Atomics.load(this._ctrl, CTRL.FRAMES);
    const n = Math.min(frames, TIMING_SLOTS);
    const t = Array.from(this._timing.subarray(0, n)).sort((a, b) => a - b);
    const pct = (p) => (n ? t[Math.min(n - 1, Math.floor(p * n))] : null);
    const vad = this._params[PARAM.VAD];
    return {
      ...base,
      frames,
      underruns: Atomics.load(this._ctrl, CTRL.UNDERRUNS),
      earlyFades: Atomics.load(this._ctrl, CTRL.EARLY_FADES),
      msPerFrame: n ? { p50: pct(0.5), p99: pct(0.99), max: t[n - 1], n } : null,
      vad: Number.isNaN(vad) ? null : vad,
      wasmMemoryBytes: this._params[PARAM.WASM_BYTES] || null,
      streamStartFrame: this._streamStartFrame ?? null,
      model: this._info.model ?? null,
      coldStartMs: this._info.timings ?? null,
      assets: this._info.assets ?? null,
    };
  }

  /** Stop the worker and the processor; the node then outputs silence. */
  destroy() {
    clearTimeout(this._restartTimer);
    if (this._ctrl) {
      Atomics.store(this._ctrl, CTRL.STOP, this._generation);
      Atomics.notify(this._ctrl, CTRL.INPUT_SEQ);
    }
    if (this._worker) setTimeout(() => this._worker.terminate(), 500);
    this.port.postMessage({ type: "stop" });
    this.disconnect();
    this._failed = true;
    this._destroyed = true;
    this._setState("pass-through", "destroyed");
  }
}

/**
 * Create the denoising node for `context` (any sample rate, any channel count in; mono out).
 *
 * @param {BaseAudioContext} context
 * @param {object} [options]
 * @param {string} [options.assetsURL]   where the built site is served (pyodide/, wheels/, manifest.json);
 *                                       default: the folder above this module
 * @param {"auto"|"default"|null} [options.model]  "auto" (default): the shipped weights if the wheel
 *                                       has them, else null; "default": the shipped weights; null: unity
 *                                       gains (the DSP alone); "none" is accepted as the older name for null
 * @param {number|null} [options.attenuationLimit]   dB, see setAttenuationLimit
 * @param {string} [options.preset]       a PRESETS name (overrides attenuationLimit)
 * @param {boolean} [options.enabled]     start wet (default) or dry
 * @param {number} [options.bridgeDelay]  48 kHz samples between worklet and worker (default: defaultBridgeDelay(context))
 * @param {boolean} [options.autoRestart] replace a worker that dies mid-stream by itself (default true;
 *                                       at most 3 times per node, 1, 2, 3 s after each death)
 * @returns {Promise<PercepNetNode>}
 */
export async function createPercepNetNode(context, options = {}) {
  const {
    assetsURL = DEFAULT_ASSETS, model = "auto", attenuationLimit = null, preset,
    enabled = true, autoRestart = true,
  } = options;
  if (!context || !context.audioWorklet) {
    throw new TypeError("percepnet-wasm needs a BaseAudioContext with AudioWorklet support "
      + "(this browser or context has none): keep using the unprocessed audio");
  }
  const pythonModel = workerModel(model);
  const bridgeDelay = options.bridgeDelay ?? defaultBridgeDelay(context);
  const least = minBridgeDelay(context.renderQuantumSize ?? RENDER_QUANTUM, context.sampleRate);
  if (!Number.isInteger(bridgeDelay) || bridgeDelay < least) {
    throw new RangeError(`bridgeDelay must be an integer >= ${least} samples with this context (was ${bridgeDelay})`);
  }
  if (!modules.has(context)) {
    modules.set(context, context.audioWorklet.addModule(new URL("./processor.js", import.meta.url)));
  }
  await modules.get(context);
  const isolated = isIsolated();
  const offline = typeof OfflineAudioContext !== "undefined" && context instanceof OfflineAudioContext;
  const node = new PercepNetNode(context, { isolated, offline, bridgeDelay, autoRestart });
  if (!isolated) {
    const reason = "page is not cross-origin isolated (no COOP/COEP headers): SharedArrayBuffer is "
      + "unavailable, so audio passes through without denoising";
    setTimeout(() => {
      node.dispatchEvent(new CustomEvent("fallback", { detail: { reason } }));
      node._setState("pass-through", reason);
    }, 0);
    return node;
  }
  node._startWorker(new URL(assetsURL, location.href).href, pythonModel);
  node.setEnabled(enabled);
  if (preset) node.setPreset(preset);
  else node.setAttenuationLimit(attenuationLimit);
  return node;
}

// How often denoiseTrack looks whether the page stopped either track (stop() fires no event).
const TRACK_POLL_MS = 250;

/**
 * Denoise a microphone track: returns a new MediaStreamTrack for RTCPeerConnection.addTrack /
 * RTCRtpSender.replaceTrack, and `stop()`, which releases the node, the worker and (if this
 * call made it) the AudioContext, and `restart()`, the node's restart() (new worker, same
 * processed track). The input track is left running, but once it ends (the page stops it,
 * the device goes away) or the page stops the processed track, the session stops itself.
 *
 * @param {MediaStreamTrack} track
 * @param {object} [options] createPercepNetNode options, plus `context` (an AudioContext to use)
 * @returns {Promise<{track: MediaStreamTrack, node: PercepNetNode, context: AudioContext,
 *   stop: () => Promise<void>, restart: () => Promise<{state: string, reason: string}>}>}
 */
export async function denoiseTrack(track, options = {}) {
  if (!track || track.kind !== "audio") throw new TypeError(`denoiseTrack needs an audio MediaStreamTrack (was ${track && track.kind})`);
  const owned = !options.context;
  const context = options.context ?? createAudioContext();    // the smallest bridge delay
  const source = context.createMediaStreamSource(new MediaStream([track]));
  const node = await createPercepNetNode(context, options);
  const dest = context.createMediaStreamDestination();
  dest.channelCount = 1;
  source.connect(node).connect(dest);
  if (context.state === "suspended") await context.resume().catch(() => {});
  const processed = dest.stream.getAudioTracks()[0];
  let stopped = false;
  async function stop() {
    if (stopped) return;
    stopped = true;
    clearInterval(watch);
    source.disconnect();
    node.destroy();
    processed.stop();
    if (owned) await context.close();
  }
  const watch = setInterval(() => {
    if (track.readyState === "ended" || processed.readyState === "ended") stop();
  }, TRACK_POLL_MS);
  async function restart() {
    if (stopped) throw new Error("restart(): the track was stopped");
    return node.restart();
  }
  return { track: processed, node, context, stop, restart };
}

/**
 * An audio processor with the shape of LiveKit's `TrackProcessor`, for
 * `localAudioTrack.setProcessor(new PercepNetTrackProcessor())`. Structural:
 * no dependency on livekit-client.
 */
export class PercepNetTrackProcessor {
  constructor(options = {}) {
    this.name = "percepnet-wasm";
    this.options = options;
    this.processedTrack = undefined;
    this._session = null;
  }

  /** LiveKit calls this with {kind, track, audioContext, element?}. */
  async init({ track, audioContext }) {
    this._session = await denoiseTrack(track, { ...this.options, context: audioContext });
    this.processedTrack = this._session.track;
  }

  /** Called when the source track changes (device switch): rebuild on the new track. */
  async restart(opts) {
    await this.destroy();
    await this.init(opts);
  }

  async destroy() {
    if (this._session) await this._session.stop();
    this._session = null;
    this.processedTrack = undefined;
  }

  /** The node of the current session (stats, presets), or null. */
  get node() {
    return this._session ? this._session.node : null;
  }
}
