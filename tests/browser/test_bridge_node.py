"""The bridge's framing logic (worklet/bridge.js, resampler.js) under Node's test runner, no browser."""
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def test_bridge_framing_in_node():
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed (it also runs npm for the build)")
    done = subprocess.run([node, "--test", str(HERE / "bridge.test.mjs")], capture_output=True, text=True,
                          cwd=HERE.parents[1], timeout=120)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
