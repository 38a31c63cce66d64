"""The bridge's framing logic (worklet/bridge.js, resampler.js) and the voice-activity hysteresis
(worklet/vad.js) under Node's test runner, no browser."""
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


@pytest.mark.parametrize("script", ["bridge.test.mjs", "vad.test.mjs"])
def test_worklet_logic_in_node(script):
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed (it also runs npm for the build)")
    done = subprocess.run([node, "--test", str(HERE / script)], capture_output=True, text=True,
                          cwd=HERE.parents[1], timeout=120)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
