"""Train PercepNet on the feature cache, on CPU, single-process or under torchrun (DDP, gloo).

Usage::

    python -m percepnet_train.train --cache DIR --run runs/NAME --size small
    torchrun --standalone --nproc_per_node=N -m percepnet_train.train --cache DIR \
        --run-dir runs/NAME ...      # (torchrun's parser mistakes a bare --run for --run-path)

Cache: ``DIR/train*.npz`` and ``DIR/val*.npz`` (make_cache.py's names, e.g.
``train_00000000-00000064.npz``), or ``DIR/train/*.npz`` and ``DIR/val/*.npz``.
Each shard holds ``features`` (T, 70), ``gains`` (T, 34), ``strengths`` (T, 34), ``vad`` (T,)
concatenated over its mixtures, and ``lengths`` (N,) int, the rows of each mixture (absent:
one sequence). Target bands < 0 are treated as undefined and ignored by the loss.

The run dir gets ``run.json`` (command, seed, data manifest hash, git commit, config; one
entry per resume), ``log.jsonl`` (training and validation losses), ``ckpt_latest.pt`` every
``--ckpt-minutes`` and on SIGTERM/SIGINT, and ``ckpt_best.pt`` (lowest validation loss).
With ``--ema D`` the run also keeps an exponential moving average of the weights (decay D per
step); validation, ``ckpt_best.pt``'s choice, ``--init`` and the export then use the average
(``shipped_state``). With ``--int8-aware`` training and validation run the network on the
export's int8 grid (``model.forward_int8``), so what is optimised and chosen is what ships.
Starting again with the same ``--run`` resumes from ``ckpt_latest.pt``. Batches are drawn
from an RNG seeded by (seed, rank, step), so a resumed run sees the same batches as an
uninterrupted one.
"""
from __future__ import annotations

import argparse
import copy
import datetime as _dt
import hashlib
import json
import math
import os
import shlex
import signal
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist

from percepnet_train.export import git_commit, load_model
from percepnet_train.model import (ModelConfig, PercepNet, band_sdr_loss, count_weights, forward_int8,
                                   percepnet_loss, widen)
from percepnet_wasm.constants import LOOKAHEAD_FRAMES, NB_BANDS, NB_FEATURES
from percepnet_wasm.features import ENERGY_FLOOR

KEYS = ("features", "gains", "strengths", "vad")


# ----------------------------------------------------------------------------- data
def find_shards(cache: Path, split: str) -> list[Path]:
    """Shards of one split: ``cache/split/*.npz``, else ``cache/split*.npz``."""
    d = cache / split
    shards = sorted(d.rglob("*.npz")) if d.is_dir() else sorted(cache.glob(f"{split}*.npz"))
    return shards


def manifest_sha256(cache: Path, audio_root: Path | None = None) -> str:
    """Hash identifying the training data: the audio cache's ``manifest.json`` and
    ``splits.json`` (provenance and splits, from fetch_data) when found, plus every shard's
    relative path and size in the feature cache."""
    h = hashlib.sha256()
    for root in (audio_root, cache):
        for name in ("manifest.json", "splits.json"):
            if root is not None and (root / name).is_file():
                h.update(name.encode())
                h.update((root / name).read_bytes())
    for p in sorted(cache.rglob("*.npz")):
        h.update(f"{p.relative_to(cache)}\t{p.stat().st_size}\n".encode())
    return h.hexdigest()


def default_audio_root() -> Path | None:
    try:
        from percepnet_train.fetch_data import data_root
        return Path(data_root())
    except Exception:                   # the audio cache is optional for hashing
        return None


def shift_level(features: np.ndarray, db: np.ndarray) -> np.ndarray:
    """The features of the same audio ``db`` dB louder, in place; returns ``features``.

    Only the 34 log band energies depend on the level (coherences, pitch period and
    correlation are ratios), and ``log10(E + ENERGY_FLOOR)`` inverts exactly, so this equals
    running the scaled signal through the pipeline (up to float32 rounding, and as long as the
    scaled input stays within the denoiser's ±8 input clamp). Targets do not change.

    features : float32 (..., 70); db : float (...,) broadcast over the leading dimensions.
    """
    energies = features[..., :NB_BANDS]
    power = np.maximum(np.power(10.0, energies, dtype=np.float64) - ENERGY_FLOOR, 0.0)
    power *= np.power(10.0, np.asarray(db, np.float64) / 10.0)[..., None]
    energies[:] = np.log10(power + ENERGY_FLOOR)
    return features


def floor_gain_targets(features: np.ndarray, gains: np.ndarray, percentile: float) -> np.ndarray:
    """Gain targets of one mixture that also remove its clean speech's own stationary
    background (hiss, hum, room of the recording), in place; returns ``gains``.

    The clean band energy of target row t (frame t - 2, docs/INTERFACES.md) is recovered as
    ``g² E_noisy`` from the noisy energies in the features of row t - 2; each band's
    ``percentile`` over the frames where it is not 0 (digital silence, pure noise) is taken
    as the recording's floor and subtracted, ``g' = sqrt(max(g² E − floor, 0) / E)``
    (``bench/gain_shape.py``'s ``oracle-floor`` on labels). Rows 0, 1 and undefined bands
    (< 0) are left as they are. ``features`` (T, 70), ``gains`` (T, 34), float32.
    """
    energy = np.maximum(np.power(10.0, features[:-2, :NB_BANDS], dtype=np.float64) - ENERGY_FLOOR, 0.0)
    g = gains[2:].astype(np.float64)
    clean = np.where(g >= 0, np.square(np.clip(g, 0.0, 1.0)) * energy, 0.0)
    present = clean > 0
    floor = np.zeros(NB_BANDS)
    for b in np.flatnonzero(present.any(axis=0)):
        floor[b] = np.percentile(clean[present[:, b], b], percentile)
    ok = (g >= 0) & (energy > 0)
    floored = np.sqrt(np.maximum(clean - floor, 0.0) / np.where(ok, energy, 1.0))
    gains[2:] = np.where(ok, np.minimum(floored, np.clip(g, 0.0, 1.0)), g)
    return gains


def target_frame_energies(features: torch.Tensor) -> torch.Tensor:
    """The noisy log10 band energies of each row's target frame: row t's target is frame
    t - 2's (docs/INTERFACES.md), so row t - 2's energies; rows 0 and 1 of a crop take row 0's.
    features (B, T, 70) → (B, T, 34)."""
    energy, late = features[..., :NB_BANDS], LOOKAHEAD_FRAMES
    return torch.cat([energy[:, :1].expand(-1, late, -1), energy[:, :-late]], dim=1)[:, :features.shape[1]]


def target_band_energies(features: torch.Tensor) -> torch.Tensor:
    """``target_frame_energies`` as linear energies (the features' ``ENERGY_FLOOR`` taken
    back off), for ``band_sdr_loss``. features (B, T, 70) → (B, T, 34)."""
    return (10.0 ** target_frame_energies(features) - ENERGY_FLOOR).clamp_min(0.0)


def anchor_pairs(model, init_model):
    """(parameter of ``model``, the same parameter's value in ``init_model``, detached) for
    every weight matrix (``PercepNet.weight_matrices``, the ones ``clip_weights`` clamps);
    biases stay free."""
    init = dict(init_model.named_parameters())
    return [(p, init[name].detach().clone()) for name, p in model.weight_matrices()]


def anchor_penalty(pairs):
    """Sum over ``anchor_pairs`` of the squared differences (a 0-d tensor)."""
    return sum(((p - p0) ** 2).sum() for p, p0 in pairs)


def band_weights(features: torch.Tensor, range_db: float, floor: float = 0.1) -> torch.Tensor:
    """Loss weight of each target band from how loud the band is in its frame (1: the frame's
    loudest band, falling linearly in dB to ``floor`` at ``range_db`` below it), so that bands
    the ear hardly gets next to louder ones count less (``train --band-weight-db``).

    The energies are those of the target's frame (``target_frame_energies``). The level does
    not matter, only each band against the frame's loudest: ``--level-aug-db`` leaves the
    weights alone. features (B, T, 70) → weights (B, T, 34).
    """
    energy = target_frame_energies(features)          # log10 band energy: 1 = 10 dB
    below_db = 10.0 * (energy.amax(-1, keepdim=True) - energy)
    return (1.0 - below_db / range_db).clamp(floor, 1.0)


class SequenceSet:
    """All mixtures of some shards in memory, as concatenated arrays plus offsets.

    Stored as float16 (278 bytes a frame: 100 h of audio is 10 GB), returned as float32.
    Log energies lose at most ~0.004 (of a range of about -9..1), gains and strengths ~0.0005.
    ``target_floor`` > 0: each mixture's gain targets pass ``floor_gain_targets`` with that
    percentile when loaded (``train --target-floor``). ``row_filter(seed, vad)`` (e.g.
    ``reference_mask.RowFilter``) gives each mixture's rows to keep in the loss (bool (rows,),
    or None: none); ``keep`` then holds them and ``batch`` masks the others.
    """

    def __init__(self, shards: list[Path], min_len: int = 8, target_floor: float = 0.0,
                 row_filter=None):
        if not shards:
            raise ValueError("no shards")
        # first the row counts (the small ``vad`` member), then one preallocated float16
        # array per key filled shard by shard: peak memory is the set plus one shard
        rows = []
        for path in shards:
            with np.load(path, allow_pickle=False) as z:
                rows.append(int(np.asarray(z["vad"]).size) if "vad" in z.files else 0)
        total = int(sum(rows))
        widths = {"features": (NB_FEATURES,), "gains": (NB_BANDS,), "strengths": (NB_BANDS,), "vad": ()}
        self.data = {k: np.empty((total,) + widths[k], np.float16) for k in KEYS}
        self.keep = np.ones(total, bool) if row_filter else None
        starts, lengths = [], []
        offset = 0
        for path in shards:
            with np.load(path, allow_pickle=False) as z:
                missing = [k for k in KEYS if k not in z.files]
                if missing:
                    raise ValueError(f"shard {path} lacks {missing} (has {z.files})")
                arrs = {k: np.asarray(z[k], np.float32) for k in KEYS}
                n = arrs["features"].shape[0]
                lens = np.asarray(z["lengths"], np.int64) if "lengths" in z.files else np.array([n])
                seeds = np.asarray(z["seeds"]) if "seeds" in z.files else None
            if arrs["features"].shape != (n, NB_FEATURES) or lens.sum() != n:
                raise ValueError(f"shard {path}: features {arrs['features'].shape}, lengths sum "
                                 f"{lens.sum()}, expected ({n}, {NB_FEATURES}) rows")
            for k in ("gains", "strengths"):
                if arrs[k].shape != (n, NB_BANDS):
                    raise ValueError(f"shard {path}: {k} has shape {arrs[k].shape}")
            if arrs["vad"].size != n:
                raise ValueError(f"shard {path}: vad has {arrs['vad'].size} rows, features {n}")
            arrs["vad"] = arrs["vad"].reshape(n)
            arrs["features"][~np.isfinite(arrs["features"])] = 0.0
            seq_starts = np.concatenate([[0], np.cumsum(lens)[:-1]])    # within the shard
            if target_floor > 0:
                for a, n_seq in zip(seq_starts, lens):
                    floor_gain_targets(arrs["features"][a:a + n_seq], arrs["gains"][a:a + n_seq],
                                       target_floor)
            for k in KEYS:
                self.data[k][offset:offset + n] = arrs[k]
            if row_filter:
                if seeds is None:
                    raise ValueError(f"shard {path} has no seeds: cannot filter its rows")
                for a, n_seq, seed in zip(seq_starts, lens, seeds):
                    keep = row_filter(int(seed), arrs["vad"][a:a + n_seq])
                    self.keep[offset + a:offset + a + n_seq] = False if keep is None else keep
            s = offset + seq_starts
            keep = lens >= min_len
            starts.append(s[keep])
            lengths.append(lens[keep])
            offset += n
        self.starts = np.concatenate(starts)
        self.lengths = np.concatenate(lengths)
        if self.starts.size == 0:
            raise ValueError(f"no sequence of at least {min_len} frames in {shards}")
        self.frames = int(self.lengths.sum())
        # sequences are drawn in proportion to the rows that count in the loss
        self.weights = self.lengths.astype(np.float64)
        if self.keep is not None:
            kept = np.concatenate([[0], np.cumsum(self.keep)])
            self.weights = (kept[self.starts + self.lengths] - kept[self.starts]).astype(np.float64)
            if not self.weights.any():
                raise ValueError("row_filter kept no row")

    def batch(self, rng: np.random.Generator, batch: int, seq_len: int, level_db: float = 0.0):
        """Random crops: sequences drawn in proportion to length (to their rows kept by the
        row filter, when there is one); short ones padded + masked.
        With ``level_db`` > 0 each crop is made uniformly -level_db..+level_db dB louder
        (``shift_level``)."""
        idx = rng.choice(self.starts.size, size=batch, p=self.weights / self.weights.sum())
        out = {k: np.zeros((batch, seq_len) + self.data[k].shape[1:], np.float32) for k in KEYS}
        mask = np.zeros((batch, seq_len), np.float32)
        for b, i in enumerate(idx):
            n = int(self.lengths[i])
            off = int(rng.integers(0, max(n - seq_len, 0) + 1))
            m = min(n, seq_len)
            s = int(self.starts[i]) + off
            for k in KEYS:
                out[k][b, :m] = self.data[k][s:s + m]
            mask[b, :m] = 1 if self.keep is None else self.keep[s:s + m]
        if level_db > 0:
            shift_level(out["features"], rng.uniform(-level_db, level_db, batch)[:, None])
        return {k: torch.from_numpy(v) for k, v in out.items()}, torch.from_numpy(mask)

    def moments(self, max_frames: int = 2_000_000):
        """(sum, sum of squares, count) of the features, over at most max_frames rows."""
        f = self.data["features"]
        step = max(1, f.shape[0] // max_frames)
        x = f[::step].astype(np.float64)
        return x.sum(0), np.square(x).sum(0), x.shape[0]


# ----------------------------------------------------------------------------- helpers
def shape_gain_target(gains: torch.Tensor, power: float) -> torch.Tensor:
    """Band-gain targets raised to ``power`` (> 1: steeper, removes more where a band is mostly
    noise; docs/gain-shape.md); undefined bands (< 0) stay undefined. (B, T, 34) → same."""
    if power == 1.0:
        return gains
    return torch.where(gains >= 0, gains.clamp(0, 1).pow(power), gains)


@torch.no_grad()
def ema_update(ema: torch.nn.Module, model: torch.nn.Module, decay: float) -> None:
    """ema ← decay · ema + (1 − decay) · model, parameter by parameter."""
    torch._foreach_lerp_(list(ema.parameters()), list(model.parameters()), 1.0 - decay)


def lr_at(step: int, args) -> float:
    """Linear warm-up, then cosine decay from --lr to --lr * --lr-final-ratio at --steps."""
    if step < args.warmup:
        return args.lr * (step + 1) / args.warmup
    t = min(1.0, (step - args.warmup) / max(1, args.steps - args.warmup))
    lo = args.lr * args.lr_final_ratio
    return lo + 0.5 * (args.lr - lo) * (1 + math.cos(math.pi * t))


def save_atomic(obj, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def log(run: Path, rec: dict) -> None:
    with open(run / "log.jsonl", "a") as f:
        f.write(json.dumps(rec) + "\n")


@torch.no_grad()
def validate(model, vset: SequenceSet | None, args, world: int):
    """Loss over the whole validation sequences (each from a zero state), summed over ranks."""
    sums = torch.zeros(8, dtype=torch.float64)   # total, gain2, gain4, strength, vad, frames,
    #                                              sdr loss × sequences, sequences
    if vset is not None:
        model.eval()
        # a fixed subset (same every validation): a seeded permutation, up to --val-frames
        order = np.random.default_rng(1234).permutation(vset.lengths.size)
        if args.val_frames:
            keep = np.cumsum(vset.lengths[order]) - vset.lengths[order] < args.val_frames
            order = order[keep]
        chosen = order[np.argsort(vset.lengths[order], kind="stable")]   # similar lengths batch
        for j in range(0, len(chosen), args.val_batch):
            ids = chosen[j:j + args.val_batch]
            t = int(vset.lengths[ids].max())
            b = {k: np.zeros((len(ids), t) + vset.data[k].shape[1:], np.float32) for k in KEYS}
            mask = np.zeros((len(ids), t), np.float32)
            for r, i in enumerate(ids):
                s, n = int(vset.starts[i]), int(vset.lengths[i])
                for k in KEYS:
                    b[k][r, :n] = vset.data[k][s:s + n]
                mask[r, :n] = 1
            b = {k: torch.from_numpy(v) for k, v in b.items()}
            mask = torch.from_numpy(mask)
            b["gains"] = shape_gain_target(b["gains"], args.gain_target_power)
            g, r_, v = forward_int8(model, b["features"]) if args.int8_aware else model(b["features"])
            loss, parts = percepnet_loss(g, r_, v, b["gains"], b["strengths"], b["vad"], mask,
                                         vad_weight=args.vad_weight)
            sdr = band_sdr_loss(g, b["gains"], target_band_energies(b["features"]), mask)
            n = float(mask.sum())
            sums += torch.tensor([float(loss) * n, *(float(parts[k]) * n for k in
                                  ("gain2", "gain4", "strength", "vad")), n,
                                  float(sdr) * len(ids), len(ids)], dtype=torch.float64)
        model.train()
    if world > 1:
        dist.all_reduce(sums)
    n = float(sums[5])
    if n == 0:
        return {"val_loss": None, "val_frames": 0}
    return {"val_loss": float(sums[0]) / n, "val_gain2": float(sums[1]) / n,
            "val_gain4": float(sums[2]) / n, "val_strength": float(sums[3]) / n,
            "val_vad_bce": float(sums[4]) / n, "val_frames": int(sums[5]),
            "val_sdr_loss_db": float(sums[6]) / float(sums[7])}


# ----------------------------------------------------------------------------- main
def parse_args(argv=None):
    ap = argparse.ArgumentParser(prog="python -m percepnet_train.train", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 allow_abbrev=False)
    ap.add_argument("--cache", type=Path, required=True, help="feature cache directory")
    # "--run" alone is an ambiguous prefix to torchrun's own parser (--run-path): under
    # torchrun spell it --run-dir.
    ap.add_argument("--run", "--run-dir", dest="run", type=Path, default=None,
                    help="run dir (default runs/<size>); --run-dir under torchrun")
    ap.add_argument("--audio-root", type=Path, default=None,
                    help="audio cache whose manifest.json/splits.json enter the data hash "
                         "(default: fetch_data's data root)")
    ap.add_argument("--size", default="small", help="model size: tiny, small, base")
    ap.add_argument("--init", type=Path, default=None,
                    help="warm start: a new run takes its weights and normalisation from this "
                         "checkpoint, or from a weights.npz (int8 dequantised), with a fresh "
                         "optimiser and lr schedule; ignored when resuming")
    ap.add_argument("--steps", type=int, default=20_000,
                    help="total optimiser steps (sets the lr schedule's length)")
    ap.add_argument("--hours", type=float, default=None,
                    help="stop (with a checkpoint) after this many hours of this invocation")
    ap.add_argument("--stop-at", type=int, default=None,
                    help="stop (with a checkpoint) after this step, as if interrupted")
    ap.add_argument("--batch", type=int, default=32, help="global batch (split over ranks)")
    ap.add_argument("--seq-len", type=int, default=500, help="frames per training crop")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--lr-final-ratio", type=float, default=0.05)
    ap.add_argument("--warmup", type=int, default=300)
    ap.add_argument("--weight-decay", type=float, default=1e-3)
    ap.add_argument("--anchor-weight", type=float, default=0.0, metavar="A",
                    help="with --init: add A x the sum of squared differences between the "
                         "weights (not biases) and the --init ones to the loss, so a fine-tune "
                         "stays near where it started (L2-SP; also on resume)")
    ap.add_argument("--grad-clip", type=float, default=2.0, help="max grad norm (0: off)")
    ap.add_argument("--vad-weight", type=float, default=0.1)
    ap.add_argument("--target-floor", type=float, default=0.0, metavar="PERCENTILE",
                    help="train (and validate) towards gain targets that also remove the clean "
                         "recording's own background: each mixture's band floor at this "
                         "percentile is subtracted from the clean energy (floor_gain_targets; "
                         "0: off)")
    ap.add_argument("--drop-reference-bak", type=float, default=0.0, metavar="BAK",
                    help="leave out of the training loss the rows whose target comes from a "
                         "speaker group whose clean recordings DNSMOS rates below this BAK "
                         "(--reference-quality; reference_mask.py; validation unchanged; 0: off)")
    ap.add_argument("--reference-quality", type=Path,
                    default=Path(__file__).resolve().parents[2] / "docs" / "reference-quality.json",
                    help="bench/reference_quality.py's JSON for --drop-reference-bak")
    ap.add_argument("--gain-target-power", type=float, default=1.0,
                    help="train towards band-gain targets raised to this power (validation too; "
                         "1: the targets as they are)")
    ap.add_argument("--band-weight-db", type=float, default=0.0, metavar="DB",
                    help="weigh each band's training loss by its loudness in its frame: 1 for "
                         "the loudest band, falling linearly to 0.1 at DB dB below it "
                         "(band_weights; validation unweighted; 0: off)")
    ap.add_argument("--sdr-weight", type=float, default=0.0, metavar="W",
                    help="add W x band_sdr_loss (minus each crop's SDR in dB from the band gains, "
                         "weighted by the noisy band energies; validation logs it apart; 0: off)")
    ap.add_argument("--int8-aware", action="store_true",
                    help="single process: train and validate through the export's int8 grid "
                         "(model.forward_int8, straight-through gradients), so the loss logged "
                         "and chosen on is the shipped int8 network's")
    ap.add_argument("--ema", type=float, default=0.0,
                    help="keep a moving average of the weights with this decay per step "
                         "(e.g. 0.999) and validate, choose and export it (0: off)")
    ap.add_argument("--level-aug-db", type=float, default=0.0,
                    help="each crop made up to ±this many dB louder or quieter (exact, in "
                         "feature space; 0: off)")
    ap.add_argument("--refresh-minutes", type=float, default=0.0,
                    help="single process: every this many minutes, load shards that appeared "
                         "in the cache since (a growing cache; 0: never)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--val-every", type=int, default=1000, help="steps between validations")
    ap.add_argument("--val-frames", type=int, default=300_000,
                    help="validation frames used (0: all)")
    ap.add_argument("--val-batch", type=int, default=16)
    ap.add_argument("--log-every", type=int, default=50)
    ap.add_argument("--ckpt-minutes", type=float, default=5.0)
    ap.add_argument("--threads", type=int, default=None,
                    help="torch threads per process (default: cores / local processes)")
    return ap.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_world = int(os.environ.get("LOCAL_WORLD_SIZE", str(world)))
    if world > 1:
        dist.init_process_group("gloo")
    torch.set_num_threads(args.threads or max(1, (os.cpu_count() or 2) // local_world))
    if args.batch % world:
        raise SystemExit(f"--batch {args.batch} is not divisible by the {world} processes")
    if args.refresh_minutes and world > 1:
        raise SystemExit("--refresh-minutes works in a single process only")
    if args.int8_aware and world > 1:
        raise SystemExit("--int8-aware works in a single process only")
    run = args.run or Path(__file__).resolve().parents[2] / "runs" / args.size   # gitignored
    run.mkdir(parents=True, exist_ok=True)
    main_rank = rank == 0

    # data: each rank loads its share of the shards when there are enough of them
    train_shards = find_shards(args.cache, "train")
    val_shards = find_shards(args.cache, "val")
    if not train_shards:
        raise SystemExit(f"no training shards under {args.cache} (train/*.npz or train*.npz)")
    mine = train_shards[rank::world] if len(train_shards) >= world else train_shards
    row_filter = None
    if args.drop_reference_bak:
        from percepnet_train.reference_mask import RowFilter
        row_filter = RowFilter(args.reference_quality, args.drop_reference_bak)
    tset = SequenceSet(mine, target_floor=args.target_floor, row_filter=row_filter)
    vmine = val_shards[rank::world] if len(val_shards) >= world else (
        val_shards if main_rank else [])
    vset = SequenceSet(vmine, target_floor=args.target_floor) if vmine else None
    data_hash = manifest_sha256(args.cache, args.audio_root or default_audio_root())

    ckpt_path, best_path = run / "ckpt_latest.pt", run / "ckpt_best.pt"
    ckpt = torch.load(ckpt_path, map_location="cpu", weights_only=False) \
        if ckpt_path.is_file() else None
    cfg = ModelConfig(**ckpt["config"]) if ckpt else ModelConfig.named(args.size)
    if ckpt and ckpt["config"] != ModelConfig.named(args.size).to_dict() and args.size in (
            "tiny", "small", "base"):
        raise SystemExit(f"{ckpt_path} is a different model size than --size {args.size}")
    torch.manual_seed(args.seed)
    model = PercepNet(cfg)
    init_model = None
    if args.init and (not ckpt or args.anchor_weight):
        init_model, init = load_model(args.init)   # a weights.npz: int8 dequantised
        if init["config"] != cfg.to_dict():       # a smaller network: widened, same function
            try:
                init_model = widen(init_model, cfg, seed=args.seed)
            except ValueError as err:
                raise SystemExit(f"--init {args.init} does not fit --size {args.size}: {err}")
    if args.anchor_weight and init_model is None:
        raise SystemExit("--anchor-weight needs --init (the weights to stay near)")
    anchors = anchor_pairs(model, init_model) if args.anchor_weight else []
    if ckpt:
        model.load_state_dict(ckpt["model"])
    elif args.init:
        model.load_state_dict(init_model.state_dict())
    else:
        s, ss, n = tset.moments()
        t = torch.tensor(np.concatenate([s, ss, [n]]), dtype=torch.float64)
        if world > 1:
            dist.all_reduce(t)
        mean = t[:NB_FEATURES] / t[-1]
        std = (t[NB_FEATURES:-1] / t[-1] - mean.square()).clamp_min(1e-6).sqrt()
        model.set_normalisation(mean.float(), std.float())
    # the moving average starts from the current weights (also when an older run resumes)
    ema = copy.deepcopy(model) if args.ema else None
    if ema is not None and ckpt and ckpt.get("ema"):
        ema.load_state_dict(ckpt["ema"])
    ddp = torch.nn.parallel.DistributedDataParallel(model) if world > 1 else model
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    step, best = 0, math.inf
    if ckpt:
        opt.load_state_dict(ckpt["optimizer"])
        step, best = ckpt["step"], ckpt.get("best_val_loss", math.inf)
        torch.set_rng_state(ckpt["torch_rng"])

    now = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    launcher = (f"torchrun --nproc_per_node={local_world} " if world > 1 else "python ")
    command = launcher + shlex.join(["-m", "percepnet_train.train", *(
        argv if argv is not None else sys.argv[1:])])
    commit = git_commit()
    if main_rank:
        info_path = run / "run.json"
        if ckpt and info_path.is_file():
            info = json.loads(info_path.read_text())
            info.setdefault("resumes", []).append(
                {"date": now, "step": step, "command": command, "git_commit": commit,
                 "world_size": world, "data_manifest_sha256": data_hash})
        else:
            info = {"command": command, "cwd": os.getcwd(), "seed": args.seed,
                    "data_manifest_sha256": data_hash, "git_commit": commit, "date": now,
                    "world_size": world, "args": {k: str(v) for k, v in vars(args).items()},
                    "config": cfg.to_dict(), "n_weights": count_weights(model),
                    "torch_version": torch.__version__, "train_frames_rank0": tset.frames,
                    "val_frames_rank0": vset.frames if vset else 0,
                    "reference_filter": dict(row_filter.counts) if row_filter else None}
        info_path.write_text(json.dumps(info, indent=2) + "\n")
        print(f"[train] {run}: {cfg} {count_weights(model)} weights, step {step}, world {world},"
              f" {tset.frames} train frames on rank 0", flush=True)
        if row_filter:
            print(f"[train] reference filter (BAK < {args.drop_reference_bak}): "
                  f"{json.dumps(row_filter.counts)}", flush=True)
    run_meta = {"command": command, "seed": args.seed, "data_manifest_sha256": data_hash,
                "git_commit": commit}

    stop = {"flag": False}

    def on_signal(signum, frame):
        stop["flag"] = True
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    def checkpoint(val_loss=None, best_too=False):
        if not main_rank:
            return
        state = {"model": model.state_dict(), "optimizer": opt.state_dict(), "step": step,
                 "config": cfg.to_dict(), "best_val_loss": best, "val_loss": val_loss,
                 "torch_rng": torch.get_rng_state(),
                 "batch_rng": {"seed": args.seed, "derived_from": "(seed, rank, step)"},
                 "world_size": world, "run": run_meta}
        if ema is not None:
            state["ema"] = ema.state_dict()
        save_atomic(state, ckpt_path)
        if best_too:
            save_atomic(state, best_path)

    last_val = ckpt.get("val_loss") if ckpt else None
    per_rank = args.batch // world
    t_start = last_ckpt = last_refresh = time.time()
    acc = {}
    t_log, frames_log = time.time(), 0
    model.train()
    while step < args.steps:
        rng = np.random.default_rng([args.seed, rank, step])
        if args.refresh_minutes and time.time() - last_refresh > args.refresh_minutes * 60:
            last_refresh = time.time()
            shards = find_shards(args.cache, "train")
            if len(shards) > len(train_shards):
                tset = None                            # free it first: peak memory is one set
                train_shards, tset = shards, SequenceSet(shards, target_floor=args.target_floor,
                                                         row_filter=row_filter)
                data_hash = manifest_sha256(args.cache, args.audio_root or default_audio_root())
                run_meta["data_manifest_sha256"] = data_hash
                rec = {"step": step, "refresh": len(shards), "train_frames": tset.frames,
                       "data_manifest_sha256": data_hash}
                log(run, rec)
                print(f"[train] {json.dumps(rec)}", flush=True)
        b, mask = tset.batch(rng, per_rank, args.seq_len, args.level_aug_db)
        for group in opt.param_groups:
            group["lr"] = lr_at(step, args)
        b["gains"] = shape_gain_target(b["gains"], args.gain_target_power)
        g, r, v = forward_int8(model, b["features"]) if args.int8_aware else ddp(b["features"])
        weight = band_weights(b["features"], args.band_weight_db) if args.band_weight_db else None
        loss, parts = percepnet_loss(g, r, v, b["gains"], b["strengths"], b["vad"], mask,
                                     vad_weight=args.vad_weight, band_weight=weight)
        if args.sdr_weight:
            parts["sdr"] = band_sdr_loss(g, b["gains"], target_band_energies(b["features"]), mask)
            loss = loss + args.sdr_weight * parts["sdr"]
        if anchors:
            parts["anchor"] = anchor_penalty(anchors)
            loss = loss + args.anchor_weight * parts["anchor"]
        opt.zero_grad(set_to_none=True)
        loss.backward()
        gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(),
                                               args.grad_clip if args.grad_clip > 0 else math.inf)
        opt.step()
        model.clip_weights()
        if ema is not None:
            ema_update(ema, model, args.ema)
        step += 1
        frames_log += int(mask.sum())
        for k, val in (("loss", loss), *parts.items(), ("grad_norm", gnorm)):
            acc[k] = acc.get(k, 0.0) + float(val.detach())
        acc["n"] = acc.get("n", 0) + 1

        # all ranks agree on stopping and checkpointing
        elapsed = time.time() - t_start
        flags = torch.tensor([
            float(stop["flag"] or (args.hours is not None and elapsed > args.hours * 3600)
                  or (args.stop_at is not None and step >= args.stop_at)),
            float(time.time() - last_ckpt > args.ckpt_minutes * 60)])
        if world > 1:
            dist.all_reduce(flags, op=dist.ReduceOp.MAX)
        if main_rank and (step % args.log_every == 0 or step == args.steps):
            dt = time.time() - t_log
            rec = {"step": step, "lr": lr_at(step - 1, args), "time": round(elapsed, 1),
                   "frames_per_s": round(frames_log * world / max(dt, 1e-9), 1),
                   **{k: round(val / acc["n"], 6) for k, val in acc.items() if k != "n"}}
            log(run, rec)
            print(f"[train] {json.dumps(rec)}", flush=True)
            acc, t_log, frames_log = {}, time.time(), 0
        if step % args.val_every == 0 or step == args.steps:
            vrec = validate(ema if ema is not None else model, vset, args, world)
            last_val = vrec["val_loss"]
            improved = last_val is not None and last_val < best
            best = min(best, last_val) if last_val is not None else best
            if main_rank:
                log(run, {"step": step, **vrec, "best_val_loss": best})
                print(f"[val] step {step} {json.dumps(vrec)}", flush=True)
            checkpoint(last_val, improved)
            last_ckpt = time.time()
        elif flags[1] or flags[0]:
            checkpoint(last_val)
            last_ckpt = time.time()
        if flags[0]:
            if main_rank:
                print(f"[train] stopping at step {step} (checkpoint saved)", flush=True)
            break
    if world > 1:
        # DDP's reducer must be gone before its process group: destroyed after it (at
        # function exit), gloo's threads could abort the process ("terminate called
        # without an active exception"), seen under load.
        del ddp
        dist.barrier()
        dist.destroy_process_group()
    return 0


if __name__ == "__main__":
    code = main()
    if int(os.environ.get("WORLD_SIZE", "1")) > 1:
        # Every file is written and closed by now. A DDP process skips the interpreter's
        # teardown: gloo's C++ threads can still abort it there ("terminate called without
        # an active exception", seen once in CI after a clean destroy_process_group), and
        # torchrun would then report the whole run as failed.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)
