"""worklet/constants.js carries the Python frame constants unchanged (no browser needed: Node
imports the module, so the values are compared as JavaScript evaluates them)."""
import math

from percepnet_wasm import constants as py

from pagetools import build, js_constants


def test_js_constants_equal_python():
    js = js_constants()
    shared = {name for name in js if hasattr(py, name)}
    assert set(build.SHARED_CONSTANTS) <= shared
    for name in shared:
        assert js[name] == getattr(py, name), name


def test_bridge_delay_leaves_room_for_a_frame():
    """Each default is the least delay for its quanta (minBridgeDelay: 480 - gcd(quantum, 480))
    plus at least one whole quantum for the worker."""
    js = js_constants()
    for name, quantum in (("BRIDGE_DELAY", js["RENDER_QUANTUM"]), ("BRIDGE_DELAY_LOW", js["RENDER_QUANTUM"]),
                          ("BRIDGE_DELAY_ALIGNED", py.FRAME_SIZE)):
        assert js[name] >= py.FRAME_SIZE - math.gcd(quantum, py.FRAME_SIZE) + quantum, name
        assert js["RING_CAPACITY"] >= 4 * py.FRAME_SIZE + js[name]
    for name in ("BRIDGE_DELAY_LOW", "BRIDGE_DELAY_ALIGNED"):
        assert js["ALGORITHMIC_DELAY"] + js[name] <= 45 * py.SAMPLE_RATE // 1000   # issue 6: <= 45 ms end to end
    assert js["BRIDGE_DELAY_ALIGNED"] <= 640                         # issue 6: D <= 640
