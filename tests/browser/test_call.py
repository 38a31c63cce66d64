"""A real call, end to end, on 127.0.0.1: two pages joined by RTCPeerConnection (host candidates
only, no STUN/TURN). The sender's fake microphone plays a known noisy clip (in a loop), the sender
runs ``denoiseTrack`` (preset "balanced") and sends ``clean.track``; ``replaceTrack`` switches to
the raw microphone and back mid-call. The receiver records what arrives (after Opus, the jitter
buffer and Chromium's resampling) and the test judges only that:

* denoised: the noise floor (20th percentile of 10 ms energies in 300-4000 Hz, where the clip is
  noise alone a third of the time) of what arrives while denoising is lower than while the raw
  microphone is sent, by at least 6 dB and by at least native ``enhance``'s own reduction on the
  same clip minus 6 dB (Opus codes the quieter residual noise with less precision, and NetEq's
  comfort processing and the jitter buffer add their own noise: 6 dB of slack). Native's figure
  is the clip's second loop, so the call is judged after one loop of settling (``SETTLE_MS``): in
  the first seconds of a stream the network leaves more noise after the first words it hears,
  more so at 44.1 kHz (this Chromium's device rate, so the input went 48 -> 44.1 -> 48 kHz). That
  settling loop is printed and only has to clear 6 dB: in runs of 2026-12-03 it reached 16-24 dB
  (7-23 dB before the resampler grew from 32 to 128 taps) where the settled loops reach 23-25 dB
  (docs/browser.md);
* glitch-free switch: no 10 ms block of digital silence (RMS < 1e-4, 40 dB under the denoised
  noise floor) in the second around each ``replaceTrack``;
* the added delay: each path's offset against the looped clip by cross-correlation; denoised minus
  raw is the suppressor's mouth-to-ear cost in a call (printed, and in docs/browser.md); it must
  be within [node latency - 20 ms, node latency + 120 ms] once the receiver's own timeline changes
  are taken out. NetEq plays concealment for late packets and stretches or squeezes audio to move
  its target delay; each shift moves everything after it (73 ms of concealment in a CI failure of
  2026-12-03). The receiver samples ``concealedSamples + insertedSamplesForDeceleration -
  removedSamplesForAcceleration`` every 100 ms and each segment's shift against the raw one is
  subtracted (an estimate: a concealed late packet that is then dropped shifts nothing). The
  upper slack is the sender's Web Audio round trip (the track into an AudioContext and back to a
  MediaStreamTrack), which the raw path skips and which Chromium buffers as it likes: 0-35 ms on a
  quiet machine, up to 79 ms in a clean CI run of 2026-12-03. The lower bound, on each denoised
  segment, is what proves the denoised path went through the node; the upper one, on the smaller
  of the two, catches a bridge that adds far more (the bridge's latency is fixed, so that would
  show in both; Chromium's buffering can swell in one: 411 ms against 91 ms in the next segment,
  with 44 underruns, in one of ten runs of 2026-12-03);
* ``stats()`` and the RTP stats of both sides are sane.
"""
import json

import numpy as np
import pytest
import soundfile as sf

from conftest import Page, launch
from pagetools import speech_loop, unb64
from percepnet_wasm.constants import SAMPLE_RATE

pytestmark = pytest.mark.browser

SEGMENT_MS = 4000            # each of denoised, raw, denoised again: one loop of the clip
SETTLE_MS = 4000             # denoised before the first judged segment (the module docstring)


@pytest.fixture(scope="module")
def clip_and_browser(playwright, tmp_path_factory):
    clip = speech_loop()
    wav = tmp_path_factory.mktemp("call") / "noisy.wav"
    sf.write(wav, clip, SAMPLE_RATE, subtype="PCM_16")
    b = launch(playwright, ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                            f"--use-file-for-fake-audio-capture={wav}",
                            # ICE on this machine alone: loopback candidates, plain IPs (no mDNS names)
                            "--allow-loopback-in-peer-connection",
                            "--disable-features=WebRtcHideLocalIpsWithMdns"])
    yield clip, b
    b.close()


def band_db(x, lo=300, hi=4000):
    """Energy (dB) in lo..hi Hz of each 10 ms frame."""
    n = len(x) // 480
    spec = np.abs(np.fft.rfft(x[:n * 480].reshape(n, 480) * np.hanning(480), axis=1)) ** 2
    f = np.fft.rfftfreq(480, 1 / SAMPLE_RATE)
    return 10 * np.log10(spec[:, (f >= lo) & (f <= hi)].sum(axis=1) + 1e-12)


def floor_db(x):
    return float(np.percentile(band_db(x), 20))


def phase(seg, clip):
    """k such that seg[i] best matches clip[(k + i) mod len(clip)] (FFT cross-correlation)."""
    p = len(clip)
    tiled = np.tile(clip, 2 + len(seg) // p)
    n = 1 << int(np.ceil(np.log2(len(tiled) + len(seg))))
    corr = np.fft.irfft(np.fft.rfft(tiled, n) * np.conj(np.fft.rfft(seg, n)), n)[:p]
    return int(np.argmax(corr))


def test_denoised_call_over_webrtc(clip_and_browser, server):
    from percepnet_wasm import Denoiser, enhance

    clip, browser = clip_and_browser
    sender, receiver = Page(browser), Page(browser)
    try:
        sender.open(server + "tests/call.html")
        receiver.open(server + "tests/call.html")
        start = sender.call("startSender", timeout_s=180)
        assert start["ready"]["state"] == "processing", start["ready"]
        ans = receiver.call("answer", start["offer"])
        cands = sender.call("acceptAnswer", ans["answer"], timeout_s=60)["candidates"]
        assert cands and all(" host " in c for c in cands), cands          # no srflx/relay: no STUN/TURN
        run = sender.call("runSchedule", SEGMENT_MS, SETTLE_MS, timeout_s=120)
        rec = receiver.call("recorded", timeout_s=120)
    finally:
        sender.close()
        receiver.close()
    x = unb64(rec["x"])
    wall, count = np.array(rec["clock"]).T
    at = lambda t: int(np.interp(t, wall, count))                          # noqa: E731  wall ms -> sample
    began, s0, s1, s2 = (s["wall"] for s in run["switches"])
    end = s2 + SEGMENT_MS
    half = SAMPLE_RATE // 2
    first = {k: at(t) + half for k, t in (("clean", s0), ("raw", s1), ("clean2", s2))}   # each segment's first sample
    segs = {k: x[a:b] for (k, a), b in zip(first.items(), (at(s1), at(s2), at(end)))}
    assert all(len(s) > 2.5 * SAMPLE_RATE for s in segs.values()), {k: len(s) for k, s in segs.items()}
    settling = x[at(began) + half:at(s0) + half]

    # denoised: the noise floor of what arrives, against native enhance on the same clip
    loops = np.tile(clip, 2)
    native = enhance(loops, Denoiser(attenuation_limit_db=24.0))[len(clip):]
    native_gain = floor_db(clip) - floor_db(native)
    floors = {k: floor_db(s) for k, s in segs.items()}
    gains = {k: floors["raw"] - floors[k] for k in ("clean", "clean2")}
    settling_gain = floors["raw"] - floor_db(settling)

    # delay of each path against the looped clip; denoised minus raw is what the suppressor adds
    p = len(clip)
    offset = {k: (first[k] - phase(s, clip)) % p for k, s in segs.items()}
    added_ms = {k: 1000 * (((offset[k] - offset["raw"] + p // 2) % p) - p // 2) / SAMPLE_RATE for k in ("clean", "clean2")}

    # the receiver's own timeline shifts (samples NetEq made up, minus those it dropped), in ms
    tt, concealed, inserted, removed = np.array(rec["timeline"]).T
    made_up = concealed + inserted - removed
    mid = {"clean": (s0 + s1) / 2, "raw": (s1 + s2) / 2, "clean2": (s2 + end) / 2}
    shift_ms = {k: 1000 * float(np.interp(t, tt, made_up)) / rec["rate"] for k, t in mid.items()}
    net_ms = {k: d - (shift_ms[k] - shift_ms["raw"]) for k, d in added_ms.items()}

    # the switches: no 10 ms of digital silence in the second around each
    def quietest(t):
        a = max(0, at(t) - SAMPLE_RATE // 4)
        w = x[a:a + SAMPLE_RATE]
        return float(np.min(np.sqrt(np.mean(w[:len(w) // 480 * 480].reshape(-1, 480) ** 2, axis=1))))
    switch_rms = [quietest(s1), quietest(s2)]

    stats, out_rtp, in_rtp = run["stats"], run["rtp"], rec["rtp"]
    report = {"floor_db": floors, "denoised_gain_db": gains, "native_gain_db": native_gain,
              "settling_gain_db": settling_gain,
              "added_delay_ms": added_ms, "receiver_timeline_shift_ms": shift_ms,
              "added_delay_less_receiver_shift_ms": net_ms, "node_latency_ms": start["latency"]["ms"],
              "quietest_10ms_rms_at_switches": switch_rms, "underruns": stats["underruns"], "frames": stats["frames"],
              "sent": {k: out_rtp.get(k) for k in ("packetsSent", "bytesSent", "codec")},
              "received": {k: in_rtp.get(k) for k in ("packetsReceived", "packetsLost", "concealedSamples",
                                                      "totalSamplesReceived", "jitterBufferDelay",
                                                      "jitterBufferEmittedCount", "codec")}}
    print(json.dumps(report))

    for k, g in gains.items():
        assert g >= 6.0 and g >= native_gain - 6.0, (k, report)
    assert settling_gain >= 6.0, report
    assert min(switch_rms) > 1e-4, report
    lat = start["latency"]["ms"]
    assert len(tt) >= 0.8 * 3 * SEGMENT_MS / 100, report
    # each denoised segment's delay, as measured and less the receiver's shift: on a starved
    # machine NetEq's made-up samples can jump inside one segment (a run with 21 underruns and
    # 218 ms concealed measured 84 ms, but 398 ms less the receiver's shift, for one segment;
    # another -45 and +393 ms), so each bound holds for one of the two estimates at least: a
    # bridge that took away or added delay would move both.
    assert all(lat - 20 <= max(added_ms[k], net_ms[k]) for k in net_ms), report
    assert min(*net_ms.values(), *added_ms.values()) <= lat + 120, report     # the smaller segment
    assert stats["state"] == "processing" and stats["model"] == "default"
    assert stats["frames"] >= 0.8 * 3 * SEGMENT_MS / 10
    assert stats["underruns"] <= 0.05 * stats["frames"] * 1.0                # no speed target here: see test_realtime
    assert out_rtp["codec"] == in_rtp["codec"] == "audio/opus"
    assert out_rtp["packetsSent"] >= 0.8 * 3 * SEGMENT_MS / 20              # 20 ms Opus packets
    assert in_rtp["packetsReceived"] >= 0.9 * out_rtp["packetsSent"] - 50
    assert in_rtp["packetsLost"] <= 0.01 * in_rtp["packetsReceived"]
    assert in_rtp["concealedSamples"] <= 0.1 * in_rtp["totalSamplesReceived"]
    assert run["micState"] == "live"                                         # stop() left the caller's track
