"""The training loss of weights files on the feature cache's val shards: how much int8 costs,
and where in the band energies a difference between two models lies.

    PYTHONPATH=py .venv/bin/python bench/val_loss.py A.npz [B.npz ...] [--cache DIR] [--out R.json]

Each file is loaded the way ``train --init`` loads it (``export.load_weights_file``: int8 rows
dequantised) and scored by ``train.validate`` as the runs validate (``--val-frames 100000``:
the same fixed 100 000-frame subset every run validates on), so a float export (``export --float``) scores
what its run logged and the int8 export of the same checkpoint shows the quantisation's cost.
The band SDR is minus the runs' ``val_sdr_loss_db`` (``model.band_sdr_loss``).

The loss counts every band of every frame alike, however quiet. A second table splits its gain
part (``(g^½ − ĝ^½)² + 10 (g^½ − ĝ^½)⁴`` summed over the bands, per frame), over every val
mixture, by the quartile of the noisy band energy of the target's frame that each band-frame
falls in (the quartile edges come from the val data, so every model is split the same way):
a rise in the quietest quartiles is one the ear hardly gets (session 11 found small6's rise
there, docs/training.md).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "py"))

from percepnet_train import export, train  # noqa: E402
from percepnet_train.model import gain_error  # noqa: E402


def gain_loss_by_energy(model, vset: train.SequenceSet) -> tuple[np.ndarray, np.ndarray]:
    """(quartile edges of log10 band energy, gain loss per frame from each quartile (4,))
    over every val mixture, each run from a zero state."""
    losses, energies = [], []
    with torch.no_grad():
        for s, n in zip(vset.starts, vset.lengths):
            f = vset.data["features"][s:s + n].astype(np.float32)
            g = torch.from_numpy(vset.data["gains"][s:s + n].astype(np.float32))
            d = gain_error(model(torch.from_numpy(f[None]))[0][0], g)
            losses.append(torch.where(g >= 0, d ** 2 + 10 * d ** 4, torch.nan).numpy())
            energies.append(train.target_frame_energies(torch.from_numpy(f[None]))[0].numpy())
    loss, energy = np.concatenate(losses), np.concatenate(energies)
    defined = ~np.isnan(loss)
    edges = np.quantile(energy[defined], [0, 0.25, 0.5, 0.75, 1])
    which = np.clip(np.searchsorted(edges[1:-1], energy, side="right"), 0, 3)
    per_frame = np.array([np.sum(loss[defined & (which == q)]) for q in range(4)]) / len(loss)
    return edges, per_frame


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
    print("| weights | quantisation | val loss | gain² | gain⁴ | strength | VAD | band SDR (dB) |")
    print("|---|---|---|---|---|---|---|---|")
    for path in args.weights:
        model, meta = export.load_weights_file(path)
        with torch.no_grad():
            r = train.validate(model, vset, opts, 1)
        rows[str(path)] = {"quantisation": meta.get("quantisation"), "step": meta.get("step"), **r}
        print(f"| {path} | {meta.get('quantisation')} | {r['val_loss']:.3f} | {r['val_gain2']:.3f} | "
              f"{r['val_gain4']:.3f} | {r['val_strength']:.3f} | {r['val_vad_bce']:.3f} | "
              f"{-r['val_sdr_loss_db']:.2f} |")
    print("\n| weights | gain loss per frame | from quietest quartile | 2nd | 3rd | loudest |")
    print("|---|---|---|---|---|---|")
    whole = train.SequenceSet(shards, min_len=1)
    for path in args.weights:
        model, _ = export.load_weights_file(path)
        edges, parts = gain_loss_by_energy(model, whole)
        rows[str(path)]["gain_loss_by_energy_quartile"] = parts.tolist()
        rows[str(path)]["energy_quartile_edges_log10"] = edges.tolist()
        print(f"| {path} | {parts.sum():.3f} | " + " | ".join(f"{x:.3f}" for x in parts) + " |")
    if args.out:
        args.out.write_text(json.dumps({"command": " ".join(sys.argv), "val_shards": [s.name for s in shards],
                                        "rows": rows}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
