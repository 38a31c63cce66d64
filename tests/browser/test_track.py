"""Fake microphone (a WAV file) → getUserMedia → denoiseTrack: a live, processed, non-silent track.
(The LiveKit processor is driven by the real livekit-client in test_livekit.py.)"""
import numpy as np
import pytest
import soundfile as sf

from conftest import Page, launch
from percepnet_wasm.constants import SAMPLE_RATE
from pagetools import JS, speech_loop


@pytest.fixture(scope="module")
def mic_browser(playwright, tmp_path_factory):
    """A second Chromium whose microphone plays a WAV file (resampled by Chromium: not bit-exact):
    the call test's speech loop (``speech_loop``), three times. Real speech, so that what comes out
    is what the model keeps (a steady synthetic vowel is noise to it and is rightly removed)."""
    wav = tmp_path_factory.mktemp("mic") / "mic.wav"
    x = np.tile(speech_loop(), 3)
    sf.write(wav, x, SAMPLE_RATE, subtype="PCM_16")
    b = launch(playwright, ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                            f"--use-file-for-fake-audio-capture={wav}"])
    yield b
    b.close()


@pytest.fixture
def mic_page(mic_browser):
    p = Page(mic_browser)
    yield p
    p.close()


def test_denoise_track_returns_a_live_processed_track(mic_page, server):
    mic_page.open(server + "tests/track.html")
    res = mic_page.call("runTrack")
    assert res["micRms"] > 0.02                              # the fake microphone works
    assert res["ready"]["state"] == "processing"
    assert res["live"] == {"readyState": "live", "kind": "audio", "isNew": True}
    # processed audio, not silence: the 2 s it listens to may hold little speech, and what the model
    # leaves of the noise alone is ~1.3e-3 RMS (the call test's floor); measured 3.4e-3 (session 10's
    # model, quiet machine) and 1.3e-2 (session 7's, busy), so the bound sits between digital silence
    # and that floor
    assert res["rms"] > 3e-4, {k: res[k] for k in ("rms", "stats")}
    assert res["stats"]["frames"] > 50
    # its own context comes from createAudioContext: quanta of one frame at the device's rate, D = 480
    assert res["stats"]["latency"]["quantum"] == res["contextRate"] / 100
    assert res["stats"]["latency"]["bridgeDelay"] == JS["BRIDGE_DELAY_ALIGNED"]
    assert res["endedAfterStop"] == "ended"                  # stop() releases the processed track
    assert res["micAfterStop"] == "live"                     # ... and leaves the caller's track alone

