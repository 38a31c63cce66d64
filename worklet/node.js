// PercepNetNode: the AudioWorkletNode a page connects, with its states, events, settings and
// stats. The worker behind it lives in worker-host.js; the node decides what a failure means
// (state, events) and replaces a worker that died mid-stream, a bounded number of times.
//
// The node is never a silent no-op: `node.state` is "loading", "processing" or "pass-through"
// (with `node.reason`), every change fires "statechange", and failures fire "error" /
// "fallback". While not processing, the node passes the input through (delayed by the same
// latency, except in the fallback).
//
// Voice activity (worker.js runs vad.js on every frame): "speechstart" / "speechend" with
// hysteresis, and "noisymicrophone" while the input is loud with nobody speaking.

import { ALGORITHMIC_DELAY, CTRL, FRAME_SIZE, PARAM, RENDER_QUANTUM, SAMPLE_RATE, TIMING_SLOTS } from "./constants.js";
import { NOISY_OFF, NOISY_ON, SPEECH_END, SPEECH_START } from "./vad.js";
import { WorkerHost } from "./worker-host.js";

export const PROCESSOR = "percepnet-wasm-bridge";

/** Strength presets: the most noise (dB) removed in any band. */
export const PRESETS = Object.freeze({ conservative: 12, balanced: 24, strong: Infinity });

const STATES = ["loading", "processing", "pass-through"];   // indexed by bridge.js STATE
// A worker that dies mid-stream is replaced automatically, at most this many times per node,
// after RESTART_DELAY_MS x the attempt number (audio passes through meanwhile).
const MAX_AUTO_RESTARTS = 3;
const RESTART_DELAY_MS = 1000;
const FALLBACK_REASON = "page is not cross-origin isolated (no COOP/COEP headers): SharedArrayBuffer is "
  + "unavailable, so audio passes through without denoising";

export class PercepNetNode extends AudioWorkletNode {
  /**
   * Made by createPercepNetNode (create.js), which checks the options first.
   * @param {BaseAudioContext} context  its worklet module is already added
   * @param {object} o  {isolated, offline, bridgeDelay, autoRestart, assetsURL (absolute), model
   *                    ("auto" | "default" | null)}; not isolated: pass-through and a "fallback" event
   */
  constructor(context, { isolated, offline, bridgeDelay, autoRestart, assetsURL, model }) {
    const quantum = context.renderQuantumSize ?? RENDER_QUANTUM;    // samples per process() call
    const host = isolated ? new WorkerHost() : null;
    super(context, PROCESSOR, {
      numberOfInputs: 1,
      numberOfOutputs: 1,
      outputChannelCount: [1],
      processorOptions: host
        ? { mode: "bridge", quantum, offline, bridgeDelay, ...host.shared }
        : { mode: "fallback", quantum },
    });
    this._host = host;
    this._bridgeDelay = bridgeDelay;
    this._quantum = quantum;
    this._state = "loading";
    this._reason = "loading Pyodide, numpy and the model";
    this._latency = null;             // context-rate samples, once the worklet reports it
    this._streamStartFrame = null;    // context frame at which the current worker's stream began
    this._info = {};                  // the current worker's "ready" message
    this._workerReady = false;        // the current worker reached "ready" (so it died mid-stream, if it dies)
    this._failed = false;             // an error explains the current pass-through
    this._destroyed = false;
    this._autoRestarts = autoRestart ? MAX_AUTO_RESTARTS : 0;   // left
    this._restartTimer = null;
    this._settle = null;
    this._speaking = false;
    this._noisy = false;
    /** Resolves once the node processes audio or has settled into pass-through: {state, reason}. */
    this.ready = new Promise((resolve) => (this._settle = resolve));
    this.port.onmessage = (e) => this._fromProcessor(e.data);
    if (host) {
      host.onReady = (msg) => this._workerIsReady(msg);
      host.onVoice = (msg) => this._voice(msg);
      host.onError = (message, kind) => {
        this._fail(kind === "crashed" ? `the Python worker crashed: ${message}` : `the Python worker failed: ${message}`);
        this._autoRestart(message);
      };
      host.start(assetsURL, model);
    } else {
      setTimeout(() => {
        this.dispatchEvent(new CustomEvent("fallback", { detail: { reason: FALLBACK_REASON } }));
        this._setState("pass-through", FALLBACK_REASON);
      }, 0);
    }
  }

  /** "loading" | "processing" | "pass-through" */
  get state() {
    return this._state;
  }

  /** Why the node is in its state (always set for "pass-through"). */
  get reason() {
    return this._reason;
  }

  /** True between a "speechstart" and its "speechend" event. */
  get speaking() {
    return this._speaking;
  }

  /** The AudioContext time (s) at which stream frame `frame` of the current worker entered the node. */
  _frameTime(frame) {
    if (this._streamStartFrame === null) return null;
    return this._streamStartFrame / this.context.sampleRate + (frame * FRAME_SIZE) / SAMPLE_RATE;
  }

  /**
   * A "voice" message of the worker (vad.js events) -> speechstart / speechend / noisymicrophone.
   * The worker counts its steps; the probability of step i is that of input frame i - 3 (the
   * Denoiser's 1440-sample delay), which is the frame the events name.
   */
  _voice(msg) {
    if (this._destroyed) return;
    const { events, probability } = msg;
    const lag = ALGORITHMIC_DELAY / FRAME_SIZE;
    const at = (step) => ({ probability, frame: step - lag, time: this._frameTime(step - lag) });
    if (events & SPEECH_START) this._speech(true, at(msg.onset));
    if (events & SPEECH_END) this._speech(false, at(msg.offset));
    if (events & (NOISY_ON | NOISY_OFF)) {
      this._noisy = Boolean(events & NOISY_ON);
      this.dispatchEvent(new CustomEvent("noisymicrophone", { detail: { noisy: this._noisy, levelDb: msg.noiseDb } }));
    }
  }

  _speech(on, detail) {
    if (on === this._speaking) return;
    this._speaking = on;
    this.dispatchEvent(new CustomEvent(on ? "speechstart" : "speechend", { detail }));
  }

  /** The Web Worker that runs Python (diagnostics; null in the fallback). */
  get worker() {
    return this._host ? this._host.worker : null;
  }

  /**
   * Total latency: 48 kHz samples, context-rate samples and milliseconds; the bridge delay in
   * it (48 kHz samples) and the context's render quantum (context-rate samples).
   */
  get latency() {
    const samples = this._host ? ALGORITHMIC_DELAY + this._bridgeDelay : 0;
    const ctxSamples = this._latency ?? samples;
    return {
      samples,
      contextSamples: ctxSamples,
      ms: (1000 * ctxSamples) / this.context.sampleRate,
      bridgeDelay: this._host ? this._bridgeDelay : 0,
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

  _workerIsReady(msg) {
    this._info = msg;
    this._workerReady = true;
    this._failed = false;
    this._setState("processing", msg.model === null
      ? "DSP only: the wheel has no trained weights (unity gains)"
      : "denoising");
  }

  _fromProcessor(msg) {
    if (msg.type === "latency") {
      this._latency = msg.samples;
    } else if (msg.type === "stream") {
      this._streamStartFrame = msg.contextFrame;
    } else if (msg.type === "state" && this._host && !this._destroyed) {
      const state = STATES[msg.state];
      if (state === "pass-through") {
        // The worklet ran dry for ~130 ms: the worker is gone or hopelessly late.
        this._fail("the worker stopped responding: passing audio through (delayed, no denoising)");
        this._host.checkAlive(() => this._autoRestart("the worker stopped"));
      } else if (state === "processing" && this._failed && this._workerReady) {
        this._failed = false;                              // it was only late (CPU starvation)
        this._setState("processing", "denoising again after a stall");
      }
    }
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
    if (!this._host) return this.ready;                    // fallback: nothing to restart
    if (this._destroyed) throw new Error("restart(): the node was destroyed");
    this._workerReady = false;
    this._speech(false, { probability: null, frame: null, time: null, interrupted: true });  // the new worker starts afresh
    this.port.postMessage(this._host.replace());
    this._failed = false;
    this.ready = new Promise((resolve) => (this._settle = resolve));
    this._setState("loading", reason);
    return this.ready;
  }

  /** Wet (true) or dry (false), crossfaded over CROSSFADE samples; the latency stays the same. */
  setEnabled(on) {
    if (this._host) Atomics.store(this._host.ctrl, CTRL.ENABLED, on ? 1 : 0);
  }

  /** Remove at most `db` dB of noise in any band (null or Infinity: no limit). */
  setAttenuationLimit(db) {
    const v = db === null || db === undefined ? Infinity : Number(db);
    if (!(v >= 0)) throw new RangeError(`attenuation limit must be >= 0 dB or null (was ${db})`);
    if (!this._host) return;
    this._host.params[PARAM.ATTENUATION_LIMIT_DB] = v;
    Atomics.add(this._host.ctrl, CTRL.PARAM_SEQ, 1);
    Atomics.notify(this._host.ctrl, CTRL.INPUT_SEQ);
  }

  /** Apply a strength preset: "conservative" | "balanced" | "strong". */
  setPreset(name) {
    if (!(name in PRESETS)) throw new RangeError(`unknown preset ${name} (one of ${Object.keys(PRESETS)})`);
    this.setAttenuationLimit(PRESETS[name]);
  }

  /** Counters and timings; cheap enough to call every animation frame. */
  stats() {
    const base = { state: this._state, reason: this._reason, latency: this.latency };
    if (!this._host) {
      return { ...base, frames: 0, underruns: 0, earlyFades: 0, msPerFrame: null, vad: null, speaking: false,
               noiseLevelDb: null, noisyMicrophone: false, wasmMemoryBytes: null };
    }
    const { ctrl, params, timing } = this._host;
    const frames = Atomics.load(ctrl, CTRL.FRAMES);
    const n = Math.min(frames, TIMING_SLOTS);
    const t = Array.from(timing.subarray(0, n)).sort((a, b) => a - b);
    const pct = (p) => (n ? t[Math.min(n - 1, Math.floor(p * n))] : null);
    const vad = params[PARAM.VAD];
    return {
      ...base,
      frames,
      underruns: Atomics.load(ctrl, CTRL.UNDERRUNS),
      earlyFades: Atomics.load(ctrl, CTRL.EARLY_FADES),
      msPerFrame: n ? { p50: pct(0.5), p99: pct(0.99), max: t[n - 1], n } : null,
      vad: Number.isNaN(vad) ? null : vad,
      speaking: this._speaking,
      noiseLevelDb: Number.isNaN(params[PARAM.NOISE_DB]) ? null : params[PARAM.NOISE_DB],
      noisyMicrophone: this._noisy,
      wasmMemoryBytes: params[PARAM.WASM_BYTES] || null,
      streamStartFrame: this._streamStartFrame,
      model: this._info.model ?? null,
      coldStartMs: this._info.timings ?? null,
      assets: this._info.assets ?? null,
      preloaded: this._info.preloaded ?? false,
    };
  }

  /** Stop the worker and the processor; the node then outputs silence. */
  destroy() {
    clearTimeout(this._restartTimer);
    if (this._host) this._host.stop();
    this.port.postMessage({ type: "stop" });
    this.disconnect();
    this._speech(false, { probability: null, frame: null, time: null, interrupted: true });
    this._failed = true;
    this._destroyed = true;
    this._setState("pass-through", "destroyed");
  }
}
