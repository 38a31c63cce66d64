"""(d) A page served without COOP/COEP takes the documented fallback, says so, and never goes silent.

Without cross-origin isolation there is no SharedArrayBuffer, so no ring to the worker: the node
passes its (mono-mixed) input straight through, with no added delay, reports state "pass-through"
with the reason, and fires a "fallback" event.
"""
import numpy as np
import pytest

from percepnet_wasm.constants import FRAME_SIZE, SAMPLE_RATE
from pagetools import b64, unb64


@pytest.mark.parametrize("quantum", [128, FRAME_SIZE])
def test_non_isolated_page_passes_audio_through_and_says_why(page, server, quantum):
    n = SAMPLE_RATE
    x = (0.25 * np.sin(2 * np.pi * 220 * np.arange(n) / SAMPLE_RATE)).astype(np.float32)
    page.open(server + "plain/tests/offline.html")          # same files, no isolation headers
    res = page.call("renderOffline", {"channels": [b64(x)], "rate": SAMPLE_RATE, "renderSize": quantum})
    assert res["renderQuantumSize"] == quantum
    assert res["isolated"] is False
    assert res["ready"]["state"] == "pass-through"
    assert "cross-origin isolated" in res["ready"]["reason"]
    kinds = [e["type"] for e in res["events"]]
    assert "fallback" in kinds, res["events"]
    assert res["stats"]["state"] == "pass-through"
    y = unb64(res["y"])
    np.testing.assert_array_equal(y[:n], x)                  # audible, unchanged, not silence


def test_a_context_without_audio_worklet_gets_a_clear_error(page, server):
    """A browser without AudioWorklet cannot exist here (Chromium has it), so a context object
    without `audioWorklet` stands in for one: creation fails with a TypeError that says what is
    missing, before anything is loaded, and the page keeps its own audio."""
    page.open(server + "tests/probe.html")
    res = page.page.evaluate("""async () => {
        const { createPercepNetNode } = await import("/worklet/index.js");
        const out = {};
        for (const [name, call] of [["node", () => createPercepNetNode({ sampleRate: 48000 })],
                                    ["none", () => createPercepNetNode(undefined)]]) {
            try { await call(); out[name] = "created"; } catch (e) { out[name] = `${e.name}: ${e.message}`; }
        }
        return out;
    }""")
    for name in ("node", "none"):
        assert res[name].startswith("TypeError: percepnet-wasm needs a BaseAudioContext with AudioWorklet"), res
