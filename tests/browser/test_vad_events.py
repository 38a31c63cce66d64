"""Voice-activity events in Chromium: the clip with known speech segments (tests/vad_clip.py)
rendered offline through the node gives exactly the native ``VoiceActivity`` events (offline
output is bit-exact, so the per-frame probabilities are too), dated at the same input frames, with
the onset within 30 ms of the labelled one and nothing in the silence and noise around it."""
import json
import sys
from pathlib import Path

import pytest

from pagetools import b64

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from vad_clip import FRAME_S, make_clip, native_events  # noqa: E402  (tests/vad_clip.py)


def test_speech_events_in_the_browser_match_native(page, server):
    clip = make_clip(silence_s=0.3, noise_s=1.3, tail_s=0.6)
    x = clip["noisy"]
    want, _ = native_events(x)
    page.open(server + "tests/offline.html")
    res = page.call("renderOffline", {"channels": [b64(x)], "rate": 48000, "renderSize": 480}, timeout_s=240)
    assert res["stats"]["model"] == "default"
    got = [(e["type"], e.get("frame")) for e in res["events"] if e["type"] in ("speechstart", "speechend")]
    print(json.dumps({"browser": got, "native": want, "labelled_onset_s": clip["onset"]}))
    assert got == [({"start": "speechstart", "end": "speechend"}[k], f) for k, f in want if k in ("start", "end")]
    starts = [e for e in res["events"] if e["type"] == "speechstart"]
    assert len(starts) == 1, got                                         # no chatter before or after
    assert abs(starts[0]["frame"] * FRAME_S - clip["onset"]) <= 0.030
    # the event's AudioContext time is the frame's: the stream starts at context time 0 offline
    assert starts[0]["time"] == pytest.approx(starts[0]["frame"] * FRAME_S, abs=1e-6)
    assert res["stats"]["speaking"] is False                             # destroy() came after the end
    assert res["stats"]["noiseLevelDb"] is not None
