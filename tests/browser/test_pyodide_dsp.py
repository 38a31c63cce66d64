"""(a) Our wheel imports in Pyodide in a Web Worker, and one DSP pass gives native NumPy's numbers.

The same Python source (``PROBE``) runs natively and in Pyodide 0.27.7 (numpy 2.0.2, no BLAS) on
the same float32 input: analysis → synthesis, the 70 features of every frame, and the Denoiser's
output with unity gains (the DSP alone; no oracle, no model).

Tolerances (max abs difference): analysis→synthesis 1e-6, Denoiser output 1e-5, features 1e-3.
FFTs and reductions may round differently between the two builds (SIMD on the native side); the
features pass through log10 and pitch correlations, so they get the looser bound, and the pitch
period (an argmax) must match exactly on this input.
"""
import json

import numpy as np

from percepnet_wasm.constants import FRAME_SIZE
from pagetools import b64, noisy_vowel, unb64

PROBE = r'''
import base64, numpy as np
import percepnet_wasm
from percepnet_wasm import Denoiser
from percepnet_wasm.constants import FRAME_SIZE, WINDOW_SIZE
from percepnet_wasm.stft import Synthesis, analysis

def _enc(a):
    return base64.b64encode(np.ascontiguousarray(a, np.float32).tobytes()).decode()

def run(x_b64):
    x = np.frombuffer(base64.b64decode(x_b64), np.float32)
    frames = len(x) // FRAME_SIZE
    # analysis -> synthesis, streaming, one hop of delay
    block = np.zeros(WINDOW_SIZE, np.float32)
    scratch = np.zeros(WINDOW_SIZE, np.float32)
    syn = Synthesis()
    rec = np.zeros(frames * FRAME_SIZE, np.float32)
    for i in range(frames):
        block[:FRAME_SIZE] = block[FRAME_SIZE:]
        block[FRAME_SIZE:] = x[i * FRAME_SIZE:(i + 1) * FRAME_SIZE]
        syn.push(analysis(block, scratch), rec[i * FRAME_SIZE:(i + 1) * FRAME_SIZE])
    # the streaming Denoiser with unity gains: features of every frame, and its output
    den = Denoiser(model=None)
    feats = np.zeros((frames, den.features.size), np.float32)
    out = np.zeros(frames * FRAME_SIZE, np.float32)
    for i in range(frames):
        den.process_frame(x[i * FRAME_SIZE:(i + 1) * FRAME_SIZE], out[i * FRAME_SIZE:(i + 1) * FRAME_SIZE])
        feats[i] = den.features
    return {"numpy": np.__version__, "package": percepnet_wasm.__version__,
            "rec": _enc(rec), "features": _enc(feats), "denoised": _enc(out)}
'''


def run_native(x):
    ns = {}
    exec(PROBE, ns)
    return ns["run"](b64(x))


def test_wheel_imports_in_pyodide_worker_and_matches_native_numpy(page, server):
    x = noisy_vowel(np.random.default_rng(5))
    page.open(server + "tests/probe.html")
    res = page.call("probe", PROBE, b64(x), timeout_s=180)
    web = res["result"]
    assert web["numpy"] == "2.0.2"                       # Pyodide 0.27.7's own numpy, not a stand-in
    native = run_native(x)
    assert web["package"] == native["package"]

    rec_web, rec_nat = unb64(web["rec"]), unb64(native["rec"])
    hop = FRAME_SIZE
    np.testing.assert_allclose(rec_nat[hop:], x[:len(rec_nat) - hop], atol=1e-5)   # sanity: it reconstructs
    assert np.max(np.abs(rec_web - rec_nat)) <= 1e-6

    out_web, out_nat = unb64(web["denoised"]), unb64(native["denoised"])
    assert np.max(np.abs(out_nat)) > 0.1                 # the pass produced signal
    assert np.max(np.abs(out_web - out_nat)) <= 1e-5

    f_web = unb64(web["features"]).reshape(-1, 70)
    f_nat = unb64(native["features"]).reshape(-1, 70)
    assert np.all(np.isfinite(f_web))
    bad = np.argwhere(np.abs(f_web - f_nat) > 1e-3)
    assert len(bad) == 0, (
        f"{len(bad)} features differ by more than 1e-3 between Pyodide and native NumPy, first "
        f"(frame, feature, pyodide, native): {[(int(i), int(j), float(f_web[i, j]), float(f_nat[i, j])) for i, j in bad[:6]]}"
        " (features 34-67 are pitch coherences, 68 the period, 69 the pitch correlation)")
    print(json.dumps({"cold_start_ms": res["timings"],
                      "max_abs_diff": {"rec": float(np.max(np.abs(rec_web - rec_nat))),
                                       "denoised": float(np.max(np.abs(out_web - out_nat))),
                                       "features": float(np.max(np.abs(f_web - f_nat)))}}))
