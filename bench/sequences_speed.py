"""ms per 10 ms frame of the streaming ``training_sequences`` and the whole-signal
``training_sequences_batch`` on the same signal (speech-like harmonic glide plus noise).

Usage: OPENBLAS_NUM_THREADS=1 PYTHONPATH=py python bench/sequences_speed.py [seconds]
Prints the best of five interleaved runs of each path in CPU time of this process (one core;
a busy machine still inflates both), the speed-up, and whether the outputs are bit-identical.
"""
import sys
import time

import numpy as np

from percepnet_wasm.constants import FRAME_SIZE, SAMPLE_RATE
from percepnet_wasm.targets import training_sequences, training_sequences_batch


def signal(seconds, seed=0):
    rng = np.random.default_rng(seed)
    n = int(seconds * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    f0 = 160 + 80 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(f0) / SAMPLE_RATE
    clean = 0.1 * np.sin(np.pi * 2.5 * t) ** 2 * sum(0.8 ** h * np.sin((h + 1) * phase) for h in range(14))
    noisy = clean + 0.02 * rng.standard_normal(n)
    return clean.astype(np.float32), noisy.astype(np.float32)


def best_ms_per_frame(functions, clean, noisy, repeats=5):
    """Best CPU time per frame of each function, the runs interleaved (A B A B ...) so that
    a change in the machine's load hits both alike; returns ([ms], [outputs])."""
    frames = len(noisy) // FRAME_SIZE
    best, outs = [float("inf")] * len(functions), [None] * len(functions)
    for _ in range(repeats):
        for i, function in enumerate(functions):
            start = time.process_time()
            outs[i] = function(clean, noisy)
            best[i] = min(best[i], time.process_time() - start)
    return [1e3 * b / frames for b in best], outs


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    clean, noisy = signal(seconds)
    (stream_ms, batch_ms), (stream, batch) = best_ms_per_frame(
        [training_sequences, training_sequences_batch], clean, noisy)
    identical = all(np.array_equal(stream[k], batch[k]) for k in stream)
    print(f"{seconds:g} s ({len(noisy) // FRAME_SIZE} frames), best of 5 interleaved runs, CPU time:")
    print(f"  streaming training_sequences        {stream_ms:.3f} ms/frame")
    print(f"  batch     training_sequences_batch  {batch_ms:.3f} ms/frame")
    print(f"  speed-up {stream_ms / batch_ms:.1f}x; outputs bit-identical: {identical}")


if __name__ == "__main__":
    main()
