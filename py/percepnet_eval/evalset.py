"""Fixed, seeded evaluation mixtures from the held-out split of the audio cache.

The cache and its ``splits.json`` are written by ``percepnet_train.fetch_data``
(``~/.cache/percepnet-wasm/data``, env ``PERCEPNET_DATA`` overrides). Speakers and noise
files of the ``test`` split never appear in training.

``mixtures(n, snrs, seed=...)`` returns ``n`` clips; clip ``i`` has SNR ``snrs[i % len(snrs)]``,
speech from speaker group ``i``-th in a seeded round-robin over the test speakers, and noise
from a round-robin over noise types (``<category>:<package>`` for noise and typing, all music
pooled as one type), one type per block of ``len(snrs)`` clips, so every SNR sees every type
once ``n >= len(snrs) * n_types``. Clip ``i`` depends only on ``(seed, i)``.

Mixing uses ``percepnet_train.mixer.mix_at_snr`` (one definition of SNR for training and
evaluation). Speech from ``REFERENCE_EXCLUDED`` packages is not used as a reference: the
hedgewars voice packs are shouted, processed character voices (RNNoise and DFN3 score
-7 and -3 dB SI-SDR on them with no noise at all), so they would measure the reference,
not the systems.
"""
from __future__ import annotations

import json
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from percepnet_train.mixer import mix_at_snr

__all__ = ["Clip", "mixtures", "data_root", "NOISE_CATEGORIES"]

RATE = 48000
NOISE_CATEGORIES = ("noise", "typing", "music")
#: Peak of the noisy mixture after levelling (headroom for every system).
PEAK = 0.9
#: Speech level aimed at, dBFS RMS, unless the peak limit forces lower.
SPEECH_DBFS = -26.0
#: Packages whose speech is not a clean reference (see the module docstring).
REFERENCE_EXCLUDED = ("hedgewars-data",)


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


def _split(root, split):
    path = root / "splits.json"
    if not path.exists():
        raise FileNotFoundError(
            f"{path} not found: run `PYTHONPATH=py python -m percepnet_train.fetch_data` first")
    entries = json.loads(path.read_text())["splits"][split]
    speech, noise = {}, []
    for e in entries:
        if e.get("kept", True) is False:
            continue
        if e["category"] == "speech" and e["package"] not in REFERENCE_EXCLUDED:
            speech.setdefault(e["group"], []).append(e)
        elif e["category"] in NOISE_CATEGORIES:
            noise.append(e)
    if not speech or not noise:
        raise RuntimeError(f"split {split!r} in {path} has {len(speech)} speaker groups and "
                           f"{len(noise)} noise files; need at least one of each "
                           "(is fetch_data finished?)")
    for g in speech.values():
        g.sort(key=lambda e: e["id"])
    noise.sort(key=lambda e: e["id"])
    return speech, noise


def _order(items, seed, salt):
    rng = np.random.default_rng([seed, zlib.crc32(salt.encode())])
    return [items[i] for i in rng.permutation(len(items))]


def mixtures(n, snrs, *, seed=1234, split="test", seconds=(4.0, 8.0), root=None):
    """Build ``n`` seeded mixtures.

    Parameters
    ----------
    n : int, number of clips
    snrs : sequence of float, dB; clip i uses ``snrs[i % len(snrs)]``
    seed : int
    split : "test" | "val"
    seconds : (min, max) speech duration per clip, s; utterances of one speaker are
        joined with 0.15-0.4 s pauses until ``min`` is reached, then cut at ``max``.
    root : Path or None (default ``data_root()``)

    Yields
    ------
    Clip
    """
    root = Path(root) if root else data_root()
    speech, noise = _split(root, split)
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
        snr = float(snrs[i % len(snrs)])
        spk = speakers[i % len(speakers)]
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
        ntype = types[(i // len(snrs)) % len(types)] if len(types) > 1 else types[0]
        pool = by_type[ntype]
        ne = pool[(i // (len(snrs) * len(types))) % len(pool)]
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
