// Build step (run by build.py): the bytecode of every Python module the browser worker imports
// from site-packages (numpy's and ours), compiled by the same Pyodide 0.27.7 the site ships.
//
//   node pycache.mjs NUMPY_WHEEL OUR_WHEEL OUT_ZIP
//
// Pyodide's numpy wheel carries .py sources only, so without this every visit compiled ~100 of
// numpy's modules to bytecode in wasm before the first frame (docs/benchmarks.md). The worker
// unpacks OUT_ZIP (`__pycache__/*.cpython-312.pyc`, unchecked-hash pycs: valid without
// timestamps) over site-packages next to the wheels. A pyc that Python does not accept (another
// magic number) is ignored by Python and the source compiled as before, so a stale zip costs
// time, never correctness. The zip is deterministic: the same inputs give the same bytes.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadPyodide } from "pyodide";

const [numpyWheel, ourWheel, outZip] = process.argv.slice(2);
if (!outZip) throw new Error("usage: node pycache.mjs NUMPY_WHEEL OUR_WHEEL OUT_ZIP");
const root = path.dirname(fileURLToPath(import.meta.url));
const py = await loadPyodide({ indexURL: path.join(root, "node_modules/pyodide/") });
await py.loadPackage(path.resolve(numpyWheel), { messageCallback: () => {} });
const sitePackages = py.runPython("import site; site.getsitepackages()[0]");
py.unpackArchive(new Uint8Array(fs.readFileSync(ourWheel)), "wheel", { extractDir: sitePackages });
py.globals.set("site_packages", sitePackages);
const zip = py.runPython(`
import importlib, io, py_compile, sys, zipfile
importlib.invalidate_caches()
from percepnet_wasm.worker import WorkerSession
WorkerSession("auto").warm_up(frames=3)           # everything the worker imports, lazily or not
prefix = site_packages + "/"
sources = sorted(m.__file__ for m in list(sys.modules.values())
                 if (getattr(m, "__file__", None) or "").startswith(prefix) and m.__file__.endswith(".py"))
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
    for source in sources:
        pyc = py_compile.compile(source, doraise=True,
                                 invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
        info = zipfile.ZipInfo(pyc[len(prefix):], date_time=(2000, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with open(pyc, "rb") as f:
            z.writestr(info, f.read())
buf.getvalue()
`).toJs();
fs.writeFileSync(outZip, zip);
console.log(`${outZip}: bytecode of ${py.runPython("len(sources)")} modules, ${zip.length} bytes`);
