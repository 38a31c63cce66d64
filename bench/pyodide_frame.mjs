// Per-frame times inside Pyodide under Node: network step alone, DSP alone (model=None),
// DSP + the shipped model; p50/p99 ms per frame over 500 frames of examples/noisy.wav.
//
//   node bench/pyodide_frame.mjs [--frames N] [--rounds R] [--pace-ms MS] [SRC ...]
//
// --pace-ms MS sleeps MS ms before each frame (Atomics.wait), as the real-time worker does
// between frames: caches go cold, and frames cost about twice the back-to-back time.
// Each SRC is a folder holding a percepnet_wasm package (default: py); several are timed in
// alternating rounds (before/after under the same load). Needs node_modules/pyodide and the
// numpy wheel in build/site/pyodide/ (`python3 build.py build`). The timing code is
// bench/frame_times.py, which also runs natively.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadPyodide } from "pyodide";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i < 0 ? fallback : Number(args.splice(i, 2)[1]);
};
const frames = option("--frames", 500);
const rounds = option("--rounds", 5);
const paceMs = option("--pace-ms", 0);
const srcs = args.length ? args : ["py"];

const wheelDir = path.join(root, "build/site/pyodide");
const wheel = fs.readdirSync(wheelDir).find((f) => /^numpy-.*\.whl$/.test(f));
if (!wheel) throw new Error(`no numpy wheel in ${wheelDir}: run python3 build.py build`);
const py = await loadPyodide({ indexURL: path.join(root, "node_modules/pyodide/") });
await py.loadPackage(path.join(wheelDir, wheel));

// Copy each package's sources and weights into Pyodide's file system at the same path.
const copy = (from, to) => {
  py.FS.mkdirTree(to);
  for (const f of fs.readdirSync(from))
    if (/\.(py|npz)$/.test(f)) py.FS.writeFile(`${to}/${f}`, fs.readFileSync(path.join(from, f)));
};
const targets = srcs.map((src) => path.resolve(root, src));
for (const t of targets) copy(path.join(t, "percepnet_wasm"), path.join(t, "percepnet_wasm"));
copy(path.join(root, "bench"), "/bench");
const wav = path.join(root, "py/percepnet_wasm/examples/noisy.wav");
py.FS.writeFile("/noisy.wav", fs.readFileSync(wav));

// The pause between frames: Atomics.wait blocks the thread, as the worker's own wait does.
const sleeper = new Int32Array(new SharedArrayBuffer(4));
py.globals.set("sleep_ms", (ms) => Atomics.wait(sleeper, 0, 0, ms));

console.log(`Pyodide ${py.version}, Node ${process.version}`);
await py.runPythonAsync(`
import sys
sys.path.insert(0, "/bench")
import frame_times
frame_times.main(${JSON.stringify(targets)}, "/noisy.wav", ${frames}, ${rounds}, ${paceMs}, sleep_ms)
`);
