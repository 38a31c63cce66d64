"""Feature/target shards for training, built from ``mixer.mix`` mixtures.

    PYTHONPATH=py python -m percepnet_train.make_cache --split train --count 6400 \\
        --out ~/.cache/percepnet-wasm/features --workers 2 [--start 0]

Seed ``s`` of a split is ``mixer.mix(s, split)`` turned into rows by
``percepnet_wasm.targets.training_sequences_batch(clean, noisy)`` (the whole-signal path,
equal to the streaming ``training_sequences``: tests/test_sequences_batch.py).

Shard format: ``<split>_<first seed:08d>-<end seed:08d>.npz`` holds the mixtures with seeds
``first .. end-1``, their rows concatenated along axis 0:

- ``features`` float32 (R, 70), ``gains`` float32 (R, 34), ``strengths`` float32 (R, 34),
  ``vad`` float32 (R,): the ``training_sequences`` keys, R = ``lengths.sum()``;
- ``lengths`` int64 (M,): rows of each mixture (mixture i is rows
  ``lengths[:i].sum() .. lengths[:i+1].sum()``), ``seeds`` int64 (M,).

Shard boundaries lie on multiples of ``--shard-size`` (64), so reruns with other
``--start``/``--count`` find the same names; a shard is written to a temporary file and
renamed when complete, and existing shards are skipped, so an interrupted run resumes.
A complete shard replaces the partial shards whose seeds it covers.
"""
from __future__ import annotations

import argparse
import functools
import multiprocessing
import re
import sys
from pathlib import Path

import numpy as np

from percepnet_train import mixer

SHARD_SIZE = 64
KEYS = ("features", "gains", "strengths", "vad")
_NAME = re.compile(r"^(?P<split>\w+?)_(?P<first>\d{8})-(?P<end>\d{8})\.npz$")


def training_sequences(clean: np.ndarray, noisy: np.ndarray) -> dict[str, np.ndarray]:
    """``percepnet_wasm.targets.training_sequences_batch``, imported when first needed."""
    from percepnet_wasm.targets import training_sequences_batch
    return training_sequences_batch(clean, noisy)


def _rows(seed: int, *, split: str, seconds: float, root: str | None) -> dict[str, np.ndarray]:
    clean, noisy = mixer.mix(seed, split, seconds=seconds, root=root)
    return training_sequences(clean, noisy)


def plan(split: str, start: int, count: int, shard_size: int = SHARD_SIZE) -> list[tuple[int, int]]:
    """Seed ranges [first, end) of the shards covering ``start .. start+count-1``."""
    if start < 0 or count < 1:
        raise ValueError(f"need start >= 0 and count >= 1, got start={start}, count={count}")
    stop = start + count
    edges = sorted({start, stop, *range((start // shard_size + 1) * shard_size, stop, shard_size)})
    return list(zip(edges[:-1], edges[1:]))


def shard_name(split: str, first: int, end: int) -> str:
    return f"{split}_{first:08d}-{end:08d}.npz"


def _write(path: Path, seeds: list[int], parts: list[dict[str, np.ndarray]]) -> None:
    arrays = {k: np.concatenate([p[k] for p in parts]).astype(np.float32) for k in KEYS}
    arrays["lengths"] = np.array([len(p["vad"]) for p in parts], np.int64)
    arrays["seeds"] = np.array(seeds, np.int64)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        np.savez(f, **arrays)
    tmp.rename(path)
    for old in path.parent.glob(f"{path.name.split('_')[0]}_*.npz"):   # partial shards it covers
        m = _NAME.match(old.name)
        if m and old != path and int(m["first"]) >= seeds[0] and int(m["end"]) <= seeds[-1] + 1:
            old.unlink()


def build(*, split: str, start: int, count: int, out: Path, workers: int = 2,
          seconds: float = 10.0, root: str | Path | None = None,
          shard_size: int = SHARD_SIZE) -> list[Path]:
    """Write the missing shards of seeds ``start .. start+count-1``; returns the new paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    todo = [(a, b) for a, b in plan(split, start, count, shard_size)
            if not (out / shard_name(split, a, b)).exists()]
    seeds = [s for a, b in todo for s in range(a, b)]
    rows = functools.partial(_rows, split=split, seconds=seconds, root=str(root) if root else None)
    written: list[Path] = []
    pool = multiprocessing.Pool(workers) if workers > 1 else None
    try:
        results = pool.imap(rows, seeds) if pool else map(rows, seeds)
        for a, b in todo:
            parts = [next(results) for _ in range(a, b)]
            path = out / shard_name(split, a, b)
            _write(path, list(range(a, b)), parts)
            written.append(path)
            print(f"{path.name}: {sum(len(p['vad']) for p in parts)} rows", flush=True)
    finally:
        if pool:
            pool.terminate()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=mixer.SPLITS, required=True)
    parser.add_argument("--count", type=int, required=True, help="number of mixtures (seeds)")
    parser.add_argument("--start", type=int, default=0, help="first seed")
    parser.add_argument("--out", type=Path, required=True, help="shard directory")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each mixture")
    parser.add_argument("--root", default=None, help="audio cache (default: fetch_data.data_root())")
    parser.add_argument("--shard-size", type=int, default=SHARD_SIZE)
    args = parser.parse_args(argv)
    build(split=args.split, start=args.start, count=args.count, out=args.out, workers=args.workers,
          seconds=args.seconds, root=args.root, shard_size=args.shard_size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
