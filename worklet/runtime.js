// Loading Python in a worker: Pyodide, then numpy, then our wheel and the bytecode of both.
//
// Shared by worklet/worker.js and the browser tests' probe worker, so both
// load exactly the same way. Worker scope only (it uses dynamic import()).
//
// Every file is downloaded at most once and checked before use:
// 1. Each file (Pyodide's scripts, wasm, standard library and lock file, numpy,
//    our wheel and the bytecode zip) is read from the Cache API (cache ASSET_CACHE) or else fetched,
//    and its sha256 (crypto.subtle.digest) compared with build/site/manifest.json.
//    A file that does not load (HTTP error) or does not match stops loading with
//    the reason, instead of Pyodide hanging (it only logs a failed
//    pyodide.asm.wasm) or importing a broken wheel. Checked files fetched from
//    the network are stored in the cache; the next visit reads them from there
//    (and checks them again). Entries the manifest no longer lists are deleted.
// 2. Pyodide starts as soon as its two scripts are checked (it imports them by
//    URL, from the HTTP cache the check has just filled); meanwhile the other
//    checks go on, and this worker's fetch() answers Pyodide's requests for
//    those files with the checked bytes once their check is done, so nothing is
//    downloaded twice and nothing unchecked is used.
// 3. The first visit takes a memory snapshot of the interpreter right after it has
//    started (before numpy: Pyodide 0.27 cannot snapshot loaded shared libraries)
//    and keeps it in the same cache with its sha256; later visits start Python from
//    it (Python's own start-up, most of the "pyodide" step, is skipped). A snapshot
//    that does not match its sha256, or that Pyodide refuses, is deleted and a
//    fresh one made: it can cost time, never correctness. Its cache key names the
//    sha256 of the files it was made from, so a new Pyodide never meets an old one.

/** The Cache API cache holding checked assets (the only thing this library stores). */
export const ASSET_CACHE = "percepnet-wasm-assets";

// Files fetched, checked and handed to Pyodide, relative to the site root (all in
// manifest.json); the numpy wheels are added from manifest.pyodidePackages.
const SCRIPTS = ["pyodide/pyodide.mjs", "pyodide/pyodide.asm.js"];
const CHECKED = [...SCRIPTS, ...["pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"].map((f) => `pyodide/${f}`)];
// The memory snapshot depends on exactly these files; its sha256 travels in this header.
const SNAPSHOT_FROM = ["pyodide/pyodide.asm.js", "pyodide/pyodide.asm.wasm", "pyodide/python_stdlib.zip"];
const SNAPSHOT_SHA256 = "X-Sha256";
/** The `sources` key that says where the interpreter's memory came from. */
export const SNAPSHOT_SOURCE = "memory snapshot";
const CONTENT_TYPES = {
  wasm: "application/wasm", json: "application/json", zip: "application/zip", js: "text/javascript", mjs: "text/javascript",
};

function sha256Hex(bytes) {
  return crypto.subtle.digest("SHA-256", bytes).then((d) =>
    Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, "0")).join(""));
}

// The real fetch: withFilesServed() replaces self.fetch for Pyodide while the checks still run.
const networkFetch = self.fetch.bind(self);

/** Where the bytes of one file came from, for the cold-start report. */
const SOURCE = Object.freeze({ CACHE: "cache", NETWORK: "network" });

/**
 * The checked bytes of `path` (relative to `base`): from `cache` if it holds a copy that
 * matches the manifest's sha256, else from the network (then stored in `cache`).
 * @returns {Promise<{bytes: ArrayBuffer, source: string}>}
 */
export async function fetchVerified(base, manifest, path, cache = null) {
  const want = manifest.files && manifest.files[path] && manifest.files[path].sha256;
  if (!want) throw new Error(`${path} is not listed in manifest.json`);
  const url = new URL(path, base).href;
  const cached = cache && (await cache.match(url));
  if (cached) {
    const bytes = await cached.arrayBuffer();
    if ((await sha256Hex(bytes)) === want) return { bytes, source: SOURCE.CACHE };
    await cache.delete(url);                               // stale or damaged: fetch it again
  }
  let res;
  try {
    res = await networkFetch(url);
  } catch (err) {
    throw new Error(`${path} failed to load: ${err.message || err}`);
  }
  if (!res.ok) throw new Error(`${path} failed to load: HTTP ${res.status}`);
  const bytes = await res.arrayBuffer();
  const got = await sha256Hex(bytes);
  if (got !== want) throw new Error(`${path} is corrupt: sha256 ${got} does not match manifest.json (${want})`);
  if (cache) await cache.put(url, response(bytes, path)).catch(() => {});   // quota: just not cached
  return { bytes, source: SOURCE.NETWORK };
}

function response(bytes, path) {
  const type = CONTENT_TYPES[path.split(".").pop()] ?? "application/octet-stream";
  return new Response(bytes, { headers: { "Content-Type": type } });
}

/** Where the memory snapshot made from these Pyodide files is kept in the cache (a URL under `base`). */
function snapshotURL(base, manifest) {
  const made = SNAPSHOT_FROM.map((path) => manifest.files[path].sha256.slice(0, 12)).join("-");
  return new URL(`pyodide/memory-snapshot-${made}.bin`, base).href;
}

/** The cached memory snapshot's bytes if its sha256 still matches the one stored with it, else null. */
async function readSnapshot(cache, url) {
  const cached = cache && (await cache.match(url));
  if (!cached) return null;
  const bytes = new Uint8Array(await cached.arrayBuffer());
  if ((await sha256Hex(bytes)) === cached.headers.get(SNAPSHOT_SHA256)) return bytes;
  await cache.delete(url);
  return null;
}

/** Stores a memory snapshot with its sha256. */
async function storeSnapshot(cache, url, bytes) {
  const headers = { "Content-Type": "application/octet-stream", [SNAPSHOT_SHA256]: await sha256Hex(bytes) };
  await cache.put(url, new Response(bytes, { headers })).catch(() => {});   // quota: just not cached
}

/**
 * Starts Pyodide from the cached memory snapshot when there is a good one, else from scratch,
 * then (with a cache) snapshots the fresh interpreter for the next visit. `cached`: readSnapshot's promise.
 * @returns {Promise<{py: object, source: string, stored: Promise}>}  source: "cache" (from the snapshot),
 *   "made" (`stored` settles once it is in the cache) or "none" (no cache)
 */
async function startPyodide(loadPyodide, indexURL, cache, url, cached) {
  const snapshot = await cached;
  if (snapshot) {
    try {
      return { py: await loadPyodide({ indexURL, _loadSnapshot: snapshot }), source: SOURCE.CACHE, stored: null };
    } catch {
      await cache.delete(url);                  // refused (another build): start from scratch below
    }
  }
  const py = await loadPyodide({ indexURL, _makeSnapshot: Boolean(cache) });
  if (!cache) return { py, source: "none", stored: null };
  // Hashed and stored while numpy loads; loadRuntime waits for it only at the end.
  return { py, source: "made", stored: storeSnapshot(cache, url, py.makeMemorySnapshot()) };
}

/** The asset cache, or null where the Cache API is missing or refused (then nothing is stored). */
async function openCache() {
  try {
    return self.caches ? await self.caches.open(ASSET_CACHE) : null;
  } catch {
    return null;
  }
}

/** Deletes cached files under `base` that are not in `keep` (URLs): older versions. */
async function prune(cache, base, keep) {
  for (const req of await cache.keys()) {
    if (req.url.startsWith(base.href) && !keep.has(req.url)) await cache.delete(req);
  }
}

/**
 * Runs `fn` with this worker's fetch() answering the URLs in `files` (URL -> promise of
 * {bytes, path}) with those bytes once they are checked; every other request goes to the network.
 */
async function withFilesServed(files, fn) {
  const original = self.fetch;
  self.fetch = (input, init) => {
    const url = typeof input === "string" || input instanceof URL ? String(input) : input.url;
    const file = files.get(new URL(url, self.location.href).href);
    return file ? file.then((f) => response(f.bytes, f.path)) : networkFetch(input, init);
  };
  try {
    return await fn();
  } finally {
    self.fetch = original;
  }
}

/**
 * Loads Pyodide, numpy and our wheel. The checks of the big files run while Pyodide starts
 * (Pyodide's fetch of a file waits for its check); Pyodide's two scripts are checked before
 * they are imported. Any failed check stops loading at once with its reason.
 * @param {object} o
 * @param {string} o.assetsURL  base URL of the built site (holds pyodide/ and manifest.json)
 * @param {(name: string, ms: number) => void} [o.onStep]  called after each step on the critical path
 * @returns {Promise<{pyodide: object, manifest: object, sources: object, checkedMs: number}>}
 *   sources: path -> "cache" | "network", and SNAPSHOT_SOURCE -> "cache" (Python started from the
 *   cached memory snapshot) | "made" (started from scratch, snapshot stored) | "none" (no cache);
 *   checkedMs: when the last check finished (ms after the start)
 */
export async function loadRuntime({ assetsURL, onStep = () => {} }) {
  const t0 = performance.now();
  let t = t0;
  const step = (name) => {
    const now = performance.now();
    onStep(name, now - t);
    t = now;
  };
  const base = new URL(assetsURL, self.location.href);
  const res = await networkFetch(new URL("manifest.json", base), { cache: "no-cache" });
  if (!res.ok) throw new Error(`manifest.json failed to load: HTTP ${res.status}`);
  const manifest = await res.json();
  const wheels = Object.keys(manifest.files).filter((p) =>
    manifest.pyodidePackages.some((name) => p.startsWith(`pyodide/${name}-`) && p.endsWith(".whl")));
  const paths = [...CHECKED, manifest.wheel, manifest.pycache, ...wheels];
  const cache = await openCache();
  const url = (path) => new URL(path, base).href;
  const files = new Map(paths.map((path) => [url(path),
    fetchVerified(base, manifest, path, cache).then((f) => ({ ...f, path }))]));
  const checked = Promise.all(files.values());
  let checkedMs = 0;
  checked.then(() => (checkedMs = performance.now() - t0), () => {});

  const indexURL = new URL("pyodide/", base).href;
  const snapshotKey = snapshotURL(base, manifest);
  // Read and checked while the scripts are; a cache that fails to answer just means no snapshot.
  const cachedSnapshot = readSnapshot(cache, snapshotKey).catch(() => null);
  let snapshotSource, snapshotStored;
  const boot = withFilesServed(files, async () => {
    await Promise.all(SCRIPTS.map((path) => files.get(url(path))));   // checked before they run
    step("scripts");
    const { loadPyodide } = await import(new URL("pyodide.mjs", indexURL).href);
    const { py, source, stored } = await startPyodide(loadPyodide, indexURL, cache, snapshotKey, cachedSnapshot);
    [snapshotSource, snapshotStored] = [source, stored];
    step("pyodide");
    // numpy by name: Pyodide also checks its sha256 against the (checked) lock file.
    await py.loadPackage(manifest.pyodidePackages, { messageCallback: () => {} });
    step("numpy");
    return py;
  });
  // A failed check rejects here at once, even while Pyodide is still starting.
  const [pyodide, done] = await Promise.all([boot, checked]);
  if (cache) await prune(cache, base, new Set([...files.keys(), snapshotKey]));
  // Our wheel (pure Python, no dependencies beyond numpy) from the checked bytes.
  const sitePackages = pyodide.runPython("import site; site.getsitepackages()[0]");
  pyodide.unpackArchive(done[paths.indexOf(manifest.wheel)].bytes, "wheel", { extractDir: sitePackages });
  // numpy's and our modules' bytecode, compiled at build time (pycache.mjs): imports skip compiling.
  pyodide.unpackArchive(done[paths.indexOf(manifest.pycache)].bytes, "zip", { extractDir: sitePackages });
  pyodide.runPython("import importlib; importlib.invalidate_caches()");
  step("wheel");
  await snapshotStored;                       // long done by now: a page that looks finds it stored
  const sources = Object.fromEntries(done.map((f) => [f.path, f.source]));
  sources[SNAPSHOT_SOURCE] = snapshotSource;
  return { pyodide, manifest, sources, checkedMs };
}
