// Public API of percepnet-wasm in the browser (ESM; types in index.d.ts).
//
//   const node = await createPercepNetNode(audioContext);
//   source.connect(node).connect(audioContext.destination);
//   await node.ready;                         // {state: "processing" | "pass-through", reason}
//
//   const { track, stop } = await denoiseTrack(micTrack);   // for RTCPeerConnection
//
// The node is never a silent no-op: `node.state` is "loading", "processing" or
// "pass-through" (with `node.reason`), every change fires "statechange", and
// failures fire "error" / "fallback". While not processing, the node passes
// the input through (delayed by the same latency, except in the fallback).

import {
  ALGORITHMIC_DELAY, BRIDGE_DELAY, CTRL, FRAME_SIZE, PARAM, RENDER_QUANTUM, RING_CAPACITY, SAMPLE_RATE, TIMING_SLOTS, TOTAL_LATENCY,
} from "./constants.js";

export { ALGORITHMIC_DELAY, BRIDGE_DELAY, SAMPLE_RATE, TOTAL_LATENCY };

const PROCESSOR = "percepnet-wasm-bridge";
const DEFAULT_ASSETS = new URL("../", import.meta.url).href;

/** Strength presets: the most noise (dB) removed in any band. */
export const PRESETS = Object.freeze({ conservative: 12, balanced: 24, strong: Infinity });

const STATES = ["loading", "processing", "pass-through"];
// One worklet module per context (addModule twice is allowed but wasteful).
const modules = new WeakMap();

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
  constructor(context, { isolated, offline, bridgeDelay }) {
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
        ? { mode: "bridge", offline, bridgeDelay, ...shared }
        : { mode: "fallback" },
    });
    this._shared = shared;
    this._state = "loading";
    this._reason = "loading Pyodide, numpy and the model";
    this._latency = null;
    this._worker = null;
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

  /** Total latency: 48 kHz samples, context-rate samples and milliseconds. */
  get latency() {
    const ctxSamples = this._latency ?? (this._shared ? TOTAL_LATENCY : 0);
    return {
      samples: this._shared ? TOTAL_LATENCY : 0,
      contextSamples: ctxSamples,
      ms: (1000 * ctxSamples) / this.context.sampleRate,
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
    } else if (msg.type === "state" && STATES[msg.state] === "pass-through" && this._shared) {
      // The worklet ran dry for ~130 ms: the worker is gone or hopelessly late.
      this._fail("the worker stopped responding: passing audio through (delayed, no denoising)");
    }
  }

  _startWorker(assetsURL, model) {
    this._start = { assetsURL, model };
    const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
    this._worker = worker;
    worker.onmessage = (e) => {
      const msg = e.data;
      if (msg.type === "ready") {
        this._info = msg;
        this._setState("processing", msg.model === "none"
          ? "DSP only: the wheel has no trained weights (unity gains)"
          : "denoising");
      } else if (msg.type === "error") {
        this._fail(`the Python worker failed: ${msg.message}`);
      }
    };
    worker.onerror = (e) => {
      this._fail(`the Python worker crashed: ${e.message || "script error"}`);
    };
    const s = this._shared;
    worker.postMessage({ type: "init", assetsURL, model, ...s });
  }

  /**
   * Tear the worker down and start a new one on the same rings, latency and settings;
   * resolves like `ready`. For a worker that failed before the stream started (an asset
   * that did not load or did not match manifest.json): the node then processes as if it
   * had loaded the first time. Once frames have flowed the worklet keeps pass-through for
   * good (its ring to the dead worker is full), so this throws: make a new node, or call
   * denoiseTrack's restart(), which does.
   * @returns {Promise<{state: string, reason: string}>}
   */
  async restart() {
    if (!this._shared) return this.ready;                  // fallback: nothing to restart
    if (this._destroyed) throw new Error("restart(): the node was destroyed");
    const c = this._ctrl;
    if (Atomics.load(c, CTRL.FRAMES) > 0 || Atomics.load(c, CTRL.STATE) !== 0 || Atomics.load(c, CTRL.READY) !== 0) {
      throw new Error("restart(): the stream had started; the worklet stays in pass-through for good, "
        + "so make a new node (denoiseTrack's restart() does)");
    }
    if (this._worker) this._worker.terminate();
    this._failed = false;
    this.ready = new Promise((resolve) => (this._settle = resolve));
    this._setState("loading", "restarting: loading Pyodide, numpy and the model");
    this._startWorker(this._start.assetsURL, this._start.model);
    return this.ready;
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
    if (!this._ctrl) return { ...base, frames: 0, underruns: 0, msPerFrame: null, vad: null };
    const frames = Atomics.load(this._ctrl, CTRL.FRAMES);
    const n = Math.min(frames, TIMING_SLOTS);
    const t = Array.from(this._timing.subarray(0, n)).sort((a, b) => a - b);
    const pct = (p) => (n ? t[Math.min(n - 1, Math.floor(p * n))] : null);
    const vad = this._params[PARAM.VAD];
    return {
      ...base,
      frames,
      underruns: Atomics.load(this._ctrl, CTRL.UNDERRUNS),
      msPerFrame: n ? { p50: pct(0.5), p99: pct(0.99), max: t[n - 1], n } : null,
      vad: Number.isNaN(vad) ? null : vad,
      model: this._info.model ?? null,
      coldStartMs: this._info.timings ?? null,
    };
  }

  /** Stop the worker and the processor; the node then outputs silence. */
  destroy() {
    if (this._ctrl) {
      Atomics.store(this._ctrl, CTRL.STOP, 1);
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
 * @param {"auto"|"default"|"none"} [options.model]  "auto": the shipped weights if the wheel has them
 * @param {number|null} [options.attenuationLimit]   dB, see setAttenuationLimit
 * @param {string} [options.preset]       a PRESETS name (overrides attenuationLimit)
 * @param {boolean} [options.enabled]     start wet (default) or dry
 * @param {number} [options.bridgeDelay]  48 kHz samples between worklet and worker (default BRIDGE_DELAY)
 * @returns {Promise<PercepNetNode>}
 */
export async function createPercepNetNode(context, options = {}) {
  const {
    assetsURL = DEFAULT_ASSETS, model = "auto", attenuationLimit = null, preset,
    enabled = true,
  } = options;
  const bridgeDelay = options.bridgeDelay ?? BRIDGE_DELAY;
  if (!Number.isInteger(bridgeDelay) || bridgeDelay < FRAME_SIZE - RENDER_QUANTUM) {
    throw new RangeError(`bridgeDelay must be an integer >= ${FRAME_SIZE - RENDER_QUANTUM} samples (was ${bridgeDelay})`);
  }
  if (!modules.has(context)) {
    modules.set(context, context.audioWorklet.addModule(new URL("./processor.js", import.meta.url)));
  }
  await modules.get(context);
  const isolated = isIsolated();
  const offline = typeof OfflineAudioContext !== "undefined" && context instanceof OfflineAudioContext;
  const node = new PercepNetNode(context, { isolated, offline, bridgeDelay });
  if (!isolated) {
    const reason = "page is not cross-origin isolated (no COOP/COEP headers): SharedArrayBuffer is "
      + "unavailable, so audio passes through without denoising";
    setTimeout(() => {
      node.dispatchEvent(new CustomEvent("fallback", { detail: { reason } }));
      node._setState("pass-through", reason);
    }, 0);
    return node;
  }
  node._startWorker(new URL(assetsURL, location.href).href, model);
  node.setEnabled(enabled);
  if (preset) node.setPreset(preset);
  else node.setAttenuationLimit(attenuationLimit);
  return node;
}

/**
 * Denoise a microphone track: returns a new MediaStreamTrack for RTCPeerConnection.addTrack /
 * RTCRtpSender.replaceTrack, and `stop()`, which releases the node, the worker and (if this
 * call made it) the AudioContext, and `restart()`, which replaces the node with a new one
 * (new worker) between the same source and the same processed track: the recovery after an
 * `error` event. The input track is left running.
 *
 * @param {MediaStreamTrack} track
 * @param {object} [options] createPercepNetNode options, plus `context` (an AudioContext to use)
 * @returns {Promise<{track: MediaStreamTrack, node: PercepNetNode, context: AudioContext,
 *   stop: () => Promise<void>, restart: () => Promise<{state: string, reason: string}>}>}
 */
export async function denoiseTrack(track, options = {}) {
  if (!track || track.kind !== "audio") throw new TypeError(`denoiseTrack needs an audio MediaStreamTrack (was ${track && track.kind})`);
  const owned = !options.context;
  const context = options.context ?? new AudioContext({ latencyHint: "interactive" });
  const source = context.createMediaStreamSource(new MediaStream([track]));
  let node = await createPercepNetNode(context, options);
  const dest = context.createMediaStreamDestination();
  dest.channelCount = 1;
  source.connect(node).connect(dest);
  if (context.state === "suspended") await context.resume().catch(() => {});
  const processed = dest.stream.getAudioTracks()[0];
  let stopped = false;
  async function stop() {
    if (stopped) return;
    stopped = true;
    source.disconnect();
    node.destroy();
    processed.stop();
    if (owned) await context.close();
  }
  async function restart() {
    if (stopped) throw new Error("restart(): the track was stopped");
    const fresh = await createPercepNetNode(context, options);
    source.disconnect();
    node.destroy();
    node = fresh;
    source.connect(node).connect(dest);
    return node.ready;
  }
  return { track: processed, get node() { return node; }, context, stop, restart };
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
