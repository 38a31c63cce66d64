"""worklet/constants.js carries the Python frame constants unchanged (no browser needed)."""
import re
from pathlib import Path

from percepnet_wasm import constants as py

JS = Path(__file__).resolve().parents[2] / "worklet" / "constants.js"


def js_constants():
    text = JS.read_text()
    return {m[1]: float(m[2]) for m in re.finditer(r"^export const (\w+) = ([0-9.]+);", text, re.M)}


def test_js_constants_equal_python():
    js = js_constants()
    shared = {name for name in js if hasattr(py, name)}
    assert {"SAMPLE_RATE", "FRAME_SIZE", "WINDOW_SIZE", "NB_BANDS", "NB_FEATURES", "ALGORITHMIC_DELAY"} <= shared
    for name in shared:
        assert js[name] == getattr(py, name), name


def test_bridge_delay_leaves_room_for_a_frame():
    js = js_constants()
    assert js["BRIDGE_DELAY"] >= py.FRAME_SIZE - js["RENDER_QUANTUM"]
    assert js["RING_CAPACITY"] >= 4 * py.FRAME_SIZE + js["BRIDGE_DELAY"]
