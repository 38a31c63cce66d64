"""Real-time soak (a benchmark, not a test): ``python3 build.py soak [--minutes 10] [--busy]``.

Loops the example clip (``py/percepnet_wasm/examples/noisy.wav``, speech + noise, 48 kHz)
through the node with the shipped model in a real-time AudioContext (by default made by
``createAudioContext``, as ``denoiseTrack`` does: ``latencyHint`` 0 and render quanta of one 10 ms frame,
so the node picks its aligned bridge delay) in headless Chromium for
``--minutes``, optionally with a busy process on another core (``--busy``), and reports:

- underruns and the node's state every 10 s, Python's ms per frame (p50/p99 of the last 1024);
- the latency, measured by cross-correlation in a 10 s window at the start and at the end;
- memory at the start and the end: the worker's wasm memory (Pyodide's heap) and the page's JS
  heap (``measureUserAgentSpecificMemory``, which would include the workers, never answered in
  headless Chromium here);
- the output against native ``percepnet_wasm.enhance`` of the same looped input, in both windows.

Writes ``docs/soaks/soak.json`` and ``docs/soaks/soak.md`` (``--out`` for another stem); list the
new record in ``docs/soaks/README.md``.
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import threading
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")        # native timing: one thread, as in the browser
import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BROWSER_TESTS = ROOT / "tests" / "browser"      # the test pages, Chromium switches and page helpers
sys.path.insert(0, str(BROWSER_TESTS))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "py"))
import build  # noqa: E402
from percepnet_wasm.constants import FRAME_SIZE, SAMPLE_RATE  # noqa: E402
from conftest import CHROMIUM_ARGS  # noqa: E402
from pagetools import b64, unb64  # noqa: E402

SR = SAMPLE_RATE
WINDOW_S = 10
CLIP = build.ROOT / "py" / "percepnet_wasm" / "examples" / "noisy.wav"


def lag_of(b, a, max_lag=8192):
    """Delay (samples) at which ``b`` best matches ``a``, by cross-correlation."""
    size = 1 << int(np.ceil(np.log2(len(a) + len(b))))
    c = np.fft.irfft(np.fft.rfft(b, size) * np.conj(np.fft.rfft(a, size)), size)[:max_lag]
    return int(np.argmax(c))


def run_browser(clip, seconds, bridge_delay, chromium_args, latency_hint="interactive", render_size="default",
                settle=0.0):
    srv = build.make_server(build.SITE, 0, mounts={"/tests/": BROWSER_TESTS / "pages"})
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    windows = [[0, WINDOW_S * SR], [(seconds - WINDOW_S - 5) * SR, WINDOW_S * SR]]
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(build.CHROMIUM), headless=True,
                                     args=CHROMIUM_ARGS + chromium_args)
        page = browser.new_page()
        page.route("**/*", lambda r: r.continue_() if "127.0.0.1" in r.request.url else r.abort())
        page.set_default_timeout((seconds + 180) * 1000)
        page.goto(f"http://127.0.0.1:{srv.server_port}/tests/soak.html")
        page.wait_for_function("window.pageReady === true")
        res = page.evaluate("(o) => window.soak(o)", {"clip": b64(clip), "seconds": seconds, "windows": windows,
                                                      "bridgeDelay": bridge_delay, "latencyHint": latency_hint,
                                                      "renderSize": render_size, "settle": settle})
        version = browser.version
        browser.close()
    srv.shutdown()
    if not res["ok"]:
        sys.exit(f"the soak page failed: {res['error']}")
    return res, version


def compare(res, clip):
    """Latency and output-vs-native per recorded window.

    Native input: the zeros the worker's Denoiser got before the clip started (the stream began at
    context frame ``streamStartFrame``), then the looped clip; so its frames fall on the same grid
    and its state saw the same silence, and the output should match up to round-off (and the dry
    path wherever an underrun happened).
    """
    from percepnet_wasm import enhance
    latency = res["stats"]["latency"]["samples"]               # the node's own: 1440 + its bridge delay
    wins = [(w["start"], unb64(w["a"]), unb64(w["b"])) for w in res["windows"]]
    start0, a0, _ = wins[0]
    onset = start0 + int(np.flatnonzero(a0)[0]) - int(np.flatnonzero(clip)[0])   # recorder index of clip[0]
    silence = res["recorderFirstFrame"] + onset - res["stats"]["streamStartFrame"]
    end = max(s + len(a) for s, a, _ in wins) - onset
    loop = np.resize(clip, end)                                # the looped input, from its first sample
    y = enhance(np.concatenate([np.zeros(silence, np.float32), loop]))[silence:]   # y[n]: loop[n] denoised
    out = []
    for start, a, b in wins:
        n0 = start - onset                                     # loop index of this window's first sample
        ok = slice(max(0, -n0 + latency), len(b))              # output samples of the clip's input
        native = y[n0 + ok.start - latency:n0 + len(b) - latency]
        diff = b[ok] - native
        blocks = np.abs(diff[:len(diff) // FRAME_SIZE * FRAME_SIZE]).reshape(-1, FRAME_SIZE).max(axis=1)
        out.append({
            "window_start_s": round(start / SR, 1),
            "input_matches_loop": bool(np.array_equal(a[max(0, -n0):], loop[max(0, n0):n0 + len(a)])),
            "latency_samples": lag_of(b, a),
            "max_abs_diff_vs_native": float(np.max(np.abs(diff))),
            "snr_vs_native_db": round(float(10 * np.log10(np.sum(native ** 2) / max(np.sum(diff ** 2), 1e-30))), 1),
            "blocks_10ms": len(blocks),
            "blocks_differing": int(np.sum(blocks > 1e-4)),        # dry or crossfaded: underruns, early fades
            # where (s after the window's start, the first 10): when the late frames came
            "differing_at_s": [round((ok.start + FRAME_SIZE * int(i)) / SR, 2) for i in np.flatnonzero(blocks > 1e-4)[:10]],
        })
    return out


def native_ms_per_frame(clip, frames=500):
    """The machine's speed now: native p50 ms per 10 ms frame of the shipped model's Denoiser
    (DSP + network, one thread) on the clip. On 2026-11-25 it was ~0.21 ms (native RTF 0.021 in
    docs/benchmarks.md); the shared machines here run 2-3x slower on some days, so a soak is only
    comparable with this beside it."""
    from percepnet_wasm import Denoiser
    den, out, t = Denoiser(model="default"), np.zeros(FRAME_SIZE, np.float32), []
    for i in range(frames):
        start = time.perf_counter()
        den.process_frame(clip[i * FRAME_SIZE:(i + 1) * FRAME_SIZE], out)
        t.append(time.perf_counter() - start)
    return round(1e3 * float(np.median(t)), 3)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--bridge-delay", type=int, default=None,
                    help="48 kHz samples (default: the node's own choice for the context)")
    ap.add_argument("--busy", action="store_true", help="keep another core busy with a spinning process")
    ap.add_argument("--latency-hint", default="0",
                    help='AudioContext latencyHint: seconds (default 0, as denoiseTrack) or "interactive", ...')
    ap.add_argument("--render-size", default="aligned",
                    help='"aligned" (default: createAudioContext, 480-sample render quanta, as denoiseTrack), '
                         '"default" (128) or a renderSizeHint in samples')
    ap.add_argument("--settle", type=float, default=0.0,
                    help="seconds from the node being ready to the clip starting (silence meanwhile; default 0)")
    ap.add_argument("--chromium-arg", action="append", default=[], help="extra Chromium switch (repeatable)")
    ap.add_argument("--out", default=str(build.ROOT / "docs" / "soaks" / "soak"), help="output stem (.json and .md)")
    args = ap.parse_args(argv)
    import soundfile as sf
    clip, rate = sf.read(CLIP, dtype="float32")
    assert rate == SR and clip.ndim == 1
    seconds = int(round(args.minutes * 60))
    if seconds < 2 * WINDOW_S + 10:
        ap.error(f"--minutes must give at least {2 * WINDOW_S + 10} s")
    speed_before = native_ms_per_frame(clip)
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if args.busy else None
    try:
        hint = args.latency_hint if args.latency_hint in ("interactive", "balanced", "playback") else float(args.latency_hint)
        size = args.render_size if args.render_size in ("aligned", "default") else int(args.render_size)
        res, version = run_browser(clip, seconds, args.bridge_delay, args.chromium_arg, hint, size, args.settle)
    finally:
        if busy:
            busy.kill()
    speed_after = native_ms_per_frame(clip)
    report = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"), "chromium": version,
        "machine": platform.machine(), "cpus": os.cpu_count(), "load_avg": os.getloadavg(),
        "native_ms_per_frame": {"before": speed_before, "after": speed_after},
        "command": "python3 build.py soak " + " ".join(argv if argv is not None else sys.argv[1:]),
        "seconds": seconds, "settle_s": args.settle, "underruns_settling": res["underrunsSettling"],
        "busy_core": args.busy, "chromium_args": args.chromium_arg, "latency_hint": args.latency_hint,
        "render_quantum": res["stats"]["latency"]["quantum"],
        "bridge_delay": res["stats"]["latency"]["bridgeDelay"], "clip": CLIP.name,
        "ready": res["ready"], "events": [(e["type"], e.get("state"), e.get("reason") or e.get("message"))
                                          for e in res["events"]],
        "final": {k: res["stats"][k] for k in ("state", "frames", "underruns", "earlyFades", "msPerFrame",
                                               "wasmMemoryBytes")},
        # JS heap: from the first sample (10 s) to the last one 6 s before the end (older soaks
        # copied the recorded windows into the page 5 s before the end; "after_windows": at the end)
        "memory": {"js_heap_start": res["series"][0]["jsHeapBytes"],
                   "js_heap_end": [s for s in res["series"] if s["t"] < seconds - 6][-1]["jsHeapBytes"],
                   "js_heap_after_windows": res["heapEnd"],
                   "wasm_start": res["series"][0]["wasmBytes"], "wasm_end": res["series"][-1]["wasmBytes"]},
        "silence_before_clip_samples": res["recorderFirstFrame"] - res["stats"]["streamStartFrame"],
        "series": res["series"], "sink_latency": res["sinkLatency"], "windows": compare(res, clip),
    }
    out = Path(args.out)
    out.with_suffix(".json").write_text(json.dumps(report, indent=1) + "\n")
    out.with_suffix(".md").write_text(markdown(report))
    print(markdown(report))


def markdown(r):
    f, m = r["final"], r["memory"]
    mb = lambda v: "n/a" if v is None else f"{v / 1e6:.1f} MB"   # noqa: E731
    rows = "\n".join(
        f"| {w['window_start_s']} s | {w['latency_samples']} | {w['max_abs_diff_vs_native']:.2e} | "
        f"{w['snr_vs_native_db']} dB | {w['blocks_differing']} of {w['blocks_10ms']} "
        f"{'(at ' + ', '.join(f'{t} s' for t in w.get('differing_at_s', [])) + ')' if w.get('differing_at_s') else ''} | "
        f"{w['input_matches_loop']} |"
        for w in r["windows"])
    under = [(round(s["t"]), s["underruns"]) for s in r["series"]]
    # the slowest frame in each 10 s with underruns, against the slowest in the others
    slowest = {True: [], False: []}
    for prev, s in zip([{"underruns": 0}] + r["series"], r["series"]):
        slowest[s["underruns"] > prev["underruns"]].append(round(s["msPerFrame"]["max"], 1))
    speed = r.get("native_ms_per_frame")
    settle_line = (f"  of them {r['underruns_settling']} in the {r['settle_s']:g} s of silence before the clip "
                   "(`--settle`);\n" if r.get("settle_s") else "")
    speed_line = (f"- Machine speed: native DSP + model p50 {speed['before']} ms per frame before the soak, "
                  f"{speed['after']} ms after (~0.21 ms on 2026-11-25).\n" if speed else "")
    return f"""# Real-time soak

`{r['command']}` on {r['date']}: headless Chromium {r['chromium']}, {r['cpus']} CPU cores
({r['machine']}), load average at the end {', '.join(f'{v:.1f}' for v in r['load_avg'])}; another core kept
busy: {'yes' if r['busy_core'] else 'no'}; extra Chromium switches: {r['chromium_args'] or 'none'}.
The example clip ({r['clip']}, speech + noise) looped for {r['seconds']} s through the shipped model at
bridge delay D = {r['bridge_delay']} samples, {r.get('render_quantum', 128)}-sample render quanta
(latencyHint {r['latency_hint']}).

- **Underruns: {f['underruns']}** in {f['frames']} frames (early fades towards dry: {f['earlyFades']});
{settle_line}  final state {f['state']};
  events {r['events']}.
- Python per frame (last 1024 frames): p50 {f['msPerFrame']['p50']:.2f} ms, p99 {f['msPerFrame']['p99']:.2f} ms,
  max {f['msPerFrame']['max']:.2f} ms.
- Memory after 10 s → at the end: worker wasm memory (Pyodide's heap) {mb(m['wasm_start'])} →
  {mb(m['wasm_end'])}; page JS heap {mb(m['js_heap_start'])} → {mb(m['js_heap_end'])} (last sample before the
  recorded windows were ready, 6 s before the end; {mb(m['js_heap_after_windows'])} at the end).
- Underruns over time (s, count): {under}
- Slowest frame (ms; of the last 1024 at each 10 s sample) in the spans with underruns: {slowest[True] or 'none'}; in the others at most
  {max(slowest[False], default='n/a')}.
{speed_line}
| window from | latency (samples) | max abs diff vs native | SNR vs native | 10 ms blocks off native (> 1e-4) | input = loop |
|---|---|---|---|---|---|
{rows}

Latency is measured by cross-correlating the node's output with its input in each window
(documented: 1440 + D = {1440 + r['bridge_delay']}).
"Native" is `percepnet_wasm.enhance` of the same looped input from its first sample; the browser's
Denoiser saw the same silence before the clip (from the stream's start frame), so wherever the
wet path ran undisturbed the two agree to float round-off; blocks that differ are those where the
bridge used the dry path (an underrun) or crossfaded towards it ahead of a possible underrun (an
early fade: the frame the next quantum needs was still missing a whole quantum after its input
was complete).
"""


if __name__ == "__main__":
    main()
