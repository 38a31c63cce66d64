// The demo page: uses the public API (worklet/index.js) exactly as any page would.

import { ALGORITHMIC_DELAY, createAudioContext, createPercepNetNode, preload, PRESETS } from "./worklet/index.js";

// Python starts loading with the page, so that "Start" finds it (nearly) ready.
preload();

const $ = (id) => document.getElementById(id);
const demo = { context: null, node: null, source: null, stream: null, before: null, after: null };
window.demo = demo;                                      // for the browser tests and the curious

const LOG_LINES = 50;

function log(text) {
  const li = document.createElement("li");
  li.textContent = `${new Date().toLocaleTimeString()}  ${text}`;
  $("log").prepend(li);
  while ($("log").children.length > LOG_LINES) $("log").lastChild.remove();
}

function showState(state, reason) {
  $("state").className = `state ${state}`;
  $("state-text").textContent = `${state}${reason ? `: ${reason}` : ""}`;
}

/** The audio graph, made on the first user action: source → node → "after" analyser → speakers. */
async function ensureGraph() {
  if (!demo.context) {
    const context = createAudioContext();   // small aligned callbacks: the smallest bridge delay
    demo.context = context;
    showState("loading", "loading Pyodide, numpy and the model (a few seconds, once)");
    const node = await createPercepNetNode(context, { preset: presetOrNull() });
    demo.node = node;
    node.addEventListener("statechange", (e) => { showState(e.detail.state, e.detail.reason); log(`state: ${e.detail.state} (${e.detail.reason})`); });
    node.addEventListener("error", (e) => log(`error: ${e.detail.message}`));
    node.addEventListener("fallback", (e) => log(`fallback: ${e.detail.reason}`));
    // voice activity, as a call page would use it ("are you talking while muted?")
    node.addEventListener("speechstart", (e) => log(`speech started (p = ${e.detail.probability.toFixed(2)})`));
    node.addEventListener("speechend", () => log("speech ended"));
    node.addEventListener("noisymicrophone", (e) => {
      $("noisy").hidden = !e.detail.noisy;
      $("noisy").textContent = `Noisy microphone: ${e.detail.levelDb.toFixed(0)} dBFS of noise while nobody speaks.`;
      log(e.detail.noisy ? "noisy microphone" : "microphone quiet again");
    });
    demo.before = analyser(context);
    demo.after = analyser(context);
    node.connect(demo.after).connect(context.destination);
    node.setEnabled($("after").checked);
    applyAttenuation();
    $("stat-rate").textContent = `${context.sampleRate} Hz${context.sampleRate === 48000 ? "" : " (resampled to 48 kHz inside the node)"}`;
    node.ready.then(() => showState(node.state, node.reason));
    requestAnimationFrame(draw);
    setInterval(showStats, 500);
  }
  await demo.context.resume();
}

function analyser(context) {
  const a = context.createAnalyser();
  a.fftSize = 1024;
  a.smoothingTimeConstant = 0;
  a.minDecibels = -110;
  a.maxDecibels = -20;
  return a;
}

function stopSource() {
  if (demo.source) {
    demo.source.disconnect();
    if (demo.source.stop) demo.source.stop();
    demo.source = null;
  }
  if (demo.stream) {
    demo.stream.getTracks().forEach((t) => t.stop());
    demo.stream = null;
  }
  $("stop").disabled = true;
}

function connectSource(src, label) {
  stopSource();
  demo.source = src;
  src.connect(demo.node);
  src.connect(demo.before);
  $("stop").disabled = false;
  $("source-info").textContent = `Playing: ${label}`;
}

async function playBuffer(buffer, label) {
  await ensureGraph();
  const src = demo.context.createBufferSource();
  src.buffer = buffer;
  src.loop = true;
  connectSource(src, label);
  src.start();
}

/** The bundled example: the first .wav the build put next to this page, else a synthetic one. */
async function exampleBuffer(context) {
  const manifest = await (await fetch("manifest.json")).json();
  const wav = Object.keys(manifest.files).find((f) => f.endsWith(".wav") && !f.includes("/"));
  if (wav) return { buffer: await context.decodeAudioData(await (await fetch(wav)).arrayBuffer()), label: wav };
  // No recording was bundled with this build: a 150 Hz harmonic "vowel" in white noise.
  const sr = context.sampleRate, n = 4 * sr;
  const buffer = context.createBuffer(1, n, sr);
  const x = buffer.getChannelData(0);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const t = i / sr;
    phase += (2 * Math.PI * (150 + 15 * Math.sin(2 * Math.PI * 0.7 * t))) / sr;
    let v = 0;
    for (let k = 1; k < 25; k++) v += Math.sin(k * phase) / k;
    const syllable = 0.5 - 0.5 * Math.cos(2 * Math.PI * 0.5 * t);
    x[i] = 0.12 * v * syllable + 0.04 * (Math.random() * 2 - 1);
  }
  return { buffer, label: "synthetic vowel in white noise (no recording bundled with this build)" };
}

$("play-example").addEventListener("click", async () => {
  await ensureGraph();
  const { buffer, label } = await exampleBuffer(demo.context);
  await playBuffer(buffer, label);
});

$("upload").addEventListener("change", async (e) => {
  const file = e.target.files[0];
  if (!file) return;
  await ensureGraph();
  try {
    await playBuffer(await demo.context.decodeAudioData(await file.arrayBuffer()), file.name);
  } catch (err) {
    log(`could not decode ${file.name}: ${err.message}`);
  }
});

$("use-mic").addEventListener("click", async () => {
  await ensureGraph();
  try {
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    });
    connectSource(demo.context.createMediaStreamSource(stream), "microphone");
    demo.stream = stream;
  } catch (err) {
    log(`microphone: ${err.message}`);
  }
});

$("stop").addEventListener("click", stopSource);

for (const id of ["before", "after"]) {
  $(id).addEventListener("change", () => demo.node && demo.node.setEnabled($("after").checked));
}

function presetOrNull() {
  const p = $("preset").value;
  return p in PRESETS ? p : undefined;
}

function applyAttenuation() {
  const v = Number($("attenuation").value);
  const db = v >= 60 ? Infinity : v;
  $("attenuation-value").textContent = db === Infinity ? "no limit" : `${db} dB`;
  if (demo.node) demo.node.setAttenuationLimit(db);
}

$("preset").addEventListener("change", () => {
  const p = presetOrNull();
  if (!p) return;
  const db = PRESETS[p];
  $("attenuation").value = db === Infinity ? 60 : db;
  applyAttenuation();
});

$("attenuation").addEventListener("input", () => {
  $("preset").value = "custom";
  applyAttenuation();
});

function showStats() {
  const s = demo.node.stats();
  const resampled = demo.context.sampleRate !== 48000 ? " + resampling" : "";
  $("stat-latency").textContent = `${s.latency.ms.toFixed(1)} ms (${ALGORITHMIC_DELAY} algorithm + ${s.latency.bridgeDelay} bridge samples at 48 kHz${resampled}; ${s.latency.quantum}-sample render quantum)`;
  $("stat-ms").textContent = s.msPerFrame ? `${s.msPerFrame.p50.toFixed(2)} ms p50, ${s.msPerFrame.p99.toFixed(2)} ms p99` : "–";
  $("stat-underruns").textContent = `${s.underruns} in ${s.frames} frames`;
  $("stat-vad").textContent = s.vad === null ? "n/a (no model)"
    : `${demo.node.speaking ? "speaking" : "not speaking"} (probability ${s.vad.toFixed(2)})`;
  $("stat-model").textContent = s.model ?? (demo.node.state === "processing"
    ? "none (DSP only, unity gains: no trained weights in this build)" : "–");
  if (s.coldStartMs) {
    const c = s.coldStartMs;
    $("stat-cold").textContent = `${(c.total / 1000).toFixed(2)} s: Pyodide ${c.pyodide.toFixed(0)}, numpy ${c.numpy.toFixed(0)}, wheel ${c.wheel.toFixed(0)}, model ${c.denoiser.toFixed(0)}, warm-up ${c.warmUp.toFixed(0)} ms`;
  }
}

// --- spectrograms: one column per animation frame, scrolling left ----------------------
const specs = ["spec-before", "spec-after"].map((id) => {
  const canvas = $(id);
  const g = canvas.getContext("2d");
  return { canvas, g, column: g.createImageData(1, canvas.height), bins: null };
});

function colour(v) {                                     // 0..255 → dark blue → orange → white
  const t = v / 255;
  return [Math.min(255, 510 * t * t), Math.min(255, 300 * t), Math.min(255, 80 + 200 * t * (1 - t) + 255 * t ** 4)];
}

function draw() {
  [demo.before, demo.after].forEach((a, k) => {
    const s = specs[k];
    if (!s.bins) s.bins = new Uint8Array(a.frequencyBinCount);
    a.getByteFrequencyData(s.bins);
    const { canvas, g, column } = s;
    const h = canvas.height;
    g.drawImage(canvas, -1, 0);
    for (let y = 0; y < h; y++) {
      const [r, gr, b] = colour(s.bins[Math.floor(((h - 1 - y) / h) * s.bins.length)]);
      column.data.set([r, gr, b, 255], 4 * y);
    }
    g.putImageData(column, canvas.width - 1, 0);
  });
  requestAnimationFrame(draw);
}
