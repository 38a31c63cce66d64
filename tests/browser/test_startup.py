"""Start-up work done at build time is used in the browser: every module the worker imports runs
from the bytecode that ``pycache.mjs`` compiled in Pyodide at build time, not from source compiled
on the visit: numpy's and ours from ``wheels/pycache-cp312.zip``, the standard library's (Pyodide's
own start-up included) from the ``.pyc`` entries it added to ``pyodide/python_stdlib.zip``.

A pyc that Python compiled itself during the visit is timestamp-based (flags 0); the build's are
unchecked-hash pycs (flags 1, PEP 552), which Python never rewrites. A pyc Python rejected (another
magic number) would have been replaced by a timestamp one, so flags 1 everywhere means all were used.
zipimport names a module's ``.pyc`` as its ``__file__`` when it ran the bytecode, its ``.py`` when it
compiled the source.
"""
import zipfile

from build import PYCACHE_ZIP

PROBE = r'''
import importlib.util, site, sys
from percepnet_wasm.worker import WorkerSession

def run(_):
    WorkerSession("auto").warm_up(frames=3)          # everything the worker imports, as at build time
    prefix = site.getsitepackages()[0] + "/"
    stdlib = next(p for p in sys.path if p.endswith(".zip")) + "/"
    flags, compiled_stdlib, stdlib_pyc = {}, [], 0
    for name, module in sorted(sys.modules.items()):
        source = getattr(module, "__file__", None) or ""
        if source.startswith(prefix) and source.endswith(".py"):
            with open(importlib.util.cache_from_source(source), "rb") as f:
                flags[name] = int.from_bytes(f.read(8)[4:8], "little")
        elif source.startswith(stdlib):
            if source.endswith(".pyc"):
                stdlib_pyc += 1
            else:
                compiled_stdlib.append(name)
    return {"flags": flags, "compiled_stdlib": compiled_stdlib, "stdlib_pyc": stdlib_pyc}
'''


def test_the_worker_imports_every_module_from_the_build_time_bytecode(page, server, site):
    page.open(server + "tests/probe.html")
    res = page.call("probe", PROBE, None, timeout_s=180)["result"]
    assert res["compiled_stdlib"] == [] and res["stdlib_pyc"] > 100, res
    flags = res["flags"]
    assert "numpy" in flags and "percepnet_wasm.denoiser" in flags, sorted(flags)
    assert {name for name, f in flags.items() if f != 1} == set(), flags
    with zipfile.ZipFile(site / "wheels" / PYCACHE_ZIP) as z:     # and the zip holds nothing more
        assert len(z.namelist()) == len(flags), (sorted(z.namelist()), sorted(flags))
