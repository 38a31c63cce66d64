"""worklet/index.d.ts type-checks against a page's use of the API (tsc --strict, DOM lib)."""
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_typescript_declarations_describe_the_api():
    tsc = ROOT / "node_modules" / "typescript" / "bin" / "tsc"
    assert tsc.exists(), "node_modules missing: run `python3 build.py test` (npm ci)"
    done = subprocess.run(["node", str(tsc), "-p", str(ROOT / "tests" / "browser" / "types" / "tsconfig.json")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
