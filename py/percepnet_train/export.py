"""Export a training checkpoint to the runtime weights file (``percepnet_wasm/weights.npz``).

Weights become int8 with a float32 scale per output row (training clamps them to [-1/2, 1/2],
so a row's scale is at most 0.5/127); biases and the feature normalisation stay float32.
``--float`` writes float32 weights instead (for measuring the int8 loss). The file format
is documented in ``percepnet_wasm.model``; besides the file, ``<out>.sha256`` gets the
file's sha256 in ``sha256sum`` format.

Usage::

    python -m percepnet_train.export runs/NAME                    # best checkpoint -> package
    python -m percepnet_train.export runs/NAME --float --out /tmp/float.npz
    python -m percepnet_train.export runs/NAME --mix-with OLD.npz --mix 0.5 --out /tmp/half.npz

``--mix-with OTHER --mix L`` exports (1 - L) x the checkpoint's weights + L x OTHER's (a
checkpoint or weights file of the same network; ``interpolate``): a fine-tune taken part of
the way back towards the model it started from (weight-space ensembling, "WiSE-FT").

Only a trained model may be written into the package: the default output refuses a
checkpoint with no validation loss or fewer than ``MIN_SHIP_STEPS`` steps.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import json
import shlex
import sys
from pathlib import Path

import numpy as np
import torch

from percepnet_train.model import ModelConfig, PercepNet, count_weights
from percepnet_wasm.model import (DEFAULT_WEIGHTS, FORMAT, FORMAT_VERSION, arrays_sha256,
                                  layer_names)

MIN_SHIP_STEPS = 1000


def quantise_rows(w: np.ndarray):
    """int8 per-row quantisation of a 2-D matrix: ``w ≈ q * scale[:, None]``.

    Returns (q int8 (rows, cols), scale float32 (rows,)); all-zero rows get scale 1.
    """
    w = np.asarray(w, np.float32)
    peak = np.abs(w).max(axis=1)
    scale = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
    q = np.clip(np.rint(w / scale[:, None]), -127, 127).astype(np.int8)
    return q, scale


def file_params(model: PercepNet) -> dict:
    """The model's parameters under the weights-file names, float32, weights 2-D."""
    out = {}
    for name, p in model.state_dict().items():
        if name.startswith("norm_"):
            continue
        a = p.detach().cpu().numpy().astype(np.float32)
        key = name.replace("_l0", "")             # torch GRU "weight_ih_l0" -> "weight_ih"
        if a.ndim == 3:                           # conv (out, in, k) -> (out, in*k)
            a = a.reshape(a.shape[0], -1)
        out[key] = a
    return out


def load_file_params(model: PercepNet, params: dict) -> None:
    """Inverse of ``file_params``: copy weights-file arrays into a torch model (in place)."""
    state = model.state_dict()
    with torch.no_grad():
        for name, p in state.items():
            if name.startswith("norm_"):
                continue
            a = torch.from_numpy(np.asarray(params[name.replace("_l0", "")], np.float32))
            p.copy_(a.reshape(p.shape))


def git_commit(cwd=None) -> str:
    """HEAD commit of the repository (with ``-dirty`` if tracked files changed), or ``unknown``."""
    import subprocess
    cwd = cwd or Path(__file__).resolve().parent
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()
        return head + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def export_weights(model: PercepNet, out, *, quantise: bool = True, info: dict | None = None):
    """Write ``model`` to the weights file ``out``; returns the metadata dict.

    ``info`` supplies training metadata (step, val_loss, git_commit, data_manifest_sha256,
    ...); missing keys are recorded as None.
    """
    out = Path(out)
    cfg = model.cfg.to_dict()
    params = file_params(model)
    weights, biases = layer_names(cfg)
    if set(params) != set(weights) | set(biases):
        raise ValueError(f"model parameters {sorted(params)} do not match the file layout")
    arrays = {
        "norm_mean": model.norm_mean.detach().cpu().numpy().astype(np.float32),
        "norm_std": model.norm_std.detach().cpu().numpy().astype(np.float32),
    }
    for name in biases:
        arrays[name] = params[name]
    for name in weights:
        if quantise:
            arrays[f"{name}.q"], arrays[f"{name}.scale"] = quantise_rows(params[name])
        else:
            arrays[name] = params[name]
    info = dict(info or {})
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "quantisation": "int8-per-row" if quantise else "float32",
        "config": cfg,
        "n_weights": count_weights(model),
        "step": info.pop("step", None),
        "val_loss": info.pop("val_loss", None),
        "git_commit": info.pop("git_commit", None),
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "data_manifest_sha256": info.pop("data_manifest_sha256", None),
        "torch_version": torch.__version__,
        "export_git_commit": git_commit(),
        **info,
    }
    meta["arrays_sha256"] = arrays_sha256(arrays)
    arrays["metadata"] = np.array(json.dumps(meta, sort_keys=True))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp.npz")
    np.savez(tmp, **arrays)           # uncompressed: int8 barely compresses, loads fastest
    tmp.replace(out)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    out.with_suffix(".sha256").write_text(f"{digest}  {out.name}\n")
    return meta


def shipped_state(ckpt: dict) -> dict:
    """The weights a checkpoint stands for: the moving average when the run kept one
    (``--ema``), else the trained weights."""
    return ckpt.get("ema") or ckpt["model"]


def load_weights_file(path) -> tuple[PercepNet, dict]:
    """Model and metadata from a weights file that ``export_weights`` wrote (int8 rows are
    dequantised, ``q * scale``): the way back to torch when only the shipped file is left,
    e.g. to warm-start a run (``train --init weights.npz``) after its checkpoints were lost."""
    with np.load(path) as z:
        meta = json.loads(str(z["metadata"]))
        model = PercepNet(ModelConfig(**meta["config"]))
        weights, biases = layer_names(meta["config"])
        params = {name: z[name] for name in biases}
        for name in weights:
            params[name] = (z[name] if name in z.files
                            else z[f"{name}.q"].astype(np.float32) * z[f"{name}.scale"][:, None])
        load_file_params(model, params)
        model.set_normalisation(torch.from_numpy(z["norm_mean"]), torch.from_numpy(z["norm_std"]))
    return model, meta


def interpolate(model: PercepNet, other: PercepNet, amount: float) -> PercepNet:
    """``model`` with every parameter and buffer set to (1 - ``amount``) x its own +
    ``amount`` x ``other``'s (same config; ``amount`` in [0, 1])."""
    if model.cfg != other.cfg:
        raise ValueError(f"cannot mix {other.cfg} into {model.cfg}")
    if not 0.0 <= amount <= 1.0:
        raise ValueError(f"--mix must be in [0, 1], got {amount}")
    theirs = other.state_dict()
    model.load_state_dict({name: torch.lerp(value, theirs[name], amount) if value.is_floating_point()
                           else value for name, value in model.state_dict().items()})
    return model


def load_checkpoint(path) -> tuple[PercepNet, dict]:
    """Model and checkpoint dict from a checkpoint file or a run dir (best, else latest)."""
    path = Path(path)
    if path.is_dir():
        for name in ("ckpt_best.pt", "ckpt_latest.pt"):
            if (path / name).is_file():
                path = path / name
                break
        else:
            raise FileNotFoundError(f"no ckpt_best.pt or ckpt_latest.pt in {path}")
    ckpt = torch.load(path, map_location="cpu", weights_only=False)
    model = PercepNet(ModelConfig(**ckpt["config"]))
    model.load_state_dict(shipped_state(ckpt))
    ckpt["path"] = str(path)
    return model, ckpt


def load_model(path) -> tuple[PercepNet, dict]:
    """Model and its record from a weights file (``.npz``: ``load_weights_file``, the metadata)
    or a checkpoint file or run dir (``load_checkpoint``, the checkpoint dict); either record
    has ``config``, ``step`` and ``path``."""
    if Path(path).suffix == ".npz":
        model, meta = load_weights_file(path)
        return model, {**meta, "path": str(path)}
    return load_checkpoint(path)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m percepnet_train.export", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoint", help="checkpoint file, or run dir (uses ckpt_best.pt)")
    ap.add_argument("--out", type=Path, default=DEFAULT_WEIGHTS,
                    help=f"weights file to write (default: {DEFAULT_WEIGHTS})")
    ap.add_argument("--float", dest="quantise", action="store_false",
                    help="store float32 weights instead of int8")
    ap.add_argument("--force", action="store_true",
                    help="write into the package even if the checkpoint looks untrained")
    ap.add_argument("--mix-with", metavar="OTHER",
                    help="checkpoint or weights file of the same network to mix in (--mix)")
    ap.add_argument("--mix", type=float, metavar="L",
                    help="with --mix-with: export (1 - L) x the checkpoint + L x OTHER")
    args = ap.parse_args(argv)
    if (args.mix_with is None) != (args.mix is None):
        ap.error("--mix-with and --mix go together")
    model, ckpt = load_checkpoint(args.checkpoint)
    if args.mix_with:
        interpolate(model, load_model(args.mix_with)[0], args.mix)
    run = ckpt.get("run", {})
    if args.out.resolve() == DEFAULT_WEIGHTS.resolve() and not args.force:
        if ckpt.get("val_loss") is None or ckpt.get("step", 0) < MIN_SHIP_STEPS:
            sys.exit(f"refusing to ship {ckpt['path']} (step {ckpt.get('step')}, val_loss "
                     f"{ckpt.get('val_loss')}): only a trained model goes into the package")
    info = {
        "step": ckpt.get("step"),
        "val_loss": ckpt.get("val_loss"),
        "git_commit": run.get("git_commit"),
        "data_manifest_sha256": run.get("data_manifest_sha256"),
        "seed": run.get("seed"),
        "train_command": run.get("command"),
        "checkpoint": ckpt["path"],
        **({"mixed_with": args.mix_with, "mix": args.mix} if args.mix_with else {}),
        "export_command": shlex.join(["python", "-m", "percepnet_train.export",
                                      *(argv if argv is not None else sys.argv[1:])]),
    }
    meta = export_weights(model, args.out, quantise=args.quantise, info=info)
    print(f"wrote {args.out} ({meta['quantisation']}, {meta['n_weights']} weights, step "
          f"{meta['step']}, val_loss {meta['val_loss']}); sha256 in "
          f"{args.out.with_suffix('.sha256')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
