"""The training loss of weights files on the feature cache's val shards: how much int8 costs.

    PYTHONPATH=py .venv/bin/python bench/val_loss.py A.npz [B.npz ...] [--cache DIR] [--out R.json]

Each file is loaded the way ``train --init`` loads it (``export.load_weights_file``: int8 rows
dequantised) and scored by ``train.validate`` as the runs validate (``--val-frames 100000``:
the same fixed 100 000-frame subset every run validates on), so a float export (``export --float``) scores
what its run logged and the int8 export of the same checkpoint shows the quantisation's cost.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "py"))

from percepnet_train import export, train  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("weights", nargs="+", type=Path)
    ap.add_argument("--cache", type=Path, default=Path.home() / ".cache/percepnet-wasm/features")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    shards = sorted(args.cache.glob("val_*.npz")) or sorted((args.cache / "val").glob("*.npz"))
    if not shards:
        raise SystemExit(f"no val shards in {args.cache} (percepnet_train.make_cache --split val)")
    vset = train.SequenceSet(shards)
    opts = train.parse_args(["--cache", str(args.cache), "--val-frames", "100000"])   # the runs' setting
    rows = {}
    print("| weights | quantisation | val loss | gain² | gain⁴ | strength | VAD |")
    print("|---|---|---|---|---|---|---|")
    for path in args.weights:
        model, meta = export.load_weights_file(path)
        with torch.no_grad():
            r = train.validate(model, vset, opts, 1)
        rows[str(path)] = {"quantisation": meta.get("quantisation"), "step": meta.get("step"), **r}
        print(f"| {path} | {meta.get('quantisation')} | {r['val_loss']:.3f} | {r['val_gain2']:.3f} | "
              f"{r['val_gain4']:.3f} | {r['val_strength']:.3f} | {r['val_vad_bce']:.3f} |")
    if args.out:
        args.out.write_text(json.dumps({"command": " ".join(sys.argv), "val_shards": [s.name for s in shards],
                                        "rows": rows}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
