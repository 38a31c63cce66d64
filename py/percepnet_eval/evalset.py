"""Fixed, seeded evaluation mixtures from a held-out split of the audio cache.

The cache and its ``splits.json`` are written by ``percepnet_train.fetch_data``
(``~/.cache/percepnet-wasm/data``, env ``PERCEPNET_DATA`` overrides). Speakers and noise
files of the ``test`` split never appear in training; the ``holdout`` split is
leave-source-out: every file of the ``fetch_data.HOLDOUT_PACKAGES`` packages, whole
packages that training never sees.

``mixtures(n, snrs, seed=...)`` returns ``n`` clips in blocks of ``len(snrs)``: clip ``i`` has
SNR ``snrs[i % len(snrs)]``, and the clips of block ``b = i // len(snrs)`` share a noise type
(a round-robin over ``<category>:<package>`` for noise and typing, all music pooled as one
type) and a speaker (a seeded round-robin over the split's speakers, moved on by one more
after every full round of noise types, so a speaker is not tied to one type when the counts
share a factor). So every SNR sees every noise type once ``n >= len(snrs) * n_types`` and
every speaker once ``n >= len(snrs) * n_speakers``: a per-SNR table compares SNRs, not
speakers. (Until 2026-12-04 the speaker was ``i % n_speakers``; with 6 test speakers and 6
SNRs every SNR had one speaker of its own.) Clip ``i`` depends only on ``(seed, i)``.

Mixing uses ``percepnet_train.mixer.mix_at_snr`` (one definition of SNR for training and
evaluation). Speech from ``REFERENCE_EXCLUDED`` packages is not used as a reference: the
hedgewars voice packs are shouted, processed character voices (RNNoise and DFN3 score
-7 and -3 dB SI-SDR on them with no noise at all), so they would measure the reference,
not the systems. ``mixtures(..., speech_packages=REFERENCE_EXCLUDED)`` builds mixtures from
them alone, for a separate table.
"""
from __future__ import annotations

import json
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from percepnet_train.mixer import mix_at_snr

__all__ = ["Clip", "mixtures", "data_root", "packages_with_speech", "NOISE_CATEGORIES",
           "EVAL_SPLITS", "REFERENCE_EXCLUDED"]

RATE = 48000
NOISE_CATEGORIES = ("noise", "typing", "music")
#: Peak of the noisy mixture after levelling (headroom for every system).
PEAK = 0.9
#: Speech level aimed at, dBFS RMS, unless the peak limit forces lower.
SPEECH_DBFS = -26.0
#: Packages whose speech is not a clean reference (see the module docstring).
REFERENCE_EXCLUDED = ("hedgewars-data",)
#: Splits that evaluation may draw from (``train`` is refused: it would measure memory).
EVAL_SPLITS = ("val", "test", "holdout")


@dataclass
class Clip:
    index: int
    snr_db: float
    speech: str        # manifest id(s) of the speech, '+'-joined
    speaker: str       # speaker group
    noise: str         # manifest id of the noise
    noise_type: str    # "<category>:<package>", or "music"
    clean: np.ndarray  # float32 (n,), 48 kHz
    noisy: np.ndarray  # float32 (n,)

    def meta(self):
        return {"index": self.index, "snr_db": self.snr_db, "speech": self.speech,
                "speaker": self.speaker, "noise": self.noise, "noise_type": self.noise_type,
                "seconds": round(len(self.clean) / RATE, 3)}


def data_root() -> Path:
    env = os.environ.get("PERCEPNET_DATA")
    return Path(env) if env else Path.home() / ".cache" / "percepnet-wasm" / "data"


def _load(root, entry):
    x = np.load(root / entry["path"])
    if x.dtype == np.int16:
        return x.astype(np.float32) / 32768.0
    return x.astype(np.float32)


def _entries(root, split):
    """The kept entries of ``split`` in ``root/splits.json``."""
    if split not in EVAL_SPLITS:
        raise ValueError(f"split must be one of {', '.join(EVAL_SPLITS)} (was {split!r})")
    path = root / "splits.json"
    if not path.exists():
        raise FileNotFoundError(
            f"{path} not found: run `PYTHONPATH=py python -m percepnet_train.fetch_data` first")
    splits = json.loads(path.read_text())["splits"]
    if split not in splits:
        raise RuntimeError(f"{path} has no {split!r} split (it has {', '.join(splits)}); "
                           "re-run fetch_data to rebuild the splits")
    return [e for e in splits[split] if e.get("kept", True) is not False]


def packages_with_speech(split="test", root=None):
    """The packages with speech in ``split`` (a set), excluded ones included."""
    root = Path(root) if root else data_root()
    return {e["package"] for e in _entries(root, split) if e["category"] == "speech"}


def _split(root, split, packages=None):
    speech, noise = {}, []
    for e in _entries(root, split):
        use = (e["package"] not in REFERENCE_EXCLUDED if packages is None
               else e["package"] in packages)
        if e["category"] == "speech" and use:
            speech.setdefault(e["group"], []).append(e)
        elif e["category"] in NOISE_CATEGORIES:
            noise.append(e)
    if not speech or not noise:
        which = f" of {', '.join(sorted(packages))}" if packages is not None else ""
        raise RuntimeError(f"split {split!r} in {root / 'splits.json'} has {len(speech)} "
                           f"speaker groups{which} and {len(noise)} noise files; need at "
                           "least one of each (is fetch_data finished?)")
    for g in speech.values():
        g.sort(key=lambda e: e["id"])
    noise.sort(key=lambda e: e["id"])
    return speech, noise


def _order(items, seed, salt):
    rng = np.random.default_rng([seed, zlib.crc32(salt.encode())])
    return [items[i] for i in rng.permutation(len(items))]


def mixtures(n, snrs, *, seed=1234, split="test", seconds=(4.0, 8.0), root=None,
             speech_packages=None):
    """Build ``n`` seeded mixtures.

    Parameters
    ----------
    n : int, number of clips
    snrs : sequence of float, dB; clip i uses ``snrs[i % len(snrs)]`` (speaker and noise
        per block of ``len(snrs)`` clips, see the module docstring)
    seed : int
    split : "test" | "val" | "holdout" (leave-source-out, see the module docstring)
    seconds : (min, max) speech duration per clip, s; utterances of one speaker are
        joined with 0.15-0.4 s pauses until ``min`` is reached, then cut at ``max``.
    root : Path or None (default ``data_root()``)
    speech_packages : collection of package names or None; None: speech of every package
        but ``REFERENCE_EXCLUDED``; else speech of these packages only (excluded ones too)

    Yields
    ------
    Clip
    """
    root = Path(root) if root else data_root()
    speech, noise = _split(root, split, speech_packages)
    speakers = _order(sorted(speech), seed, "speakers")
    # Round-robin over noise types first, then files, so types are spread over the clips.
    by_type = {}
    for e in _order(noise, seed, "noise"):
        # Music is one type (pooled over packages) so it does not outweigh real noise.
        key = "music" if e["category"] == "music" else f"{e['category']}:{e['package']}"
        by_type.setdefault(key, []).append(e)
    types = sorted(by_type)
    for i in range(n):
        rng = np.random.default_rng([seed, i])
        block = i // len(snrs)
        snr = float(snrs[i % len(snrs)])
        spk = speakers[(block + block // len(types)) % len(speakers)]
        utts = speech[spk]
        parts, ids, total = [], [], 0
        start = int(rng.integers(len(utts)))
        for k in range(len(utts) * 4):
            e = utts[(start + k) % len(utts)]
            x = _load(root, e)
            if parts:
                gap = np.zeros(int(rng.uniform(0.15, 0.4) * RATE), np.float32)
                parts.append(gap)
                total += len(gap)
            parts.append(x)
            ids.append(e["id"])
            total += len(x)
            if total >= seconds[0] * RATE:
                break
        clean = np.concatenate(parts)[: int(seconds[1] * RATE)]
        # 0.25 s of lead-in and tail so every system sees noise-only frames.
        pad = np.zeros(RATE // 4, np.float32)
        clean = np.concatenate([pad, clean, pad])
        ntype = types[block % len(types)]
        pool = by_type[ntype]
        ne = pool[(block // len(types)) % len(pool)]
        nz = _load(root, ne)
        if np.max(np.abs(nz)) == 0:
            raise RuntimeError(f"noise file {ne['id']} is silent")
        reps = -(-len(clean) // len(nz)) + 1
        nz = np.tile(nz, reps)
        off = int(rng.integers(len(nz) - len(clean) + 1))
        nz = nz[off:off + len(clean)]
        clean = clean.astype(np.float32)
        noisy = mix_at_snr(clean, nz.astype(np.float32), snr)
        # Level: speech at SPEECH_DBFS RMS, lowered if the mixture would peak above PEAK.
        rms = float(np.sqrt(np.mean(np.square(clean, dtype=np.float64)))) + 1e-12
        g = 10 ** (SPEECH_DBFS / 20) / rms
        g = min(g, PEAK / (float(np.max(np.abs(noisy))) + 1e-12))
        yield Clip(i, snr, "+".join(ids), spk, ne["id"], ntype,
                   (g * clean).astype(np.float32), (g * noisy).astype(np.float32))
