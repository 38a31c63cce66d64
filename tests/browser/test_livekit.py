"""The real LiveKit client (livekit-client from npm, pinned in package-lock.json) with
PercepNetTrackProcessor, in a page with no LiveKit server (processors run locally):
``createLocalAudioTrack`` on the fake microphone, ``setProcessor``, ``restartTrack`` (a device
switch: LiveKit calls the processor's ``restart``), ``stopProcessor``.

Judged on what LiveKit exposes: ``track.mediaStreamTrack`` is the processed track and carries
denoised audio (its noise floor, recorded side by side with the raw microphone, is at least 6 dB
lower: the clip of test_call.py, balanced preset, where native ``enhance`` takes 24 dB off);
after the switch it is a new, processed, non-silent track; after ``stopProcessor`` it is the raw
microphone again and nothing is left: no live worker, every processed track ended, the node
destroyed, the processor empty, LiveKit's AudioContext still running.

This replaces the test of a hand-written stand-in for LiveKit's calls: the real client makes
those calls (init, restart, destroy), in its own order, and checks more.
"""
import json
import threading

import numpy as np
import pytest
import soundfile as sf

from conftest import PAGES, ROOT, Page, build, launch
from pagetools import speech_loop, unb64
from percepnet_wasm.constants import SAMPLE_RATE
from test_call import floor_db

pytestmark = pytest.mark.browser
LIVEKIT = ROOT / "node_modules" / "livekit-client"


@pytest.fixture(scope="module")
def lk_server(site):
    """The site, the test pages and livekit-client's ESM build (/npm/livekit-client/)."""
    assert (LIVEKIT / "dist" / "livekit-client.esm.mjs").exists(), "run `python3 build.py test` (npm ci)"
    srv = build.make_server(site, 0, mounts={"/tests/": PAGES, "/npm/livekit-client/": LIVEKIT / "dist"})
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_port}/"
    srv.shutdown()


@pytest.fixture(scope="module")
def lk_browser(playwright, tmp_path_factory):
    wav = tmp_path_factory.mktemp("lk") / "noisy.wav"
    sf.write(wav, speech_loop(), SAMPLE_RATE, subtype="PCM_16")
    b = launch(playwright, ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                            f"--use-file-for-fake-audio-capture={wav}"])
    yield b
    b.close()


def test_livekit_client_with_the_processor(lk_browser, lk_server):
    page = Page(lk_browser)
    try:
        page.open(lk_server + "tests/livekit.html")
        log = page.call("runLiveKit", {"recordMs": 4000}, timeout_s=240)
    finally:
        page.close()
    version = json.loads((LIVEKIT / "package.json").read_text())["version"]
    processed, raw = unb64(log["processed"]), unb64(log["raw"])
    skip = SAMPLE_RATE // 4                                   # the recorder's start
    gain = floor_db(raw[skip:]) - floor_db(processed[skip:])
    after_restart = unb64(log["afterRestartProcessed"])[skip:]
    after_stop = unb64(log["afterStopRaw"])[skip:]
    rms = lambda x: float(np.sqrt(np.mean(x ** 2)))           # noqa: E731
    print(json.dumps({"livekit-client": version, "denoised_gain_db": gain, "rms_after_restart": rms(after_restart),
                      "rms_raw_after_stop": rms(after_stop), "stats": {k: log["stats"][k] for k in ("frames", "underruns")},
                      "voice": log["voice"][:6]}))

    s = log["afterSet"]
    assert s["ready"]["state"] == "processing", s
    assert s["isProcessed"] and s["notMic"] and s["getProcessor"] and s["state"] == "live", s
    assert s["workers"] == {"created": 1, "live": 1}
    assert gain >= 6.0, gain                                  # mediaStreamTrack carries denoised audio
    assert any(e["type"] == "speechstart" for e in log["voice"]), log["voice"]   # the clip's utterance

    r = log["afterRestart"]
    assert r["ready"]["state"] == "processing", r
    assert r["newMic"] and r["isProcessed"] and r["state"] == "live", r
    assert r["oldEnded"] == "ended" and r["oldMic"] == "ended", r     # LiveKit stopped the old source
    assert r["workers"] == {"created": 2, "live": 1}, r               # the first session's worker is gone
    assert rms(after_restart) > 1e-3                                   # processed audio after the switch

    a = log["afterStop"]
    assert a["processor"] and a["isRaw"] and a["mediaStreamTrack"] == "live", a
    assert a["processedEnded"] == "ended" and a["nodeState"] == "pass-through" and a["nodeReason"] == "destroyed", a
    assert a["processorTrack"] and a["processorNode"], a
    assert a["workers"] == {"created": 2, "live": 0}, a               # nothing leaked
    assert a["context"] == "running", a                                # LiveKit's context is LiveKit's
    assert rms(after_stop) > 5e-3                                      # the raw microphone flows again
