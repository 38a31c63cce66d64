// preload(): start the Python worker and its downloads before the page asks for a node.
//
// Loading (Pyodide, numpy, the model, the warm-up) takes seconds on a first visit and about
// one on later ones; audio that reaches a node before then passes through unprocessed. A page
// that knows it will denoise (a call page, before the user clicks "join") calls preload() early;
// the first node made later with the same assetsURL and model takes over the loaded worker and
// is ready as soon as its worklet runs (and the worker has finished loading, if it has not yet). Nothing is shared between nodes: each preloaded worker
// serves one node, and a later node starts its own.

import { isIsolated } from "./worker-host.js";

const DEFAULT_ASSETS = new URL("../", import.meta.url).href;
// Preloaded workers not yet taken by a node, by key(assetsURL, model).
const waiting = new Map();

const key = (assetsURL, model) => `${assetsURL}\n${model}`;

/**
 * The model names the worker (percepnet_wasm.worker) takes, which are the Python Denoiser's:
 * "default" (the shipped weights), null (unity gains: the DSP alone), and "auto" ("default" if
 * the wheel ships weights, else null). "none" is the older name for null and is still accepted.
 */
export function workerModel(model) {
  if (model === "none") return null;
  if (model === "auto" || model === "default" || model === null) return model;
  throw new TypeError(`model must be "auto", "default" or null (was ${JSON.stringify(model)})`);
}

/**
 * Start loading a worker for a later createPercepNetNode({assetsURL, model}) (or denoiseTrack).
 * Calling it again before a node takes the worker returns the same promise.
 * @param {object} [options]
 * @param {string} [options.assetsURL]  as for createPercepNetNode (default: the folder above this module)
 * @param {"auto"|"default"|null} [options.model]  as for createPercepNetNode (default "auto")
 * @returns {Promise<{loaded: boolean, reason: string}>}  settles when the worker has loaded
 *   (loaded: true) or failed (loaded: false, the reason; the node will report it too); never rejects.
 *   Without cross-origin isolation nothing starts (loaded: false): nodes pass audio through.
 */
export function preload({ assetsURL = DEFAULT_ASSETS, model = "auto" } = {}) {
  model = workerModel(model);
  if (!isIsolated()) {
    return Promise.resolve({ loaded: false, reason: "not cross-origin isolated: nodes will pass audio through" });
  }
  const assets = new URL(assetsURL, location.href).href;
  const k = key(assets, model);
  if (!waiting.has(k)) {
    const worker = new Worker(new URL("worklet/worker.js", assets), { type: "module" });
    const loaded = new Promise((resolve) => {
      const onMessage = (e) => {
        if (e.data.type !== "preloaded") return;
        worker.removeEventListener("message", onMessage);
        resolve(e.data.error ? { loaded: false, reason: e.data.error } : { loaded: true, reason: "loaded" });
      };
      worker.addEventListener("message", onMessage);
    });
    worker.postMessage({ type: "preload", assetsURL: assets, model });
    waiting.set(k, { worker, loaded });
  }
  return waiting.get(k).loaded;
}

/** The preloaded worker for (assetsURL, model), removed from the waiting list; null if none. */
export function takePreloaded(assetsURL, model) {
  const k = key(assetsURL, model);
  const entry = waiting.get(k);
  waiting.delete(k);
  return entry ? entry.worker : null;
}
