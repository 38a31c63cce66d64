"""worklet/index.d.ts type-checks against a page's use of the API (tsc --strict, DOM lib)."""
import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_typescript_declarations_describe_the_api():
    tsc = ROOT / "node_modules" / "typescript" / "bin" / "tsc"
    assert tsc.exists(), "node_modules missing: run `python3 build.py test` (npm ci)"
    done = subprocess.run(["node", str(tsc), "-p", str(ROOT / "tests" / "browser" / "types" / "tsconfig.json")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def test_declarations_name_exactly_what_index_js_exports():
    """index.js re-exports one file per role; index.d.ts must declare the same value exports."""
    import re
    declared = set(re.findall(r"^export (?:const|function|class) (\w+)",
                              (ROOT / "worklet" / "index.d.ts").read_text(), re.M))
    script = ("globalThis.AudioWorkletNode = class {};"
              f"const m = await import({json.dumps((ROOT / 'worklet' / 'index.js').as_uri())});"
              "console.log(JSON.stringify(Object.keys(m)));")
    done = subprocess.run(["node", "--input-type=module", "-e", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert set(json.loads(done.stdout)) == declared
