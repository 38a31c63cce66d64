// Helpers shared by the test pages: float32 arrays <-> base64 (Playwright moves strings cheaply).

export function f32ToB64(a) {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function b64ToF32(b64) {
  const s = atob(b64);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

/** Publish the page's verdict for Playwright: window.verdict = {ok, ...} or {ok: false, error}. */
export function expose(name, fn) {
  window[name] = async (...args) => {
    try {
      return { ok: true, ...(await fn(...args)) };
    } catch (e) {
      return { ok: false, error: String(e && e.stack ? e.stack : e) };
    }
  };
  window.pageReady = true;
}

/**
 * Plays `samples` (mono Float32Array at the context's rate) from a buffer source through `node`
 * into the recorder worklet `recorder`, which gets the source on input 0 and the node's output on
 * input 1, recorded in the same render quantum. Starts the source at once.
 * @returns {{src: AudioBufferSourceNode, rec: AudioWorkletNode, recorded: Promise<any>}}
 *   recorded: the recorder's first message
 */
export function playThrough(ctx, node, samples, recorder, processorOptions, { loop = false } = {}) {
  const buf = ctx.createBuffer(1, samples.length, ctx.sampleRate);
  buf.copyToChannel(samples, 0);
  const src = ctx.createBufferSource();
  src.buffer = buf;
  src.loop = loop;
  const rec = new AudioWorkletNode(ctx, recorder, { numberOfInputs: 2, numberOfOutputs: 1, processorOptions });
  const recorded = new Promise((resolve) => (rec.port.onmessage = (e) => resolve(e.data)));
  src.connect(rec, 0, 0);
  src.connect(node).connect(rec, 0, 1);
  rec.connect(ctx.destination);
  src.start();
  return { src, rec, recorded };
}

/**
 * Renders `channels` (Float32Arrays of one length, at the context's rate) from a buffer source
 * through `node` to the destination of the OfflineAudioContext `ctx`.
 * @returns {Promise<{out: AudioBuffer, renderMs: number}>} renderMs: wall time of startRendering()
 */
export async function renderThrough(ctx, node, channels) {
  const buf = ctx.createBuffer(channels.length, channels[0].length, ctx.sampleRate);
  channels.forEach((x, c) => buf.copyToChannel(x, c));
  const src = ctx.createBufferSource();
  src.buffer = buf;
  src.connect(node).connect(ctx.destination);
  src.start();
  const t = performance.now();
  const out = await ctx.startRendering();
  return { out, renderMs: performance.now() - t };
}


/**
 * Counts every Worker the page makes from now on: a worker is "live" until terminate() or
 * until it closed itself (it posts "stopped" or "error" first). Returns a function giving
 * `{ created, live }`. Call it before the library makes its first worker.
 */
export function countWorkers() {
  const NativeWorker = window.Worker;
  const workers = { created: 0, live: new Set() };
  window.Worker = class CountedWorker extends NativeWorker {
    constructor(...args) {
      super(...args);
      workers.created++;
      workers.live.add(this);
      this.addEventListener("message", (e) => {
        if (e.data && (e.data.type === "stopped" || e.data.type === "error")) workers.live.delete(this);
      });
    }
    terminate() {
      workers.live.delete(this);
      super.terminate();
    }
  };
  return () => ({ created: workers.created, live: workers.live.size });
}
