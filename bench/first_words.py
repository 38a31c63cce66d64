"""The first words of a stream: how much noise the network leaves right after them.

    PYTHONPATH=py .venv/bin/python bench/first_words.py [WEIGHTS ...] [--phases 8] [--out X.json]

The browser call test's clip (``tests/browser/pagetools.speech_loop``: one utterance, then noise
alone, 4 s, looped) reaches the Denoiser two ways:

- ``48 kHz``: as is (a 48 kHz device);
- ``44.1 kHz device``: 48 -> 44.1 kHz as Chromium's capture does it (its response, measured on
  the call test's white noise recorded in the page: -3.5 dB at 20 kHz, -16 dB at 21 kHz, -48 dB
  at 22 kHz; stood in for by ``worklet/resampler.js`` with a 32-tap kernel, ``CHROMIUM_LIKE``:
  -4, -11 and -22 dB), then back to 48 kHz by the worklet's own ``Resampler`` with its defaults,
  as the bridge does (both under Node: ``bench/resample.mjs``).

For each of ``--phases`` start points spread over the loop, a fresh Denoiser (attenuation limit
24 dB: the "balanced" preset) runs three loops from there. Reported per weights file and path:
the noise floor (20th percentile of 10 ms energies in 300-4000 Hz, dB: the call test's measure)
over the 1.5 s after the first words the stream hears, and over the same stretch two loops later
(settled). A network that needs its first words to settle shows a first-words floor well above
the settled one (docs/browser.md, session 9).
"""
from __future__ import annotations

import argparse
import datetime
import json
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "py"))
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from pagetools import speech_loop  # noqa: E402
from percepnet_wasm import Denoiser  # noqa: E402
from percepnet_wasm.constants import FRAME_SIZE, SAMPLE_RATE  # noqa: E402
from percepnet_wasm.model import Model  # noqa: E402

AFTER_S = 1.5
CHROMIUM_LIKE = (16, 8, 0.92)      # Resampler halfTaps, beta, cutoff: see the docstring
LIMIT_DB = 24.0


def band_db(x):
    """Energy (dB) in 300-4000 Hz of each 10 ms frame of 48 kHz ``x``."""
    n = len(x) // FRAME_SIZE
    spec = np.abs(np.fft.rfft(x[:n * FRAME_SIZE].reshape(n, FRAME_SIZE) * np.hanning(FRAME_SIZE), axis=1)) ** 2
    f = np.fft.rfftfreq(FRAME_SIZE, 1 / SAMPLE_RATE)
    return 10 * np.log10(spec[:, (f >= 300) & (f <= 4000)].sum(axis=1) + 1e-12)


def worklet_resample(x, in_rate, out_rate, kernel=()):
    """``x`` through worklet/resampler.js (float32), via Node; ``kernel``: (halfTaps, beta,
    cutoff) instead of its defaults."""
    out = subprocess.run(["node", str(ROOT / "bench" / "resample.mjs"), str(in_rate), str(out_rate), *map(str, kernel)],
                         input=np.ascontiguousarray(x, np.float32).tobytes(), capture_output=True, check=True)
    return np.frombuffer(out.stdout, np.float32)


def floors(model, x, loop, phases):
    """[phases, 2]: the floor after the first words, and two loops later, for each start."""
    words = band_db(loop[:len(loop)])
    last_word = int(np.flatnonzero(words > np.percentile(words, 60))[-1])    # frame, in the loop
    per_loop, n_after = len(loop) // FRAME_SIZE, int(AFTER_S * 100)
    rows = []
    for start in np.arange(phases) * len(loop) // phases // FRAME_SIZE * FRAME_SIZE:
        den = Denoiser(model=model, attenuation_limit_db=LIMIT_DB)
        seg = x[start:start + 3 * len(loop)]
        y = np.zeros(len(seg) // FRAME_SIZE * FRAME_SIZE, np.float32)
        for i in range(0, len(y), FRAME_SIZE):
            den.process_frame(seg[i:i + FRAME_SIZE], y[i:i + FRAME_SIZE])
        e = band_db(y)
        first = (last_word - start // FRAME_SIZE) % per_loop + 3        # + the 30 ms delay
        rows.append([float(np.percentile(e[first:first + n_after], 20)),
                     float(np.percentile(e[first + 2 * per_loop:first + 2 * per_loop + n_after], 20))])
    return np.array(rows)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("weights", nargs="*", help="weights.npz files (default: the package's)")
    ap.add_argument("--phases", type=int, default=8)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    loop = speech_loop()
    x48 = np.tile(loop, 4)
    paths = {"48 kHz": x48,
             "44.1 kHz device": worklet_resample(worklet_resample(x48, SAMPLE_RATE, 44100, CHROMIUM_LIKE),
                                                 44100, SAMPLE_RATE)}
    raw = float(np.percentile(band_db(loop), 20))
    report = {"command": "bench/first_words.py " + " ".join(argv if argv is not None else sys.argv[1:]),
              "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
              "machine": platform.platform(), "raw_floor_db": raw, "after_s": AFTER_S,
              "attenuation_limit_db": LIMIT_DB, "results": {}}
    print(f"raw floor {raw:.1f} dB; floor over the {AFTER_S} s after the first words, and settled (dB)")
    print("| weights | path | first words: mean (worst) | settled: mean (worst) |")
    print("|---|---|---|---|")
    for w in args.weights or [None]:
        model = Model.load(w)
        name = w or "package"
        for path, x in paths.items():
            r = floors(model, x, loop, args.phases)
            report["results"].setdefault(name, {})[path] = {"first_words_db": r[:, 0].tolist(), "settled_db": r[:, 1].tolist()}
            print(f"| {name} | {path} | {r[:, 0].mean():.1f} ({r[:, 0].max():.1f}) | {r[:, 1].mean():.1f} ({r[:, 1].max():.1f}) |")
    if args.out:
        args.out.write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
