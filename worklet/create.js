// createPercepNetNode: checks the options, adds the worklet module once per context, and makes
// the node (node.js), which starts its worker.

import { RENDER_QUANTUM } from "./constants.js";
import { minBridgeDelay } from "./bridge.js";
import { defaultBridgeDelay } from "./context.js";
import { PercepNetNode } from "./node.js";
import { workerModel } from "./preload.js";
import { isIsolated } from "./worker-host.js";

// The folder that holds worklet/, pyodide/, wheels/ and manifest.json: the built site, or the npm
// package's root (or what `npx percepnet-wasm assets DIR` copied). The worklet module and the worker
// are loaded from it too, so that a page whose own code is bundled (import.meta.url is then the
// bundle's) still finds them.
const DEFAULT_ASSETS = new URL("../", import.meta.url).href;
// One worklet module per context (addModule twice is allowed but wasteful).
const modules = new WeakMap();

/**
 * Create the denoising node for `context` (any sample rate, any channel count in; mono out).
 *
 * @param {BaseAudioContext} context
 * @param {object} [options]
 * @param {string} [options.assetsURL]   where the built site or the npm package's assets are served
 *                                       (worklet/, pyodide/, wheels/, manifest.json); default: the folder
 *                                       above this module (set it when your code is bundled)
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
  const assets = new URL(assetsURL, location.href).href;
  if (!modules.has(context)) {
    modules.set(context, context.audioWorklet.addModule(new URL("worklet/processor.js", assets)));
  }
  await modules.get(context);
  const isolated = isIsolated();
  const offline = typeof OfflineAudioContext !== "undefined" && context instanceof OfflineAudioContext;
  const node = new PercepNetNode(context, {
    isolated, offline, bridgeDelay, autoRestart,
    assetsURL: assets, model: pythonModel,
  });
  if (!isolated) return node;                             // pass-through; "fallback" fires next
  node.setEnabled(enabled);
  if (preset) node.setPreset(preset);
  else node.setAttenuationLimit(attenuationLimit);
  return node;
}
