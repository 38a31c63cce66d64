// Build step (run by build.py): bytecode for every Python module the browser worker imports,
// compiled by the same Pyodide 0.27.7 the site ships.
//
//   node pycache.mjs NUMPY_WHEEL OUR_WHEEL STDLIB_ZIP OUT_PYCACHE_ZIP OUT_STDLIB_ZIP
//
// Pyodide's numpy wheel and its python_stdlib.zip carry .py sources only, so every visit compiled
// ~100 numpy modules and ~230 standard-library modules (Pyodide's own start-up among them) to
// bytecode in wasm before the first frame (docs/benchmarks.md, docs/performance.md). This writes
// - OUT_PYCACHE_ZIP: `__pycache__/*.cpython-312.pyc` of the site-packages modules (numpy's, ours),
//   which the worker unpacks over site-packages;
// - OUT_STDLIB_ZIP: STDLIB_ZIP with `name.pyc` beside each imported `name.py` (zipimport tries the
//   .pyc first; the .py stays for tracebacks).
// All are unchecked-hash pycs (PEP 552: valid without timestamps). A pyc that Python does not
// accept (another magic number) is skipped and the source compiled as before, so a stale one costs
// time, never correctness. Both zips are deterministic: the same inputs give the same bytes.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadPyodide } from "pyodide";

const [numpyWheel, ourWheel, stdlibZip, outPycache, outStdlib] = process.argv.slice(2);
if (!outStdlib) throw new Error("usage: node pycache.mjs NUMPY_WHEEL OUR_WHEEL STDLIB_ZIP OUT_PYCACHE_ZIP OUT_STDLIB_ZIP");
const root = path.dirname(fileURLToPath(import.meta.url));
const py = await loadPyodide({ indexURL: path.join(root, "node_modules/pyodide/") });
await py.loadPackage(path.resolve(numpyWheel), { messageCallback: () => {} });
const sitePackages = py.runPython("import site; site.getsitepackages()[0]");
py.unpackArchive(new Uint8Array(fs.readFileSync(ourWheel)), "wheel", { extractDir: sitePackages });
py.FS.writeFile("/tmp/stdlib-in.zip", new Uint8Array(fs.readFileSync(stdlibZip)));
py.globals.set("site_packages", sitePackages);
const counts = py.runPython(`
import importlib, importlib.util, py_compile, sys, zipfile
importlib.invalidate_caches()
from percepnet_wasm.worker import WorkerSession
WorkerSession("auto").warm_up(frames=3)           # everything the worker imports, lazily or not
UNCHECKED = py_compile.PycInvalidationMode.UNCHECKED_HASH
STAMP = (2000, 1, 1, 0, 0, 0)

def add(z, name, data):
    info = zipfile.ZipInfo(name, date_time=STAMP)
    info.compress_type = zipfile.ZIP_DEFLATED
    z.writestr(info, data)

def pyc_of(source, shown_as):
    """Bytecode of the file \`source\`, its code objects naming \`shown_as\` as their file."""
    out = "/tmp/pycache.pyc"
    py_compile.compile(source, cfile=out, dfile=shown_as, doraise=True, invalidation_mode=UNCHECKED)
    with open(out, "rb") as f:
        return f.read()

files = sorted({getattr(m, "__file__", None) or "" for m in list(sys.modules.values())})
# site-packages: __pycache__ beside each source, as Python itself would write it
prefix = site_packages + "/"
with zipfile.ZipFile("/tmp/pycache.zip", "w", zipfile.ZIP_DEFLATED) as z:
    own = [f for f in files if f.startswith(prefix) and f.endswith(".py")]
    for source in own:
        add(z, importlib.util.cache_from_source(source)[len(prefix):], pyc_of(source, source))
# the standard library zip: the same entries, and name.pyc after each imported name.py
zip_path = next(p for p in sys.path if p.endswith(".zip"))      # /lib/python312.zip
imported = {f[len(zip_path) + 1:] for f in files if f.startswith(zip_path + "/") and f.endswith(".py")}
with zipfile.ZipFile("/tmp/stdlib-in.zip") as zin, zipfile.ZipFile("/tmp/stdlib-out.zip", "w") as zout:
    for info in zin.infolist():
        data = zin.read(info)
        zout.writestr(info, data)
        if info.filename in imported:
            with open("/tmp/source.py", "wb") as f:
                f.write(data)
            add(zout, info.filename + "c", pyc_of("/tmp/source.py", f"{zip_path}/{info.filename}"))
f"{len(own)} site-packages modules, {len(imported)} standard-library modules"
`);
fs.writeFileSync(outPycache, py.FS.readFile("/tmp/pycache.zip"));
fs.writeFileSync(outStdlib, py.FS.readFile("/tmp/stdlib-out.zip"));
console.log(`bytecode of ${counts}: ${outPycache}, ${outStdlib}`);
