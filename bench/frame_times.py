"""Per-frame times of the network step alone, the DSP alone and DSP + network.

Runs natively (``OPENBLAS_NUM_THREADS=1 python bench/frame_times.py [SRC ...]``) and inside
Pyodide (``node bench/pyodide_frame.mjs``, which imports this file). Each SRC is a folder
holding a ``percepnet_wasm`` package (default: ``py``); several are measured in alternating
rounds so before/after compare under the same machine load. Input: the first frames of
``examples/noisy.wav`` (16-bit PCM read with ``wave``, as Pyodide has no soundfile).

``pace_ms`` > 0 sleeps that long between frames, as a real-time worker does between 10 ms
frames: the caches go cold meanwhile, and each frame then costs about twice as much
(docs/performance.md, "Real time: cold caches").
"""
import importlib
import sys
import time
import wave
from pathlib import Path

import numpy as np

def read_noisy(path, frames, frame_size):
    """The first ``frames`` frames of ``frame_size`` samples of a 16-bit mono wav, float32."""
    with wave.open(str(path)) as w:
        pcm = np.frombuffer(w.readframes(frames * frame_size), np.int16)
    return (pcm / 32768.0).astype(np.float32)


def import_package(src):
    """Import ``percepnet_wasm`` from folder ``src`` (forgetting any other copy)."""
    for name in [m for m in sys.modules if m.split(".")[0] == "percepnet_wasm"]:
        del sys.modules[name]
    sys.path.insert(0, str(src))
    try:
        return importlib.import_module("percepnet_wasm")
    finally:
        sys.path.remove(str(src))


def _per_frame(call, count, pause=None):
    times = np.empty(count)
    for i in range(count):
        if pause:
            pause()
        start = time.perf_counter()
        call(i)
        times[i] = time.perf_counter() - start
    return times


class Subject:
    """One package copy: its shipped model, its denoisers and the features of the input."""

    def __init__(self, src, x):
        pkg = import_package(src)
        self.x = x
        self.size = pkg.constants.FRAME_SIZE
        self.frames = len(x) // self.size
        self.out = np.zeros(self.size, np.float32)
        self.dsp = pkg.Denoiser(model=None)
        self.full = pkg.Denoiser()
        self.model = importlib.import_module("percepnet_wasm.model").Model.load()
        feats = np.empty((self.frames, len(self.dsp.features)), np.float32)
        for i in range(self.frames):
            self.dsp.process_frame(self.frame(i), self.out)
            feats[i] = self.dsp.features
        self.features = feats

    def frame(self, i):
        return self.x[i * self.size:(i + 1) * self.size]

    def run(self, pause=None):
        """(model step, DSP alone, DSP + model) seconds per frame, fresh stream state;
        ``pause()`` runs before each frame."""
        for obj in (self.model, self.dsp, self.full):
            obj.reset()
        return {
            "model step": _per_frame(lambda i: self.model.step(self.features[i]), self.frames, pause),
            "DSP (model=None)": _per_frame(
                lambda i: self.dsp.process_frame(self.frame(i), self.out), self.frames, pause),
            "DSP + model": _per_frame(
                lambda i: self.full.process_frame(self.frame(i), self.out), self.frames, pause),
        }


def main(srcs=("py",), wav=None, frames=500, rounds=5, pace_ms=0.0, sleep_ms=None):
    """Print p50/p99 ms per frame (median over ``rounds`` alternating rounds) per source.

    ``pace_ms``: sleep between frames (``sleep_ms(ms)``, default ``time.sleep``; under Pyodide the
    script passes JavaScript's ``Atomics.wait``, which blocks the thread as the worker does)."""
    sleep_ms = sleep_ms or (lambda ms: time.sleep(ms / 1e3))
    pause = (lambda: sleep_ms(pace_ms)) if pace_ms > 0 else None
    wav = wav or Path(srcs[0]) / "percepnet_wasm" / "examples" / "noisy.wav"
    x = read_noisy(wav, frames, import_package(srcs[0]).constants.FRAME_SIZE)
    subjects = {src: Subject(src, x) for src in srcs}
    results = {src: {} for src in srcs}
    for _ in range(rounds):
        for src, subject in subjects.items():
            for label, t in subject.run(pause).items():
                results[src].setdefault(label, []).append(1e3 * np.percentile(t, [50, 99]))
    paced = f", {pace_ms:g} ms asleep before each frame" if pace_ms > 0 else ", back to back"
    lines = [f"{frames} frames of {Path(wav).name}{paced}, median of {rounds} rounds, ms per frame",
             "| source | stage | p50 | p99 |", "|---|---|---:|---:|"]
    for src, stages in results.items():
        for label, runs in stages.items():
            p50, p99 = np.median(np.array(runs), axis=0)
            lines.append(f"| {src} | {label} | {p50:.3f} | {p99:.3f} |")
    text = "\n".join(lines)
    print(text)
    return text


if __name__ == "__main__":
    args = sys.argv[1:]
    pace = float(args.pop(args.index("--pace-ms") + 1)) if "--pace-ms" in args else 0.0
    if "--pace-ms" in args:
        args.remove("--pace-ms")
    main(tuple(args) or ("py",), pace_ms=pace)
