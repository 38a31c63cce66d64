"""Reliability of the browser node (issue 7, browser part). Every run keeps audio going and the
latency constant; these pages use model null (the DSP with unity gains), so an impulse comes out
as an impulse exactly TOTAL_LATENCY samples later, whichever path (wet or dry) carried it.

- an asset that fails to load (HTTP 404) or does not match manifest.json's sha256: pass-through
  with the reason, an ``error`` event, output = input delayed by the latency, bit for bit;
- restart() on the same node after such a failure recovers to processing;
- worker killed under denoiseTrack (automatic restart off): error, restart() brings a new worker
  behind the same node and processed track; the page then stops the input or the processed track
  and the session releases the worker and the context by itself (test_realtime.py has the
  automatic restart);
- AudioContext suspended/resumed, input and output disconnected/reconnected, two nodes on one page;
- CPU starvation (busy workers, then a busy main thread): audio never silent, latency unchanged.

The page (pages/reliability.html) counts every Worker the library creates and how many are still
alive (neither terminated nor closed by themselves).
"""
import json

import numpy as np
import pytest

from percepnet_wasm.constants import FRAME_SIZE, SAMPLE_RATE as SR
from pagetools import TOTAL_LATENCY as L, b64, unb64



def signal(seconds, period_s=0.05, first_s=0.1):
    """A quiet 300 Hz tone (never silent) with a 0.8 impulse every `period_s` (< the latency, so the
    delay line always holds one: any stale or misaligned audio shows as a stray impulse)."""
    t = np.arange(int(seconds * SR))
    x = (0.1 * np.sin(2 * np.pi * 300 * t / SR)).astype(np.float32)
    where = np.arange(int(first_s * SR) + 137, len(x), int(period_s * SR))
    x[where] = 0.8
    return x


def peaks(x):
    return np.flatnonzero(x > 0.5)


def stray_peaks(a, b):
    """Output impulses that are not an input impulse exactly L samples earlier."""
    pa = set(peaks(a).tolist())
    return [int(j) for j in peaks(b) if j - L not in pa]


def missing_peaks(a, b, lo, hi):
    """Input impulses in [lo, hi) that did not come out L samples later."""
    return [int(i) for i in peaks(a) if lo <= i < hi and i + L < len(b) and b[i + L] <= 0.5]


def silent_windows(b, lo, hi, win=FRAME_SIZE, floor=0.03):
    """Start indices of 10 ms windows in [lo, hi) with an RMS under `floor` (the tone alone has 0.07)."""
    return [s for s in range(lo, hi - win, win) if np.sqrt(np.mean(b[s:s + win] ** 2)) < floor]


def at(res, op, onset):
    """Sample index (recording) at which `op` ran."""
    t = next(e["t"] for e in res["log"] if e["op"] == op)
    return onset + int(t * SR)


def kept_processing(res, op, onset, n_recorded):
    """After `op` was done: the worker's frames against the frames the rest of the recording needs,
    and the samples that took the dry path (underrun quanta x quantum) against the samples left.

    With model null the output looks the same on the wet and the dry path, so only these counters
    tell a worker that stopped (no new frames, every quantum an underrun) from one that goes on.
    """
    done = next(e for e in res["log"] if e["op"] == f"{op} done")
    left = n_recorded - (onset + int(done["t"] * SR))           # 48 kHz samples still to come
    frames = res["stats"]["frames"] - done["stats"]["frames"]
    dry = (res["stats"]["underruns"] - done["stats"]["underruns"]) * res["latency"]["quantum"]
    return {"frames": frames, "frames_needed": left // FRAME_SIZE, "dry_samples": dry, "samples_left": left}


def assert_kept_processing(res, op, onset, n_recorded):
    k = kept_processing(res, op, onset, n_recorded)
    assert k["samples_left"] >= SR // 2, k                              # enough left to tell
    assert k["frames"] >= k["frames_needed"] // 2, f"the worker stopped processing after {op}: {k}"
    assert k["dry_samples"] <= k["samples_left"] // 2, f"mostly the dry path after {op}: {k}"


def corrupt(route):
    resp = route.fetch()
    body = bytearray(resp.body())
    body[len(body) // 2] ^= 0x01
    route.fulfill(response=resp, body=bytes(body))


FAILURES = {
    "wheel-404": ("wheels/*.whl", lambda route: route.fulfill(status=404, body="not found"), "HTTP 404"),
    "wasm-404": ("pyodide/pyodide.asm.wasm", lambda route: route.fulfill(status=404, body="not found"), "HTTP 404"),
    "wasm-sha256": ("pyodide/pyodide.asm.wasm", corrupt, "does not match manifest.json"),
    "wheel-sha256": ("wheels/*.whl", corrupt, "does not match manifest.json"),
}


@pytest.mark.parametrize("case", list(FAILURES))
def test_asset_failure_passes_audio_through_with_error_event(page, server, case):
    pattern, handler, why = FAILURES[case]
    hits = []
    page.context.route(server + pattern, lambda route: (hits.append(route.request.url), handler(route)))
    x = signal(1.0)
    page.open(server + "tests/reliability.html")
    res = page.call("renderOffline", {"x": b64(x)})
    assert hits, f"the route for {pattern} was never used"
    asset = pattern.split("*")[0].rstrip("/")
    assert res["ready"]["state"] == "pass-through"
    assert why in res["ready"]["reason"] and asset.split("/")[0] in res["ready"]["reason"], res["ready"]
    errors = [e for e in res["events"] if e["type"] == "error"]
    assert len(errors) == 1 and why in errors[0]["message"], res["events"]
    assert res["stats"]["frames"] == 0
    y = unb64(res["y"])
    np.testing.assert_array_equal(y[:L], 0)
    np.testing.assert_array_equal(y[L:L + len(x)], x)       # the input, delayed by the latency, not silence
    assert res["workers"]["live"] == 0, res["workers"]        # the failed worker closed itself


def test_restart_after_failed_load_recovers_on_the_same_node(page, server):
    """The first request for the wheel answers 404; restart() then loads it and the same node
    processes, with the same latency; the failed worker is gone."""
    served = []

    def first_fails(route):
        served.append(route.request.url)
        if len(served) == 1:
            route.fulfill(status=404, body="not found")
        else:
            route.continue_()

    page.context.route(server + "wheels/*.whl", first_fails)
    x1, x2 = signal(1.0), signal(2.0)
    page.open(server + "tests/reliability.html")
    res = page.call("restartAfterLoadFailure", {"x1": b64(x1), "x2": b64(x2)})
    print(json.dumps({"events": [(e["type"], e.get("state"), e.get("reason") or e.get("message")) for e in res["events"]],
                      "underruns": res["stats"]["underruns"], "frames": res["stats"]["frames"]}))
    assert len(served) == 2
    assert res["ready"]["state"] == "pass-through" and "HTTP 404" in res["ready"]["reason"]
    assert res["again"]["state"] == "processing", res["again"]
    assert res["workersBefore"]["live"] == 0                   # the failed worker closed itself
    a, b = unb64(res["first"]["a"]), unb64(res["first"]["b"])
    assert not stray_peaks(a, b) and len(peaks(b)) >= 15      # dry, delayed by L
    a, b = unb64(res["second"]["a"]), unb64(res["second"]["b"])
    onset = int(np.flatnonzero(a)[0])
    assert not stray_peaks(a, b)
    assert not missing_peaks(a, b, onset, onset + len(x2))
    assert not silent_windows(b, onset + L, onset + len(x2))
    assert res["stats"]["state"] == "processing" or res["stats"]["reason"] == "destroyed"
    assert res["stats"]["frames"] > 150                        # the new worker ran the 2 s
    assert [e["type"] for e in res["events"]].count("error") == 1
    assert res["workers"] == {"created": 2, "live": 0}


def test_suspend_resume_keeps_latency_and_has_no_stale_audio(page, server):
    x = signal(3.0)
    page.open(server + "tests/reliability.html")
    res = page.call("runRealtime", {"x": b64(x), "actions": [
        {"at": 1.0, "op": "suspend"}, {"at": 1.6, "op": "resume"}]})
    a, b = unb64(res["a"]), unb64(res["b"])
    onset = int(np.flatnonzero(a)[0])
    print(json.dumps({"underruns": res["stats"]["underruns"], "log": [(e["op"], round(e["t"], 3)) for e in res["log"]],
                      "after_resume": kept_processing(res, "resume", onset, len(b))}))
    assert res["ready"]["state"] == "processing"
    assert not stray_peaks(a, b)
    assert not missing_peaks(a, b, onset, onset + len(x))
    assert not silent_windows(b, onset + L, onset + len(x))
    assert [e["type"] for e in res["events"]] == ["statechange", "statechange"], res["events"]   # processing, destroyed
    assert_kept_processing(res, "resume", onset, len(b))
    assert res["workers"]["live"] == 0


def test_disconnect_and_reconnect_input_and_output(page, server):
    """Input cut for 0.5 s: the output is silent exactly for that span (delayed by L), with nothing
    from before the cut replayed; output cut for 0.5 s: afterwards every impulse is still exactly L late."""
    x = signal(3.6)
    page.open(server + "tests/reliability.html")
    res = page.call("runRealtime", {"x": b64(x), "actions": [
        {"at": 0.8, "op": "disconnectIn"}, {"at": 1.3, "op": "connectIn"},
        {"at": 2.0, "op": "disconnectOut"}, {"at": 2.5, "op": "connectOut"}]})
    a, b = unb64(res["a"]), unb64(res["b"])
    onset = int(np.flatnonzero(a)[0])
    cut, back = at(res, "disconnectIn", onset), at(res, "connectIn", onset)
    out_cut, out_back = at(res, "disconnectOut", onset), at(res, "connectOut", onset)
    m = int(0.03 * SR)
    print(json.dumps({"underruns": res["stats"]["underruns"], "cut": [cut, back], "outCut": [out_cut, out_back]}))
    assert not stray_peaks(a, b), "stale or misaligned audio"
    assert np.max(np.abs(b[cut + L + m:back + L - m])) < 1e-3     # the input's gap, nothing else
    assert not missing_peaks(a, b, back + m, out_cut - L - m)      # after reconnecting the input
    assert not missing_peaks(a, b, out_back + m, onset + len(x))   # after reconnecting the output
    assert not silent_windows(b, out_back + L + m, onset + len(x))
    assert res["ready"]["state"] == "processing" and res["stats"]["underruns"] < 10
    assert res["workers"]["live"] == 0


def test_two_nodes_on_one_page(page, server):
    x1 = signal(2.0)
    x2 = signal(2.0, period_s=0.037, first_s=0.13)
    page.open(server + "tests/reliability.html")
    res = page.call("runTwoNodes", {"x1": b64(x1), "x2": b64(x2)}, timeout_s=180)
    assert [r["state"] for r in res["ready"]] == ["processing", "processing"]
    assert res["workersRunning"] == {"created": 2, "live": 2}
    for r, x in ((res["r1"], x1), (res["r2"], x2)):
        a, b = unb64(r["a"]), unb64(r["b"])
        onset = int(np.flatnonzero(a)[0])
        assert not stray_peaks(a, b)                               # no cross-talk between the nodes
        assert not missing_peaks(a, b, onset, onset + len(x))
        assert not silent_windows(b, onset + L, onset + len(x))
    assert all(s["frames"] > 150 for s in res["stats"])
    print(json.dumps({"underruns": [s["underruns"] for s in res["stats"]]}))
    assert res["workers"] == {"created": 2, "live": 0}


@pytest.mark.parametrize("stop_which", ["input", "processed"])
def test_worker_killed_under_denoise_track_restart_then_page_stops_a_track(page, server, stop_which):
    page.open(server + "tests/reliability.html")
    res = page.call("trackKillRestartStop", {"stopWhich": stop_which}, timeout_s=180)
    print(json.dumps({k: res[k] for k in ("error", "again", "framesAfter", "workersAfterRestart", "workers")}))
    assert res["ready"]["state"] == "processing"
    assert "worker" in res["error"]["message"]
    assert res["stateAfterError"] == "pass-through"           # automatic restart is off here
    assert res["again"]["state"] == "processing" and res["sameNode"]
    assert res["trackAfterRestart"] == "live"                  # the same processed track goes on
    assert res["framesAfter"][1] > res["framesAfter"][0] > res["framesBefore"]
    assert res["stateAfter"] == "processing"
    assert res["workersAfterRestart"] == {"created": 2, "live": 1}
    # the page only stopped a track: the session released the worker, the track and its context
    assert res["workers"] == {"created": 2, "live": 0}
    assert res["nodeState"] == "pass-through"
    assert res["trackAfterStop"] == "ended" and res["contextAfterStop"] == "closed"


def test_cpu_starvation_counts_underruns_and_keeps_latency(page, server):
    """Four busy workers for 1.5 s, then a busy main thread for 1 s, on a machine that is already
    loaded: whatever came late took the dry path (same latency); afterwards every impulse is exactly
    L late again and the audio never went silent."""
    x = signal(5.0)
    page.open(server + "tests/reliability.html")
    res = page.call("runRealtime", {"x": b64(x), "actions": [
        {"at": 0.8, "op": "busyWorkers", "ms": 1500, "n": 4}, {"at": 2.6, "op": "busyMain", "ms": 1000}]},
        timeout_s=180)
    a, b = unb64(res["a"]), unb64(res["b"])
    onset = int(np.flatnonzero(a)[0])
    during = [e["stats"]["underruns"] for e in res["log"] if "stats" in e]
    print(json.dumps({"underruns": res["stats"]["underruns"], "at_actions": during,
                      "after_starvation": kept_processing(res, "busyMain", onset, len(b)),
                      "events": [(e["type"], e.get("state")) for e in res["events"]],
                      "log": [(e["op"], round(e["t"], 3)) for e in res["log"]]}))
    assert res["ready"]["state"] == "processing"
    assert isinstance(res["stats"]["underruns"], int)
    assert not stray_peaks(a, b), "latency changed"
    assert not missing_peaks(a, b, onset, onset + len(x))
    assert not silent_windows(b, onset + L, onset + len(x))
    end = at(res, "busyMain done", onset)
    assert len(peaks(a[end:onset + len(x) - L])) >= 10          # impulses measured after the starvation
    assert_kept_processing(res, "busyMain", onset, len(b))      # the wet path is back afterwards
    assert res["workers"]["live"] == 0
