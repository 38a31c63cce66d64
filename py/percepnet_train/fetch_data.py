"""Fetch, decode and split the training audio allowed by ``/work/shared/DATA.md``.

Run ``PYTHONPATH=py python -m percepnet_train.fetch_data`` (root, after ``apt-get update``).
Every step is idempotent and resumable; a rerun only does what is missing.

Layout of the cache (``~/.cache/percepnet-wasm/data``, env ``PERCEPNET_DATA`` overrides)::

    debs/                  the downloaded .deb files
    pkgs/<package>/        their unpacked trees (``dpkg -x``); for the piper voice, the
                           sentences it read (``tts_voice``)
    pkgs/flite-voices/     the sentences flite's voices read (``tts_voice``)
    pkgs/festival/         festival and its voices, unpacked into one tree (``festival_voice``)
    pkgs/festival-voices/  the sentences festival's voices read (``festival_voice``)
    audio/<package>/<path inside the package>.npy   48 kHz mono int16, shape (n,)
    audio/<package>/<path inside the package>.json  provenance of that one file
    manifest.json          every kept file: package, version, file, licence, duration_s,
                           orig_rate, bandwidth_hz, category, group, sha1
    splits.json            {"splits": {"train"|"val"|"test": [manifest entries]}}

Categories: ``speech`` (clean speech), ``noise`` (real noise and effects), ``music``,
``typing`` (bucklespring key presses). ``group`` is the speaker or recording (speech) or
the file (noise, music; for typing the key, so press and release stay together). Splits
are by group, seeded and fixed, per (package, category): 80/10/10 % of the duration.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import re
import subprocess
import sys
import zlib
from math import gcd
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly, welch

from percepnet_train import festival_voice, tts_voice, wheel_voices
from percepnet_wasm.constants import SAMPLE_RATE

# Noise and music added on 2026-12-03 (session 7), after the evaluation sets were fixed: every
# file goes to train, so val, test and holdout (and every table measured on them) stay as they
# were. Each was cleared by ../shared/tools/source-allowed.
TRAIN_ONLY_PACKAGES = (
    "supertuxkart-data", "wesnoth-1.16-data", "freeorion-data", "hydrogen-drumkits",
    "lmms-common", "frozen-bubble-data", "freeciv-data",
)
# Synthetic voices, written as a tree by tts_voice and then decoded like a package; all to
# train: a piper voice from PyPI (session 8), four voices of Debian's flite (session 11),
# eleven of Debian's festival in six languages (session 14).
TRAIN_ONLY_VOICES = (tts_voice.PACKAGE, "flite", "festival")
# Real speakers, one short clip each, from a PyPI wheel (session 18; ``wheel_voices``): all to
# train, so the evaluation sets stay as they were.
TRAIN_ONLY_SPEAKERS = (wheel_voices.PACKAGE,)
PACKAGES = (
    "tuxpaint-stamps-default", "fillets-ng-data-cs", "fillets-ng-data-nl", "hedgewars-data",
    "klettres-data", "ktuberling-data", "alsa-utils", "megaglest-data", "lincity-ng-data",
    "bucklespring-data", "tuxpaint", "sonic-pi-samples", "freedroidrpg-data",
    *TRAIN_ONLY_PACKAGES, *TRAIN_ONLY_VOICES, *TRAIN_ONLY_SPEAKERS,
)
AUDIO_EXTENSIONS = (".ogg", ".wav", ".flac", ".opus", ".mp3")
MIN_SECONDS = 0.5                # shorter clips are dropped (typing clicks excepted)
SPLIT_FRACTIONS = {"train": 0.8, "val": 0.1, "test": 0.1}
SPLIT_SEED = 20240607            # fixed: changing it reshuffles every split
# Leave-source-out: every file of these packages goes to the "holdout" split, never trained
# on, so evaluation has whole sources (recording set-ups, voices, noise kinds) unseen.
HOLDOUT_PACKAGES = ("lincity-ng-data", "fillets-ng-data-nl")
# Packages that share speakers: one split source, grouped by language across them.
SHARED_SPEAKERS = {"klettres-data": "kde", "ktuberling-data": "kde"}


def data_root() -> Path:
    """Cache directory: ``$PERCEPNET_DATA`` or ``~/.cache/percepnet-wasm/data``."""
    env = os.environ.get("PERCEPNET_DATA")
    return Path(env) if env else Path.home() / ".cache" / "percepnet-wasm" / "data"


# ---------------------------------------------------------------- download and unpack
SOURCE_ALLOWED = Path(__file__).resolve().parents[3] / "shared" / "tools" / "source-allowed"


def source_allowed(package: str) -> str:
    """The answer of ``../shared/tools/source-allowed`` for a package (some are reserved for
    independent evaluation); "not checked (tool absent)" where the tool is not installed."""
    if not SOURCE_ALLOWED.is_file():
        return "not checked (tool absent)"
    out = subprocess.run([str(SOURCE_ALLOWED), package], capture_output=True, text=True)
    return out.stdout.strip().removeprefix(f"{package}: ") or out.stderr.strip()



def download(package: str, debs: Path) -> Path | None:
    """``apt-get download`` one package into ``debs``; returns the .deb or None on failure."""
    debs.mkdir(parents=True, exist_ok=True)
    found = sorted(debs.glob(f"{package}_*.deb"))
    if not found:
        result = subprocess.run(["apt-get", "download", package], cwd=debs,
                                capture_output=True, text=True)
        if result.returncode != 0:
            print(f"  download of {package} failed: {result.stderr.strip()}", flush=True)
            return None
        found = sorted(debs.glob(f"{package}_*.deb"))
    return found[-1] if found else None


def unpack(deb: Path, package: str, pkgs: Path) -> Path:
    """``dpkg -x`` a .deb into ``pkgs/<package>`` once (a ``.done`` marker records it)."""
    tree = pkgs / package
    marker = pkgs / f"{package}.done"
    if not marker.exists():
        tree.mkdir(parents=True, exist_ok=True)
        subprocess.run(["dpkg", "-x", str(deb), str(tree)], check=True)
        marker.touch()
    return tree


def deb_version(deb: Path) -> str:
    """Version field of a .deb."""
    return subprocess.run(["dpkg-deb", "-f", str(deb), "Version"], check=True,
                          capture_output=True, text=True).stdout.strip()


def package_licence(tree: Path, package: str) -> str:
    """Distinct ``License:`` names of the package's Debian copyright file, ``; ``-joined."""
    copyright_file = tree / "usr" / "share" / "doc" / package / "copyright"
    if not copyright_file.exists():
        return "unknown (no copyright file)"
    names = re.findall(r"^License:\s*(\S.*)$", copyright_file.read_text(errors="replace"), re.M)
    return "; ".join(dict.fromkeys(n.strip() for n in names)) or "see copyright file"


# ---------------------------------------------------------------- what each file is
# Voices among sound effects (death cries, grunts, spoken lines): left out of the noise set.
_VOCAL = re.compile(r"(-die|-hit|laugh|groan|ugg|wail|shriek|growl|speech|scream|^ugh$|^wee$|"
                    r"^hot$|_pa$)", re.I)
_LANG_SUFFIX = re.compile(r"_[a-z]{2,3}(_[a-z]{2})?$")
_TRAILING_NUMBER = re.compile(r"[\s_\-.]*\d+$")


def file_group(rel: str) -> str:
    """Group of a noise or music file: its path with trailing numbers dropped from the stem,
    so that takes of one recording (``Monument1``, ``Monument2`` ...) stay in one split."""
    folder, _, name = rel.rpartition("/")
    stem = _TRAILING_NUMBER.sub("", name.split(".", 1)[0]) or name
    return f"{folder}/{stem}"


def kde_speaker(parts: list[str], anchor: str) -> str:
    """klettres and ktuberling record the same voices per language: group by language."""
    return "kde:" + parts[parts.index(anchor) + 1].split("_")[0]


def classify(package: str, rel: str) -> tuple[str, str] | None:
    """Category and group of one audio file, or None to leave it out.

    ``rel`` is the path inside the package tree (posix). Spoken words that are not clean
    speech recordings (e.g. tuxpaint's spoken digits, game units' voices) are left out
    rather than used as noise: speech in the noise set teaches the model to remove speech.
    """
    name = rel.rsplit("/", 1)[-1]
    stem = name.split(".", 1)[0]
    parts = rel.split("/")
    if package == "tuxpaint-stamps-default":
        m = re.search(r"_desc(?:_([A-Za-z]{2,3}(?:_[A-Za-z]{2})?))?$", stem)
        if m:
            return "speech", f"tuxpaint-stamps:{m.group(1) or 'en'}"
        if "/symbols/" in rel or _LANG_SUFFIX.search(stem.lower()):
            return None
        return "noise", rel
    if package.startswith("fillets-ng-data-"):
        level, lang = parts[-3], parts[-2]
        tokens = stem.split("-")
        who = tokens[1] if len(tokens) > 2 and tokens[1].isalpha() else level
        return "speech", f"fillets-{lang}:{who}"
    if package == "hedgewars-data":
        if "/voices/" in rel:
            return "speech", f"hedgewars:{parts[parts.index('voices') + 1]}"
        if "/Music/" in rel:
            return "music", rel
        return "noise", rel
    if package == "klettres-data":
        return "speech", kde_speaker(parts, "klettres")
    if package == "ktuberling-data":
        return "speech", kde_speaker(parts, "sounds")
    if package == "alsa-utils":
        return ("noise", rel) if stem == "Noise" else ("speech", "alsa-utils")
    if package == "megaglest-data":
        if "/units/" in rel or re.search(r"_die\d*$", stem):   # unit voices, death screams
            return None
        return ("music", rel) if "/music/" in rel else ("noise", rel)
    if package == "lincity-ng-data":
        return ("music", rel) if "/music/" in rel else ("noise", rel)
    if package == "bucklespring-data":
        return "typing", f"bucklespring:{stem.split('-')[0]}"
    if package == "sonic-pi-samples":
        return ("noise", rel) if stem.startswith("ambi_") else ("music", rel)
    if package == "freedroidrpg-data":
        if "/voice_samples/" in rel or "/tux_ingame_comments/" in rel or "/titles/" in rel:
            return None
        return ("music", rel) if "/music/" in rel else ("noise", rel)
    if package == "tuxpaint":
        return "noise", rel
    if package in TRAIN_ONLY_PACKAGES:
        return _classify_effects(package, rel, stem)
    if package == wheel_voices.PACKAGE:
        return "speech", f"{package}:{stem}"
    if package in TRAIN_ONLY_VOICES:
        return None if ".tmp." in name else ("speech", f"{package}:{parts[0]}")
    raise ValueError(f"no classification rule for package {package!r}")


def _classify_effects(package: str, rel: str, stem: str) -> tuple[str, str] | None:
    """Sound effects and music of the game and music packages in ``TRAIN_ONLY_PACKAGES``."""
    if _VOCAL.search(stem) or stem == "intro2":        # intro2: a cutscene, maybe with lines
        return None
    music = (
        "/music/" in rel or "/stdmusic/" in rel or "zik" in stem
        or stem.startswith("artificial_intelligence")             # freeorion's one tune
        or (package == "supertuxkart-data" and "/tracks/" in rel and stem[0].isupper())
        or stem == "beneath_the_rabbit_hole"
        or (package == "lmms-common" and not re.search(r"/(drums|effects|misc|latin)/", rel)))
    return ("music" if music else "noise"), rel


# ---------------------------------------------------------------- decoding
def decode(path: Path) -> tuple[np.ndarray, int, int]:
    """Read a file as float64 mono at 48 kHz. Returns (samples (n,), original rate, channels).

    soundfile (libsndfile >= 1.2) reads every file of these packages (ogg, opus, flac, wav).
    """
    x, rate = sf.read(str(path), dtype="float64", always_2d=True)
    return _to_48k(x.mean(axis=1), rate), rate, x.shape[1]


def _to_48k(x: np.ndarray, rate: int) -> np.ndarray:
    if rate == SAMPLE_RATE:
        return x
    g = gcd(SAMPLE_RATE, rate)
    return resample_poly(x, SAMPLE_RATE // g, rate // g)


def bandwidth_hz(x: np.ndarray) -> float:
    """Highest frequency (Hz) whose long-term power is within 50 dB of the 0.3-4 kHz median.

    Tells full-band (> ~16 kHz) recordings from band-limited ones, whatever their file rate.
    """
    if len(x) < 2048:
        return 0.0
    f, p = welch(x, fs=SAMPLE_RATE, nperseg=1024)
    ref = np.median(p[(f >= 300) & (f <= 4000)])
    above = np.nonzero(p > ref * 1e-5)[0]
    return float(f[above[-1]]) if len(above) and ref > 0 else 0.0


def convert_one(job: dict) -> dict | None:
    """Decode one file to ``job['npy']`` (+ its .json sidecar); returns the manifest entry.

    Skips the work if the sidecar already exists. Returns None for dropped files.
    """
    npy, meta_path = Path(job["npy"]), Path(job["npy"]).with_suffix(".json")
    if meta_path.exists():                   # decoded before; the classification may be newer
        meta = json.loads(meta_path.read_text())
        meta.update(category=job["category"], group=job["group"])
        return meta if meta["kept"] else None
    meta = {k: job[k] for k in ("id", "package", "version", "file", "licence", "category", "group")}
    try:
        x, rate, channels = decode(Path(job["src"]))
    except Exception as err:  # noqa: BLE001 - one bad file must not stop the run
        print(f"  cannot decode {job['src']}: {err}", flush=True)
        return None
    duration = len(x) / SAMPLE_RATE
    peak = float(np.max(np.abs(x))) if len(x) else 0.0
    kept = peak > 1e-4 and (duration >= MIN_SECONDS or meta["category"] == "typing")
    meta.update(kept=kept, duration_s=round(duration, 4), orig_rate=rate, channels=channels)
    if kept:
        pcm = np.round(np.clip(x, -1.0, 32767 / 32768) * 32768).astype(np.int16)
        npy.parent.mkdir(parents=True, exist_ok=True)
        tmp = npy.with_suffix(".tmp.npy")
        np.save(tmp, pcm)
        tmp.rename(npy)
        # resampling leaks a little above the original Nyquist: cap the estimate there
        meta.update(path=str(npy.relative_to(job["root"])),
                    bandwidth_hz=min(bandwidth_hz(x), rate / 2),
                    peak=round(peak, 4), sha1=hashlib.sha1(pcm.tobytes()).hexdigest())
    npy.parent.mkdir(parents=True, exist_ok=True)
    meta_path.write_text(json.dumps(meta))
    return meta if kept else None


# ---------------------------------------------------------------- splits
def make_splits(entries: list[dict]) -> dict[str, list[dict]]:
    """Assign whole groups to train/val/test, per (source, category), by duration.

    A source is a package, or one name for packages that share speakers
    (``SHARED_SPEAKERS``). Noise and music are grouped by ``file_group``. Groups are
    shuffled with a seed derived from ``SPLIT_SEED`` and the source name, then each goes to
    the split furthest below its target share of the source's duration. Every file of a
    ``HOLDOUT_PACKAGES`` package goes to ``holdout``, every file of a ``TRAIN_ONLY_PACKAGES``,
    ``TRAIN_ONLY_VOICES`` or ``TRAIN_ONLY_SPEAKERS`` package to ``train``.
    """
    splits: dict[str, list[dict]] = {name: [] for name in (*SPLIT_FRACTIONS, "holdout")}
    sources: dict[tuple[str, str], dict[str, list[dict]]] = {}
    for e in entries:
        if e["package"] in HOLDOUT_PACKAGES:
            splits["holdout"].append(e)
            continue
        if e["package"] in TRAIN_ONLY_PACKAGES + TRAIN_ONLY_VOICES + TRAIN_ONLY_SPEAKERS:
            splits["train"].append(e)
            continue
        group = file_group(e["file"]) if e["category"] in ("noise", "music") else e["group"]
        source = SHARED_SPEAKERS.get(e["package"], e["package"])
        sources.setdefault((source, e["category"]), {}).setdefault(group, []).append(e)
    for (package, category), groups in sorted(sources.items()):
        seed = zlib.crc32(f"{SPLIT_SEED}:{package}:{category}".encode())
        names = sorted(groups)
        np.random.default_rng(seed).shuffle(names)
        total = sum(e["duration_s"] for g in names for e in groups[g])
        assigned = dict.fromkeys(SPLIT_FRACTIONS, 0.0)
        for g in names:
            split = max(SPLIT_FRACTIONS, key=lambda s: SPLIT_FRACTIONS[s] * total - assigned[s])
            assigned[split] += sum(e["duration_s"] for e in groups[g])
            splits[split].extend(groups[g])
    return splits


def dedupe(entries: list[dict]) -> list[dict]:
    """Drop files whose decoded samples repeat an earlier file's (games ship copies)."""
    seen: set[str] = set()
    kept = []
    for e in sorted(entries, key=lambda e: e["id"]):
        if e["sha1"] not in seen:
            seen.add(e["sha1"])
            kept.append(e)
    return kept


# ---------------------------------------------------------------- driver
def fetch(root: Path, packages: tuple[str, ...] = PACKAGES, workers: int = 2) -> dict:
    """Download, unpack and decode ``packages`` into ``root``; write manifest and splits.

    Returns a report ``{"failed": [...], "empty": [...], "files": n}``.
    """
    report: dict = {"failed": [], "empty": [], "files": 0}
    entries: list[dict] = []
    root.mkdir(parents=True, exist_ok=True)
    with multiprocessing.Pool(workers) as pool:
        for package in packages:
            print(f"{package}:", flush=True)
            allowed = source_allowed(package)
            if allowed.startswith("reserved"):
                print(f"  skipped: {allowed}", flush=True)
                report["failed"].append(package)
                continue
            if package == tts_voice.PACKAGE:
                tree = tts_voice.synthesize_tree(root / "pkgs" / package)
                version, licence = tts_voice.version(), tts_voice.LICENCE
            elif package == "flite":
                debs = [download(p, root / "debs") for p in tts_voice.FLITE_PACKAGES]
                if None in debs:
                    report["failed"].append(package)
                    continue
                binary, library = (unpack(d, p, root / "pkgs") for d, p in zip(debs, tts_voice.FLITE_PACKAGES))
                tree = tts_voice.synthesize_flite_tree(root / "pkgs" / "flite-voices",
                                                       binary / "usr/bin/flite", library)
                version, licence = deb_version(debs[1]), tts_voice.FLITE_LICENCE
            elif package == wheel_voices.PACKAGE:
                tree = wheel_voices.unpack_clips(root)
                version, licence = wheel_voices.VERSION, wheel_voices.LICENCE
            elif package == "festival":
                debs = [download(p, root / "debs") for p in festival_voice.PACKAGES]
                text_deb = download(festival_voice.TEXT_PACKAGE, root / "debs")
                if None in debs or text_deb is None:
                    report["failed"].append(package)
                    continue
                text = unpack(text_deb, festival_voice.TEXT_PACKAGE, root / "pkgs")
                tree = festival_voice.synthesize_festival_tree(
                    root / "pkgs" / "festival-voices",
                    festival_voice.unpack_debs(debs, root / "pkgs" / "festival"), text)
                version = f"{deb_version(debs[0])} (text: {festival_voice.TEXT_PACKAGE} {deb_version(text_deb)})"
                licence = festival_voice.LICENCE
            else:
                deb = download(package, root / "debs")
                if deb is None:
                    report["failed"].append(package)
                    continue
                tree = unpack(deb, package, root / "pkgs")
                version, licence = deb_version(deb), package_licence(tree, package)
            jobs = []
            for src in sorted(tree.rglob("*")):
                if src.suffix.lower() not in AUDIO_EXTENSIONS or not src.is_file():
                    continue
                rel = src.relative_to(tree).as_posix()
                kind = classify(package, rel)
                if kind is None:
                    continue
                jobs.append(dict(id=f"{package}/{rel}", package=package, version=version,
                                 file="/" + rel, licence=licence, category=kind[0],
                                 group=kind[1], src=str(src), root=str(root),
                                 npy=str(root / "audio" / package / (rel + ".npy"))))
            got = [dict(e, source_allowed=allowed)
                   for e in pool.imap_unordered(convert_one, jobs, chunksize=8) if e]
            print(f"  {len(got)} of {len(jobs)} audio files kept", flush=True)
            if not got:
                report["empty"].append(package)
            entries.extend(got)
    entries = dedupe(entries)
    report["files"] = len(entries)
    _write_json(root / "manifest.json", {"entries": entries})
    _write_json(root / "splits.json", {"seed": SPLIT_SEED, "fractions": SPLIT_FRACTIONS,
                                       "splits": make_splits(entries)})
    return report


def summary_markdown(root: Path, report: dict | None = None) -> str:
    """DATA_MANIFEST.md text: packages, licences, and hours per source and split."""
    entries = json.loads((root / "manifest.json").read_text())["entries"]
    splits = json.loads((root / "splits.json").read_text())["splits"]
    split_of = {e["id"]: s for s, es in splits.items() for e in es}
    lines = ["# Training audio: provenance and splits", "",
             "Generated by `PYTHONPATH=py python -m percepnet_train.fetch_data --summary "
             "py/percepnet_train/DATA_MANIFEST.md`; the audio itself is never committed. "
             "Per-file provenance (package, version, file, licence, rate, bandwidth) is in "
             "`manifest.json` of the data cache, the split lists in `splits.json`.", "",
             f"Splits: whole speakers/recordings (speech) or files (noise, music), seeded "
             f"({SPLIT_SEED}), {'/'.join(f'{int(v * 100)}' for v in SPLIT_FRACTIONS.values())} "
             "% of each source's duration to train/val/test; noise and music takes that differ "
             "only by a trailing number are one group, and klettres/ktuberling voices are "
             "grouped by language across both packages. Leave-source-out: every file of "
             f"{', '.join(HOLDOUT_PACKAGES)} is in `holdout`, never trained on. Clips under "
             f"{MIN_SECONDS} s and exact duplicates are dropped.", "",
             "## Packages", "", "| package | version | licence (Debian copyright) | "
             "`source-allowed` said |", "|---|---|---|---|"]
    packages = {e["package"]: e for e in entries}
    for name, e in sorted(packages.items()):
        lines.append(f"| {name} | {e['version']} | {e['licence']} | "
                     f"{e.get('source_allowed', 'not recorded')} |")
    if report and (report["failed"] or report["empty"]):
        lines += ["", f"Failed to download: {', '.join(report['failed']) or 'none'}. "
                  f"No usable audio: {', '.join(report['empty']) or 'none'}."]
    lines += ["", "## Hours per source and split (files / groups in brackets)", "",
              "| package | category | full-band h | train h | val h | test h | holdout h |",
              "|---|---|---|---|---|---|---|"]
    summary_splits = (*SPLIT_FRACTIONS, "holdout")
    table: dict[tuple[str, str], dict] = {}
    for e in entries:
        row = table.setdefault((e["package"], e["category"]), {"full": 0.0})
        cell = row.setdefault(split_of[e["id"]], [0.0, 0, set()])
        cell[0] += e["duration_s"] / 3600
        cell[1] += 1
        cell[2].add(e["group"])
        row["full"] += e["duration_s"] / 3600 if e["bandwidth_hz"] >= 16000 else 0.0
    totals: dict[tuple[str, str], float] = {}
    for (package, category), row in sorted(table.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        cells = []
        for split in summary_splits:
            h, files, groups = row.get(split, [0.0, 0, set()])
            totals[(category, split)] = totals.get((category, split), 0.0) + h
            cells.append(f"{h:.2f} ({files} / {len(groups)})")
        full = f"{row['full']:.2f}" if category == "speech" else ""
        lines.append(f"| {package} | {category} | {full} | " + " | ".join(cells) + " |")
    lines += ["", "| category | " + " | ".join(f"{s} h" for s in summary_splits) + " |",
              "|---|" + "---|" * len(summary_splits)]
    for category in sorted({c for c, _ in totals}):
        lines.append(f"| {category} | " + " | ".join(f"{totals.get((category, s), 0.0):.2f}"
                                                      for s in summary_splits) + " |")
    return "\n".join(lines) + "\n"


def _write_json(path: Path, obj: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(obj, indent=1))
    tmp.rename(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=None, help="cache dir (default: data_root())")
    parser.add_argument("--packages", nargs="*", default=list(PACKAGES))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--summary", type=Path, default=None, help="write a DATA_MANIFEST.md here")
    args = parser.parse_args(argv)
    root = args.root or data_root()
    report = fetch(root, tuple(args.packages), args.workers)
    print(json.dumps(report), flush=True)
    if args.summary:
        args.summary.write_text(summary_markdown(root, report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
