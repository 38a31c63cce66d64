// Types of worklet/index.js, the public browser API of percepnet-wasm.

/** 48 kHz: the core's only rate; the node resamples any other context rate. */
export const SAMPLE_RATE: 48000;
/** Samples (48 kHz) between the Denoiser's input and output: 1440 (30 ms). */
export const ALGORITHMIC_DELAY: number;
/** Worklet↔worker delay in samples at 48 kHz for contexts with 10 ms device callbacks (the default "interactive" in Chromium on Linux). */
export const BRIDGE_DELAY: number;
/** Worklet↔worker delay for contexts whose device callback is at most 256 samples (e.g. `latencyHint: 0`, 128-sample quanta). */
export const BRIDGE_DELAY_LOW: number;
/** Worklet↔worker delay for aligned render quanta (`alignedQuantum`, one per device callback): 480, 40.0 ms in all. */
export const BRIDGE_DELAY_ALIGNED: number;
/**
 * The measured bridge delay for `context`: BRIDGE_DELAY_ALIGNED for aligned render quanta with one
 * quantum per device callback, BRIDGE_DELAY_LOW for small device callbacks (`baseLatency`), else BRIDGE_DELAY.
 */
export function defaultBridgeDelay(context: BaseAudioContext): number;
/**
 * The least `bridgeDelay` (48 kHz samples) a node accepts for a render quantum (samples at
 * `sampleRate`): 480 − gcd(quantum, 480) at 48 kHz (448 for 128, 0 for 480), 479 when resampling.
 * Frames can only just be complete in time with it (offline); real time needs defaultBridgeDelay.
 */
export function minBridgeDelay(quantum: number, sampleRate: number): number;
/** The render quantum (samples at `sampleRate`) that carries one 10 ms frame: 480 at 48 kHz, 441 at 44.1 kHz; null if none. */
export function alignedQuantum(sampleRate: number): number | null;
/**
 * A real-time AudioContext for the smallest bridge delay: `latencyHint: 0` and, where the browser
 * takes `renderSizeHint`, the aligned render quantum at the device's rate (or `options.sampleRate`).
 */
export function createAudioContext(options?: AudioContextOptions): AudioContext;
/** ALGORITHMIC_DELAY + BRIDGE_DELAY: a node's constant latency in samples at 48 kHz with the default bridge delay for 10 ms callbacks. */
export const TOTAL_LATENCY: number;

/** Speech starts once VAD_START_FRAMES (2) frames in a row have a speech probability >= VAD_ON (0.75). */
export const VAD_ON: number;
/** Speech ends once VAD_HANGOVER_FRAMES (20: 200 ms) frames in a row are below VAD_OFF (0.35). */
export const VAD_OFF: number;
export const VAD_START_FRAMES: number;
export const VAD_HANGOVER_FRAMES: number;
/** "noisymicrophone": the input's mean level (dBFS) in frames without speech is above this (-45), after 1 s of them; clears 5 dB lower. */
export const NOISY_MIC_DB: number;

/** Strength presets: the most noise (dB) removed in any band. */
export const PRESETS: Readonly<{ conservative: 12; balanced: 24; strong: number }>;
export type Preset = keyof typeof PRESETS;

/** "loading" until Python runs; "pass-through" (input → output, no denoising) always has a reason. */
export type NodeState = "loading" | "processing" | "pass-through";

export interface PercepNetOptions {
  /** Base URL of the built site (holds manifest.json, pyodide/, wheels/). Default: the folder above worklet/. */
  assetsURL?: string | URL;
  /**
   * The Python Denoiser's names: "default" (the shipped weights), null (unity gains: the DSP alone),
   * or "auto" (default): "default" if the wheel has trained weights, else null.
   * "none" is accepted as the older name for null.
   */
  model?: "auto" | "default" | null | "none";
  /** Most noise removed in any band, dB; null = no limit (default). */
  attenuationLimit?: number | null;
  /** A strength preset; overrides attenuationLimit. */
  preset?: Preset;
  /** Start wet (true, default) or dry. */
  enabled?: boolean;
  /** Worklet↔worker delay in 48 kHz samples (default: defaultBridgeDelay(context)); at least minBridgeDelay(quantum, rate). */
  bridgeDelay?: number;
  /** Replace a worker that dies mid-stream by itself (default true): at most 3 times per node, 1, 2 and 3 s after each death. */
  autoRestart?: boolean;
}

export interface LatencyInfo {
  /** Samples at 48 kHz (0 in the fallback). */
  samples: number;
  /** Samples at the context's rate, fractional when resampling. */
  contextSamples: number;
  ms: number;
  /** The bridge delay in `samples` (48 kHz; 0 in the fallback). */
  bridgeDelay: number;
  /** The context's render quantum, samples at its rate (128 unless it was made with `renderSizeHint`). */
  quantum: number;
}

/** Cold start in ms. The steps on the critical path follow each other; `checked` overlaps them. */
export interface ColdStartMs {
  /** manifest.json, then Pyodide's two scripts read (Cache API or network) and checked against its sha256. */
  scripts: number;
  /** Pyodide's start, including waiting for the checks of the wasm and the standard library. */
  pyodide: number;
  numpy: number;
  wheel: number;
  denoiser: number;
  /** WARM_UP_FRAMES frames through a throwaway Denoiser before going live. */
  warmUp: number;
  total: number;
  /** When the last asset check finished (ms after the start; runs alongside `scripts`..`numpy`). */
  checked: number;
}

export interface PercepNetStats {
  state: NodeState;
  reason: string;
  latency: LatencyInfo;
  /** Frames (480 samples, 10 ms) processed by Python so far. */
  frames: number;
  /** Render quanta that had to take the dry path because the worker was late. */
  underruns: number;
  /** Render quanta crossfaded towards dry because the wet samples for the next quantum had not arrived yet (most then arrive in time). */
  earlyFades: number;
  /** Python's time per frame over the last 1024 frames, ms (null before the first frame). */
  msPerFrame: { p50: number; p99: number; max: number; n: number } | null;
  /** Voice-activity probability of the last frame, 0..1 (null without a model). */
  vad: number | null;
  /** Between a "speechstart" and its "speechend" event. */
  speaking: boolean;
  /** The input's level (dBFS) averaged over frames without speech (~1 s); null until the first such frame. */
  noiseLevelDb: number | null;
  /** The last "noisymicrophone" event said noisy. */
  noisyMicrophone: boolean;
  /** Size of the worker's wasm memory (Pyodide's heap), bytes; null before the first frame or in the fallback. */
  wasmMemoryBytes: number | null;
  /** The context sample frame (AudioWorkletGlobalScope.currentFrame) at which the current worker's stream began (null until then). */
  streamStartFrame?: number | null;
  /** The model in use once processing: "default" (the shipped weights) or null (unity gains; also before the worker is ready). */
  model?: "default" | null;
  coldStartMs?: ColdStartMs | null;
  /**
   * Where each checked asset came from on this load (site path -> "cache" | "network"): the Cache API or a
   * download; and under "memory snapshot", how Python started: "cache" (from the snapshot an earlier visit
   * stored), "made" (from scratch, and a snapshot stored for the next visit) or "none" (no Cache API).
   */
  assets?: Record<string, "cache" | "network" | "made" | "none"> | null;
  /** True when the current worker was started by preload() (it loaded before the node asked for it). */
  preloaded?: boolean;
}

export interface StateChangeDetail { state: NodeState; reason: string }
export interface ErrorDetail { message: string }
export interface FallbackDetail { reason: string }
export interface SpeechDetail {
  /** The speech probability of the frame that confirmed the change (null when a restart or destroy() ended speech). */
  probability: number | null;
  /** The first frame (10 ms, counted from the current worker's stream start) of the run that caused the change. */
  frame: number | null;
  /** The AudioContext time (s) at which that frame entered the node (null if unknown). */
  time: number | null;
  /** True when restart() or destroy() ended the speech, not the signal. */
  interrupted?: boolean;
}
export interface NoisyMicrophoneDetail { noisy: boolean; levelDb: number }

export interface PercepNetNodeEventMap extends AudioWorkletNodeEventMap {
  statechange: CustomEvent<StateChangeDetail>;
  error: CustomEvent<ErrorDetail>;
  fallback: CustomEvent<FallbackDetail>;
  speechstart: CustomEvent<SpeechDetail>;
  speechend: CustomEvent<SpeechDetail>;
  noisymicrophone: CustomEvent<NoisyMicrophoneDetail>;
}

export class PercepNetNode extends AudioWorkletNode {
  /** Resolves once the node processes audio or has settled into pass-through. Never rejects. */
  readonly ready: Promise<StateChangeDetail>;
  readonly state: NodeState;
  readonly reason: string;
  readonly latency: LatencyInfo;
  /** The Web Worker that runs Python (diagnostics); null in the fallback. */
  readonly worker: Worker | null;
  /** Between a "speechstart" and its "speechend" event. */
  readonly speaking: boolean;
  /** Wet (true) or dry (false); crossfaded, latency unchanged. */
  setEnabled(on: boolean): void;
  /** Remove at most `db` dB of noise in any band; null or Infinity = no limit. */
  setAttenuationLimit(db: number | null): void;
  setPreset(name: Preset): void;
  stats(): PercepNetStats;
  /**
   * Replaces the worker (same node, latency and settings), at any time: after an `error` event, a
   * failed load or a worker that died. Audio passes through (same latency) until the new worker is
   * ready; resolves like `ready`. `reason` becomes the "loading" state's reason.
   */
  restart(reason?: string): Promise<StateChangeDetail>;
  /** Stops the worker and the processor. */
  destroy(): void;
  addEventListener<K extends keyof PercepNetNodeEventMap>(
    type: K, listener: (this: PercepNetNode, ev: PercepNetNodeEventMap[K]) => any,
    options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions): void;
}

/** Any context rate, any channel count in; mono out. Pass-through with a "fallback" event when the page is not cross-origin isolated. */
export function createPercepNetNode(context: BaseAudioContext, options?: PercepNetOptions): Promise<PercepNetNode>;

/**
 * Start loading the Python worker (Pyodide, numpy, the model, its warm-up) before the page asks for a
 * node: the next createPercepNetNode / denoiseTrack with the same assetsURL and model takes it over and is
 * ready sooner. Settles when the worker has loaded or failed; never rejects. Without cross-origin
 * isolation nothing starts ({loaded: false}).
 */
export function preload(options?: { assetsURL?: string | URL; model?: "auto" | "default" | "none" | null }):
  Promise<{ loaded: boolean; reason: string }>;

export interface DenoisedTrack {
  /** The processed track, for RTCPeerConnection.addTrack / RTCRtpSender.replaceTrack. */
  track: MediaStreamTrack;
  readonly node: PercepNetNode;
  context: AudioContext;
  /**
   * Releases the node, the worker, the processed track and (if denoiseTrack made it) the context.
   * The input track is left alone. Called by itself once the input track ends or the page stops `track`.
   */
  stop(): Promise<void>;
  /** node.restart(): a new worker behind the same processed `track`. */
  restart(): Promise<StateChangeDetail>;
}

/** Request the microphone with noiseSuppression/autoGainControl/echoCancellation off where you can: the browser's own would fight ours. */
export function denoiseTrack(track: MediaStreamTrack, options?: PercepNetOptions & { context?: AudioContext }): Promise<DenoisedTrack>;

export interface PercepNetTrackProcessorEventMap {
  speechstart: CustomEvent<SpeechDetail>;
  speechend: CustomEvent<SpeechDetail>;
  noisymicrophone: CustomEvent<NoisyMicrophoneDetail>;
}

/**
 * Shape of LiveKit's audio TrackProcessor: `localAudioTrack.setProcessor(new PercepNetTrackProcessor())`.
 * Re-dispatches the node's voice-activity events, across restarts (device switches).
 */
export class PercepNetTrackProcessor extends EventTarget {
  constructor(options?: PercepNetOptions);
  readonly name: "percepnet-wasm";
  processedTrack?: MediaStreamTrack;
  readonly node: PercepNetNode | null;
  /** The current node's `speaking` (false without one). */
  readonly speaking: boolean;
  addEventListener<K extends keyof PercepNetTrackProcessorEventMap>(
    type: K, listener: (this: PercepNetTrackProcessor, ev: PercepNetTrackProcessorEventMap[K]) => any,
    options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions): void;
  init(opts: { kind?: "audio"; track: MediaStreamTrack; audioContext: AudioContext; element?: HTMLMediaElement }): Promise<void>;
  restart(opts: { kind?: "audio"; track: MediaStreamTrack; audioContext: AudioContext; element?: HTMLMediaElement }): Promise<void>;
  destroy(): Promise<void>;
}
