// Loading Python in a worker: Pyodide, then numpy, then our wheel.
//
// Shared by worklet/worker.js and the browser tests' probe worker, so both
// load exactly the same way. Worker scope only (it uses dynamic import()).

/**
 * @param {object} o
 * @param {string} o.assetsURL  base URL of the built site (holds pyodide/ and manifest.json)
 * @param {(name: string, ms: number) => void} [o.onStep]  called after each loading step
 * @returns {Promise<{pyodide: object, manifest: object}>}
 */
export async function loadRuntime({ assetsURL, onStep = () => {} }) {
  let t = performance.now();
  const step = (name) => {
    const now = performance.now();
    onStep(name, now - t);
    t = now;
  };
  const base = new URL(assetsURL, self.location.href);
  const manifest = await (await fetch(new URL("manifest.json", base))).json();
  const indexURL = new URL("pyodide/", base).href;
  const { loadPyodide } = await import(new URL("pyodide.mjs", indexURL).href);
  const pyodide = await loadPyodide({ indexURL });
  step("pyodide");
  const quiet = { messageCallback: () => {} };
  // numpy first and by name (Pyodide then checks its sha256 against the lock file);
  // our wheel is loaded by URL, which gets no dependency resolution.
  await pyodide.loadPackage(manifest.pyodidePackages, quiet);
  step("numpy");
  await pyodide.loadPackage(new URL(manifest.wheel, base).href, quiet);
  step("wheel");
  return { pyodide, manifest };
}
