// Compiled (not run) by tests/browser/test_types.py: the declarations in worklet/index.d.ts
// must describe the API as a page uses it.
import {
  alignedQuantum, createAudioContext, createPercepNetNode, defaultBridgeDelay, denoiseTrack, minBridgeDelay, NOISY_MIC_DB, PercepNetTrackProcessor, VAD_OFF, VAD_ON,
  PRESETS, TOTAL_LATENCY,
  type PercepNetStats, type Preset,
} from "../../../worklet/index.js";

export async function example(ctx: AudioContext, mic: MediaStreamTrack, pc: RTCPeerConnection) {
  const node = await createPercepNetNode(ctx, { assetsURL: "/", preset: "balanced", model: "auto" });
  node.addEventListener("statechange", (e) => console.log(e.detail.state, e.detail.reason));
  node.addEventListener("error", (e) => console.warn(e.detail.message));
  node.addEventListener("fallback", (e) => console.warn(e.detail.reason));
  const settled = await node.ready;
  if (settled.state === "pass-through") console.warn(settled.reason);
  node.setEnabled(false);
  node.setAttenuationLimit(null);
  node.setAttenuationLimit(18);
  const preset: Preset = "strong";
  node.setPreset(preset);
  const s: PercepNetStats = node.stats();
  node.addEventListener("speechstart", (e) => console.log(e.detail.time, e.detail.probability, VAD_ON, VAD_OFF));
  node.addEventListener("noisymicrophone", (e) => console.log(e.detail.noisy, e.detail.levelDb > NOISY_MIC_DB));
  const talking: boolean = node.speaking && s.speaking && !s.noisyMicrophone && (s.noiseLevelDb ?? 0) < 0;
  const ms: number = s.latency.ms + (s.msPerFrame?.p99 ?? 0) + TOTAL_LATENCY + PRESETS.balanced;
  ctx.createMediaStreamSource(new MediaStream([mic])).connect(node).connect(ctx.destination);

  const low = createAudioContext({ sampleRate: 48000 });
  const quantum: number | null = alignedQuantum(low.sampleRate);
  const d: number = defaultBridgeDelay(low) + (quantum ?? 128) + s.latency.quantum;
  const least: number = minBridgeDelay(s.latency.quantum, low.sampleRate);

  const { track, stop } = await denoiseTrack(mic, { preset: "conservative", model: null });
  const used: "default" | null | undefined = s.model;
  pc.addTrack(track);
  await stop();

  const processor = new PercepNetTrackProcessor({ preset: "balanced" });
  processor.addEventListener("speechend", (e) => console.log(e.detail.frame, e.detail.interrupted, processor.speaking, talking));
  await processor.init({ kind: "audio", track: mic, audioContext: ctx });
  const processed: MediaStreamTrack | undefined = processor.processedTrack;
  await processor.restart({ track: mic, audioContext: ctx });
  await processor.destroy();
  node.destroy();
  return [ms, d, processed];
}
