// Loads Python exactly as the production worker does (worklet/runtime.js), then runs test code.
import { loadRuntime } from "../worklet/runtime.js";

self.onmessage = async (e) => {
  try {
    const timings = {};
    const { pyodide } = await loadRuntime({ assetsURL: e.data.assetsURL, onStep: (n, ms) => (timings[n] = ms) });
    const ns = pyodide.globals.get("dict")();
    pyodide.runPython(e.data.code, { globals: ns });
    const result = ns.get("run")(e.data.arg).toJs({ dict_converter: Object.fromEntries });
    self.postMessage({ result, timings });
  } catch (err) {
    self.postMessage({ error: String(err && err.message ? err.message : err) });
  }
};
