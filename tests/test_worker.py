"""The browser worker's Python (``percepnet_wasm.worker``), run natively: model choice, the frame
step on the shared buffers, warm-up and the attenuation limit. ``worklet/worker.js`` only moves
samples in and out of ``session.inp`` / ``session.out`` and calls these methods."""
import numpy as np
import pytest

from percepnet_wasm import Denoiser, worker
from percepnet_wasm.constants import FRAME_SIZE
from percepnet_wasm.model import DEFAULT_WEIGHTS
from percepnet_wasm.worker import WorkerSession, resolve_model


def frames(n, seed=0, level=0.1):
    return (level * np.random.default_rng(seed).standard_normal((n, FRAME_SIZE))).astype(np.float32)


def run(session, x):
    out = np.zeros_like(x)
    for frame_in, frame_out in zip(x, out):
        session.inp[:] = frame_in          # what worker.js does: pop into inp's bytes
        session.step()
        frame_out[:] = session.out
    return out


def test_model_names_are_the_denoisers():
    assert resolve_model("auto", True) == "default" and resolve_model("auto", False) is None
    assert resolve_model("default", False) == "default" and resolve_model(None, True) is None
    for bad in ("none", "unity", ""):
        with pytest.raises(ValueError, match=repr(bad)):
            resolve_model(bad, True)


def test_auto_uses_the_shipped_weights_when_the_package_has_them():
    session = WorkerSession("auto")
    assert session.has_weights == DEFAULT_WEIGHTS.is_file()
    assert session.model == ("default" if session.has_weights else None)


def test_auto_without_shipped_weights_runs_unity_gains(monkeypatch):
    monkeypatch.setattr(worker, "has_shipped_weights", lambda: False)
    session = WorkerSession()
    assert session.model is None and session.has_weights is False and session.denoiser.model is None


def test_unity_session_equals_the_denoiser_and_keeps_its_buffers():
    x = frames(20)
    session = WorkerSession(None)
    bufs = [b.__array_interface__["data"][0] for b in (session.inp, session.out, session.vad)]
    y = run(session, x)
    np.testing.assert_array_equal(y, run_denoiser(x))
    assert bufs == [b.__array_interface__["data"][0] for b in (session.inp, session.out, session.vad)]
    assert np.isnan(session.vad[0])                  # no model, no voice activity


def run_denoiser(x):
    d, out = Denoiser(model=None), np.zeros_like(x)
    for frame_in, frame_out in zip(x, out):
        d.process_frame(frame_in, frame_out)
    return out


@pytest.mark.skipif(not DEFAULT_WEIGHTS.is_file(), reason="no shipped weights")
def test_warm_up_leaves_the_stream_fresh_and_sets_vad():
    """After warm_up() the session's output equals a fresh Denoiser's, bit for bit."""
    x = frames(30, seed=3)
    session = WorkerSession("default")
    session.warm_up(frames=12)
    y = run(session, x)
    ref, d = np.zeros_like(x), Denoiser("default")
    for frame_in, frame_out in zip(x, ref):
        d.process_frame(frame_in, frame_out)
    np.testing.assert_array_equal(y, ref)
    assert 0.0 <= session.vad[0] <= 1.0 and session.vad[0] == np.float32(d.vad)


def test_set_limit_takes_dbs_and_infinity_as_no_limit():
    session = WorkerSession(None)
    session.set_limit(12.0)
    assert session.denoiser.gain_floor == pytest.approx(10 ** (-12 / 20))
    session.set_limit(float("inf"))
    assert session.denoiser.gain_floor == 0.0
    with pytest.raises(ValueError, match="-3"):
        session.set_limit(-3.0)
