// Loading Python in a worker: Pyodide, then numpy, then our wheel.
//
// Shared by worklet/worker.js and the browser tests' probe worker, so both
// load exactly the same way. Worker scope only (it uses dynamic import()).
//
// Integrity: before Pyodide starts, every file it and we load is fetched once and
// its sha256 (crypto.subtle.digest) compared with build/site/manifest.json; a file
// that does not load (HTTP error) or does not match stops loading with the reason,
// instead of Pyodide hanging (it only logs a failed pyodide.asm.wasm) or importing
// a broken wheel. Our wheel is then installed from the checked bytes; Pyodide
// fetches its own core files again (revalidated from the HTTP cache), and
// checks numpy against pyodide-lock.json (itself checked here).

// Pyodide's own files, relative to the site root (all listed in manifest.json).
const CORE = ["pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"]
  .map((f) => `pyodide/${f}`);

/** Fetch `path` (relative to `base`) and check its sha256 against the manifest; its bytes. */
export async function fetchVerified(base, manifest, path) {
  const want = manifest.files && manifest.files[path] && manifest.files[path].sha256;
  if (!want) throw new Error(`${path} is not listed in manifest.json`);
  let res;
  try {
    res = await fetch(new URL(path, base));
  } catch (err) {
    throw new Error(`${path} failed to load: ${err.message || err}`);
  }
  if (!res.ok) throw new Error(`${path} failed to load: HTTP ${res.status}`);
  const bytes = await res.arrayBuffer();
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const got = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
  if (got !== want) throw new Error(`${path} is corrupt: sha256 ${got} does not match manifest.json (${want})`);
  return bytes;
}

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
  const res = await fetch(new URL("manifest.json", base));
  if (!res.ok) throw new Error(`manifest.json failed to load: HTTP ${res.status}`);
  const manifest = await res.json();
  const [wheel] = await Promise.all(
    [manifest.wheel, ...CORE].map((path) => fetchVerified(base, manifest, path)));
  step("verify");
  const indexURL = new URL("pyodide/", base).href;
  const { loadPyodide } = await import(new URL("pyodide.mjs", indexURL).href);
  const pyodide = await loadPyodide({ indexURL });
  step("pyodide");
  const quiet = { messageCallback: () => {} };
  // numpy by name: Pyodide then checks its sha256 against the (checked) lock file.
  await pyodide.loadPackage(manifest.pyodidePackages, quiet);
  step("numpy");
  // Our wheel (pure Python, no dependencies beyond numpy) from the checked bytes.
  const sitePackages = pyodide.runPython("import site; site.getsitepackages()[0]");
  pyodide.unpackArchive(wheel, "wheel", { extractDir: sitePackages });
  pyodide.runPython("import importlib; importlib.invalidate_caches()");
  step("wheel");
  return { pyodide, manifest };
}
