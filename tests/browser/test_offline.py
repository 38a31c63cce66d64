"""(b) OfflineAudioContext: a noisy signal through worklet → worker → Pyodide equals native Python.

The node's output is the input delayed by exactly TOTAL_LATENCY = 1440 (algorithm) + BRIDGE_DELAY
samples at 48 kHz (worklet/constants.js), so ``y[L + i]`` must equal ``percepnet_wasm.enhance(x)[i]`` computed natively
with the same model. Measured max abs difference: see the printed line (bound: 1e-4).
"""
import json

import numpy as np
import pytest

from percepnet_wasm.constants import FRAME_SIZE
from pagetools import BRIDGE_DELAY, TOTAL_LATENCY, b64, noisy_vowel, unb64


def native_enhance(x, model):
    from percepnet_wasm import Denoiser, enhance
    return enhance(x, Denoiser(model=model))


@pytest.mark.parametrize("quantum", [128, 480])
def test_offline_render_equals_native_enhance_at_documented_delay(page, server, quantum):
    """Also with render quanta of one frame (the quantum createAudioContext asks for)."""
    x = noisy_vowel(np.random.default_rng(7), seconds=3.0)
    page.open(server + "tests/offline.html")
    res = page.call("renderOffline", {"channels": [b64(x)], "rate": 48000, "renderSize": quantum}, timeout_s=180)
    assert res["renderQuantumSize"] == quantum
    assert res["isolated"] is True
    assert res["ready"]["state"] == "processing", res["ready"]
    assert res["latency"]["samples"] == TOTAL_LATENCY
    stats = res["stats"]
    # The shipped model, not whatever the worker reports: a wheel without weights.npz runs unity
    # gains under model "auto", and unity gains compared with unity gains would pass.
    assert stats["model"] == "default", stats["model"]
    assert stats["underruns"] == 0
    y = unb64(res["y"])
    L, n = TOTAL_LATENCY, len(x)
    assert stats["frames"] >= (L + n) // FRAME_SIZE             # the worker carried the whole render
    ref = native_enhance(x, "default")
    assert np.max(np.abs(ref)) > 0.1
    diff = np.max(np.abs(y[L:L + n] - ref))
    assert np.all(y[:BRIDGE_DELAY] == 0)                     # before the bridge delay: nothing yet
    # The Denoiser's own start-up: silence in, silence out, up to the last frame before L,
    # where gains applied to the first window reach back (a 960-sample window's pre-echo).
    assert np.max(np.abs(y[:L - FRAME_SIZE])) < 1e-6
    print(json.dumps({"model": stats["model"], "max_abs_diff": float(diff), "render_ms": res["renderMs"],
                      "ms_per_frame": stats["msPerFrame"], "cold_start_ms": stats["coldStartMs"]}))
    assert diff <= 1e-4


def test_offline_44100_stereo_is_resampled_and_downmixed(page, server):
    """A 44.1 kHz stereo context works: output ≈ the mono mix delayed by the reported latency."""
    rate, n = 44100, 44100 * 2
    t = np.arange(n) / rate
    left = 0.3 * np.sin(2 * np.pi * 440 * t) + 0.1 * np.sin(2 * np.pi * 3000 * t)
    right = 0.3 * np.sin(2 * np.pi * 440 * t) - 0.1 * np.sin(2 * np.pi * 3000 * t)
    page.open(server + "tests/offline.html")
    res = page.call("renderOffline", {"channels": [b64(left), b64(right)], "rate": rate, "model": None},
                    timeout_s=180)
    assert res["ready"]["state"] == "processing"
    y = unb64(res["y"])
    lat = res["latency"]["contextSamples"]          # fractional: resamplers add their own delay
    assert abs(lat - TOTAL_LATENCY * rate / 48000) < 0.0031 * rate     # the two resamplers: 2.9 ms
    expect = 0.3 * np.sin(2 * np.pi * 440 * (np.arange(len(y)) - lat) / rate)   # the 3 kHz parts cancel
    seg = slice(int(lat) + 4800, n)                 # skip the start-up fade
    err = np.max(np.abs(y[seg] - expect[seg]))
    print(json.dumps({"rate": rate, "latency_samples": lat, "max_abs_err": float(err)}))
    assert err < 1e-4
    assert res["stats"]["underruns"] == 0
    assert res["stats"]["frames"] >= (n * 48000 // rate) // FRAME_SIZE
