"""Which training rows have a target made from a noisy "clean" recording.

A gain target keeps whatever background the clean recording carries (hiss, hum, music under
game dialogue), so the network learns to keep it too. ``bench/reference_quality.py`` rates
every speaker group's clean recordings with DNSMOS (``docs/reference-quality.json``); this
module finds, for each cached training mixture, the rows whose target frame overlaps a clip
of a group rated below a BAK threshold, so that ``train --drop-reference-bak`` can leave
them out of the loss.

The clips of a mixture come from replaying its first random draws (``mixer.speech_clips``),
which reads only file lengths. The catalogue grew while this machine's cache was written
(``CATALOG_ERAS``: shards of seeds below 48640 drew from it without the flite voices, those
below 59328 without the festival voices), so every mixture is replayed against each era's
catalogue, its own era's first, and the one whose clip spans cover its voice activity (the
cached ``vad`` of the clean target) is taken; a mixture that no candidate explains is left
out entirely and counted.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np

from percepnet_train import mixer
from percepnet_wasm.constants import FRAME_SIZE, LOOKAHEAD_FRAMES

# (first seed, packages not yet in the catalogue) of each era of this machine's cache: the
# flite voices joined at seed 48640, the festival voices at 59328 (sessions 11 and 14)
CATALOG_ERAS = ((0, frozenset({"flite", "festival"})), (48640, frozenset({"festival"})),
                (59328, frozenset()))
MARGIN_ROWS = 2           # a 20 ms window and a room's early reflections reach this far
# (row t holds the targets of frame t - LOOKAHEAD_FRAMES: docs/INTERFACES.md)


def group_bak(path: Path, split: str = "train") -> dict[str, float]:
    """{speaker group: DNSMOS BAK of its clean recordings} from reference_quality's JSON."""
    groups = json.loads(Path(path).read_text())["splits"][split]["groups"]
    return {g: float(v["bak"]) for g, v in groups.items()}


def catalog_without(cat: mixer.Catalog, packages: set[str]) -> mixer.Catalog:
    """``cat`` as it was before ``packages`` joined it (same order of the other entries)."""
    out = copy.copy(cat)
    out.entries = {s: {k: [e for e in v if e.get("package") not in packages] for k, v in d.items()}
                   for s, d in cat.entries.items()}
    return out


def _span_rows(clips, rows: int) -> list[tuple[dict, int, int]]:
    """(entry, first row, end row) of each clip's target rows, widened by MARGIN_ROWS."""
    return [(e, max(a // FRAME_SIZE + LOOKAHEAD_FRAMES - MARGIN_ROWS, 0),
             min(-(-b // FRAME_SIZE) + LOOKAHEAD_FRAMES + MARGIN_ROWS, rows)) for e, a, b in clips]


def explains(spans: list[tuple[dict, int, int]], active: np.ndarray) -> bool:
    """Whether clip row spans fit voice activity ``active`` (bool (rows,)): no activity
    outside the spans, and some inside every span of 0.2 s or more (the pauses between
    clips are short, so the first condition alone rarely tells two draws apart)."""
    covered = np.zeros(active.shape[0], bool)
    for _, a, b in spans:
        covered[a:b] = True
        if b - a >= 20 + 2 * MARGIN_ROWS and not active[a:b].any():
            return False
    return not np.any(active & ~covered)


def mixture_rows_to_drop(seed: int, vad: np.ndarray, bak: dict[str, float], threshold: float,
                         catalogs: list[mixer.Catalog], seconds: float = 10.0) -> np.ndarray | None:
    """Bool (rows,): True where mixture ``seed``'s target comes from a group with BAK below
    ``threshold`` (groups missing from ``bak`` are kept). The first of ``catalogs`` whose
    clips explain the voice activity (``explains``) is taken; None when none does."""
    rows = vad.shape[0]
    for cat in catalogs:
        spans = _span_rows(mixer.speech_clips(seed, "train", seconds=seconds, cat=cat), rows)
        if explains(spans, vad > 0.5):
            drop = np.zeros(rows, bool)
            for e, a, b in spans:
                if bak.get(e["group"], np.inf) < threshold:
                    drop[a:b] = True
            return drop
    return None


class RowFilter:
    """``SequenceSet``'s ``row_filter``: for mixture (seed, vad) the bool rows to keep in the
    loss, or None (leave the mixture out). Rows of groups rated below ``threshold`` are
    dropped; ``counts`` tallies mixtures by catalogue and rows dropped."""

    def __init__(self, quality_json: Path, threshold: float, cat: mixer.Catalog | None = None,
                 seconds: float = 10.0):
        self.bak, self.threshold, self.seconds = group_bak(quality_json), threshold, seconds
        current = cat or mixer.catalog()
        self.eras = [(first, catalog_without(current, absent))
                     for first, absent in CATALOG_ERAS]
        self.counts = {"mixtures": 0, "unattributed": 0, "rows": 0, "rows_dropped": 0}

    def catalogs(self, seed: int) -> list[mixer.Catalog]:
        """Every era's catalogue, the one mixture ``seed`` was mixed from first."""
        own = max(i for i, (first, _) in enumerate(self.eras) if seed >= first)
        return [self.eras[own][1]] + [c for i, (_, c) in enumerate(self.eras) if i != own]

    def __call__(self, seed: int, vad: np.ndarray) -> np.ndarray | None:
        drop = mixture_rows_to_drop(seed, vad, self.bak, self.threshold, self.catalogs(seed), self.seconds)
        self.counts["mixtures"] += 1
        self.counts["rows"] += vad.shape[0]
        if drop is None:
            self.counts["unattributed"] += 1
            self.counts["rows_dropped"] += vad.shape[0]
            return None
        self.counts["rows_dropped"] += int(drop.sum())
        return ~drop
