// Public API of percepnet-wasm in the browser (ESM; types in index.d.ts).
//
//   const node = await createPercepNetNode(audioContext);
//   source.connect(node).connect(audioContext.destination);
//   await node.ready;                         // {state: "processing" | "pass-through", reason}
//
//   preload();                                // early (page load): the next node finds Python loaded
//
//   const { track, stop } = await denoiseTrack(micTrack);   // for RTCPeerConnection
//
// For the lowest latency make the context with createAudioContext() (40 ms in all).
//
// One file per role, all re-exported here:
//   create.js       createPercepNetNode: options checked, worklet module added, node made
//   preload.js      preload(): a worker loading before the page asks for a node
//   node.js         PercepNetNode: states, events, settings, stats, restarts; PRESETS
//   worker-host.js  the Python worker's lifecycle and the shared memory (rings, CTRL, PARAM)
//   track.js        denoiseTrack (MediaStreamTrack in, denoised track out)
//   livekit.js      PercepNetTrackProcessor (LiveKit's TrackProcessor shape)
//   context.js      createAudioContext, defaultBridgeDelay, alignedQuantum
//   bridge.js       the worklet's framing logic (minBridgeDelay); processor.js is its Web Audio glue
//   worker.js       the worker itself (Pyodide; Python in py/percepnet_wasm/worker.py)
//   vad.js          voice-activity hysteresis and the noisy-microphone verdict (run by the worker)

export {
  ALGORITHMIC_DELAY, BRIDGE_DELAY, BRIDGE_DELAY_ALIGNED, BRIDGE_DELAY_LOW, NOISY_MIC_DB, SAMPLE_RATE, TOTAL_LATENCY,
  VAD_HANGOVER_FRAMES, VAD_OFF, VAD_ON, VAD_START_FRAMES,
} from "./constants.js";
export { minBridgeDelay } from "./bridge.js";
export { alignedQuantum, createAudioContext, defaultBridgeDelay } from "./context.js";
export { createPercepNetNode } from "./create.js";
export { preload } from "./preload.js";
export { PercepNetNode, PRESETS } from "./node.js";
export { denoiseTrack } from "./track.js";
export { PercepNetTrackProcessor } from "./livekit.js";
