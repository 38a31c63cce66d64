"""(d) A page served without COOP/COEP takes the documented fallback, says so, and never goes silent.

Without cross-origin isolation there is no SharedArrayBuffer, so no ring to the worker: the node
passes its (mono-mixed) input straight through, with no added delay, reports state "pass-through"
with the reason, and fires a "fallback" event.
"""
import numpy as np

from pagetools import b64, unb64


def test_non_isolated_page_passes_audio_through_and_says_why(page, server):
    n = 48000
    x = (0.25 * np.sin(2 * np.pi * 220 * np.arange(n) / 48000)).astype(np.float32)
    page.open(server + "plain/tests/offline.html")          # same files, no isolation headers
    res = page.call("renderOffline", {"channels": [b64(x)], "rate": 48000})
    assert res["isolated"] is False
    assert res["ready"]["state"] == "pass-through"
    assert "cross-origin isolated" in res["ready"]["reason"]
    kinds = [e["type"] for e in res["events"]]
    assert "fallback" in kinds, res["events"]
    assert res["stats"]["state"] == "pass-through"
    y = unb64(res["y"])
    np.testing.assert_array_equal(y[:n], x)                  # audible, unchanged, not silence
