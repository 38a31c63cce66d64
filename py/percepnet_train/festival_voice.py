"""Clean speech in six languages from Debian's ``festival`` voices, as train-only speech.

Session 14: the real speech holds few speakers, and the flite and piper voices speak only
English. Debian's ``festival`` (2.5, BSD-style) with eleven of its ``festvox-*`` voices adds
synthetic speakers of Czech, Catalan, Italian, Russian, Finnish and US English. ``fetch_data`` downloads the packages (``PACKAGES``, each cleared by
``../shared/tools/source-allowed``) and ``dpkg -x``-es them into one tree (``unpack_debs``);
``synthesize_festival_tree`` then runs the unpacked ``festival`` binary (``--libdir`` at the
tree's ``usr/share/festival``, ``LD_LIBRARY_PATH`` at the tree's libraries: ``libestools`` and
``RUNTIME_LIBRARIES``), one batch Scheme script per voice, writing ``tree/<voice>/NNNN.wav``:
int16 WAV at the voice's own sample rate (16 kHz for most, 22.05 kHz for the Finnish, 32 kHz for
three Czech voices and 44.1 kHz for czech_ph; ``fetch_data`` resamples to 48 kHz). Each voice
reads ``COUNT`` sentences (robotic TTS, used sparingly, ``/work/shared/DATA.md``), each at a
random speaking rate drawn from ``STRETCH`` (festival's ``Duration_Stretch``, 1 = the voice's own
rate; the HTS voice takes the engine's speed ``-r`` = 1/stretch; the Russian unit-selection voice
has no rate control and speaks at its own). ``tree/texts.json`` records each file's voice,
language, sentence and stretch. Files already there are kept, so an interrupted run resumes.

The text: the gettext translations (``usr/share/locale/<lang>/LC_MESSAGES/*.mo``) of ONE
Debian package, ``TEXT_PACKAGE`` (``evolution-common``, the Evolution mail client's messages,
LGPL), which ``fetch_data`` downloads too, so a fresh machine reads the same text.
``mo_sentences`` keeps the translated strings that are plain sentences in the language's own
script (letters, spaces and basic punctuation only: no quotation marks or brackets, format
specifiers, markup, paths, digits or mnemonics; 4-25 words, 20-200 characters, ending in ``.!?``; a capital first letter
in Latin and Cyrillic script; untranslated strings dropped), sorted and shuffled with ``SEED``;
voices of one language read disjoint slices. The English voice (``ked_diphone``) reads the
standard-library docstring sentences of ``tts_voice.sentences`` after those piper and flite
read, so no text repeats.

Voices (``VOICES``; licences from each package's Debian copyright file, ``LICENCE``):
czech_dita, czech_krb, czech_machac (GPL-3+; adult female, child male, adult male) and czech_ph
(GPL-2+, male), diphone voices with ``festival-czech``'s rules (GPL-2+); upc_ca_ona_hts
(Catalan, female, HTS, LGPL-2.1+); lp_diphone (female) and pc_diphone (male) (Italian, GPL-2+);
msu_ru_nsh_clunits (Russian, male, unit selection, BSD-like); suo_fi_lj_diphone (female) and
hy_fi_mv_diphone (male) (Finnish, LGPL-2+); ked_diphone (US English, male, BSD-style). Left
out: hindi_, marathi_ and telugu_NSK_diphone (festvox-hi/mr/te-nsk), one male speaker's diphone
database under three languages' rules, recorded with a steady low-frequency hum about 25 dB
below the speech, which every target would keep (docs/training.md, session 12: the network
learns to keep a reference's background). The Czech
voice files name their diphone databases under ``/usr/share/festival``; the script defines those
paths first (``defvar`` keeps them), and runs festival in ``usr/share/festival`` so that
``czech.scm`` finds its lexicon in ``.``.
"""
from __future__ import annotations

import json
import os
import struct
import subprocess
import unicodedata
from pathlib import Path
from typing import NamedTuple

import numpy as np

from percepnet_train import tts_voice

SEED = 20261204
COUNT = 120                      # sentences per voice (robotic TTS: use sparingly)
STRETCH = (0.85, 1.2)            # festival's Duration_Stretch (1 = the voice's own rate)
TEXT_PACKAGE = "evolution-common"


class Voice(NamedTuple):
    name: str          # festival's voice name (``(voice_<name>)``), and the tree's folder
    package: str       # the Debian package holding it
    language: str      # ISO 639-1 code: which .mo catalogue it reads ("en": docstrings)
    encoding: str      # the byte encoding its lexicon and letter rules expect
    rate: str | None   # how its speaking rate is set: "duration", "hts" or None (fixed)


VOICES = (
    Voice("czech_dita", "festvox-czech-dita", "cs", "iso-8859-2", "duration"),
    Voice("czech_krb", "festvox-czech-krb", "cs", "iso-8859-2", "duration"),
    Voice("czech_machac", "festvox-czech-machac", "cs", "iso-8859-2", "duration"),
    Voice("czech_ph", "festvox-czech-ph", "cs", "iso-8859-2", "duration"),
    Voice("upc_ca_ona_hts", "festvox-ca-ona-hts", "ca", "iso-8859-15", "hts"),
    Voice("lp_diphone", "festvox-italp16k", "it", "iso-8859-1", "duration"),
    Voice("pc_diphone", "festvox-itapc16k", "it", "iso-8859-1", "duration"),
    Voice("msu_ru_nsh_clunits", "festvox-ru", "ru", "utf-8", None),
    Voice("suo_fi_lj_diphone", "festvox-suopuhe-lj", "fi", "iso-8859-1", "duration"),
    Voice("hy_fi_mv_diphone", "festvox-suopuhe-mv", "fi", "iso-8859-1", "duration"),
    Voice("ked_diphone", "festvox-kdlpc16k", "en", "ascii", "duration"),
)
# The synthesiser, its libraries, the language rules and lexicons the voices load, the voices.
# Shared libraries the festival binary links that a minimal Debian lacks: libpulse-simple (audio
# output, never used here) and what it pulls in. Unpacked into the same tree; each cleared by
# ../shared/tools/source-allowed (session 17, a new machine without them).
RUNTIME_LIBRARIES = ("libpulse0", "libsndfile1", "libasyncns0", "libflac12", "libvorbis0a", "libvorbisenc2",
                     "libopus0", "libogg0", "libmpg123-0", "libmp3lame0")
PACKAGES = (
    "festival", "libestools2.5", *RUNTIME_LIBRARIES,
    "festival-czech", "festival-ca", "festlex-ifd", "festlex-cmu", "festlex-poslex", "festvox-suopuhe-common",
    *(v.package for v in VOICES),
)
LICENCE = ("BSD-style (festival, festvox-kdlpc16k, festlex-cmu); GPL-3+ (festvox-czech-dita, "
           "-krb, -machac); GPL-2+ (festvox-czech-ph, festival-czech, festvox-italp16k, "
           "-itapc16k, festlex-ifd); "
           "LGPL-2.1+ (festvox-ca-ona-hts, festival-ca); BSD-like (festvox-ru); LGPL-2+ "
           "(festvox-suopuhe-*); text: LGPL (evolution-common's translations); Debian copyright "
           "files of each package")
_SCRIPT = dict(cs="LATIN", ca="LATIN", it="LATIN", fi="LATIN", ru="CYRILLIC")
# No quotation marks or brackets: the Italian letter-to-sound rules stop at « » (session 14).
_PUNCTUATION = set(" ,.;:!?'-")


def read_mo(data: bytes) -> dict[bytes, bytes]:
    """A GNU gettext ``.mo`` catalogue as ``{msgid: msgstr}`` (raw bytes; plural forms and
    contexts kept as gettext stores them, NUL- and EOT-separated)."""
    order = {0x950412de: "<", 0xde120495: ">"}.get(struct.unpack("<I", data[:4])[0])
    if order is None:
        raise ValueError("not a .mo file")
    n, keys, values = struct.unpack(order + "3I", data[8:20])
    out = {}
    for i in range(n):
        klen, kpos = struct.unpack(order + "2I", data[keys + 8 * i:keys + 8 * i + 8])
        vlen, vpos = struct.unpack(order + "2I", data[values + 8 * i:values + 8 * i + 8])
        out[data[kpos:kpos + klen]] = data[vpos:vpos + vlen]
    return out


def plain_sentence(text: str, language: str, encoding: str = "utf-8") -> str | None:
    """``text`` with whitespace collapsed if it is a plain sentence of ``language``'s script
    (see the module docstring) that ``encoding`` can write, else None."""
    s = " ".join(text.split())
    if not (4 <= len(s.split()) <= 25 and 20 <= len(s) <= 200) or s[-1] not in ".!?":
        return None
    for c in s:
        if c in _PUNCTUATION:
            continue
        category = unicodedata.category(c)
        if category[0] not in "LM" or category[0] == "L" and _SCRIPT[language] not in unicodedata.name(c, ""):
            return None
    if _SCRIPT[language] in ("LATIN", "CYRILLIC") and not s[0].isupper():
        return None
    try:
        s.encode(encoding)
    except UnicodeEncodeError:
        return None
    return s


def mo_sentences(text_tree: Path, language: str, encoding: str = "utf-8", seed: int = SEED) -> list[str]:
    """Every distinct plain sentence of the ``language`` catalogues in the unpacked
    ``TEXT_PACKAGE`` tree, sorted and shuffled with ``seed``."""
    found: dict[str, None] = {}
    for mo in sorted(Path(text_tree).glob(f"usr/share/locale/{language}/LC_MESSAGES/*.mo")):
        for msgid, msgstr in read_mo(mo.read_bytes()).items():
            if not msgid or b"\0" in msgid or b"\4" in msgid or msgstr == msgid:
                continue                      # header, plurals, contexts, untranslated
            s = plain_sentence(msgstr.decode("utf-8", "replace"), language, encoding)
            if s:
                found[s] = None
    names = sorted(found)
    np.random.default_rng([seed, sum(map(ord, language))]).shuffle(names)
    return names


def festival_sentences(voice: Voice, text_tree: Path, count: int = COUNT) -> list[str]:
    """The sentences ``voice`` reads: a disjoint slice of its language's (``count``, or fewer
    where the catalogue holds fewer than ``count`` per voice of the language)."""
    same = [v.name for v in VOICES if v.language == voice.language]
    i = same.index(voice.name)
    if voice.language == "en":                 # after piper's and flite's docstring sentences
        start = tts_voice.COUNT + len(tts_voice.FLITE_VOICES) * tts_voice.FLITE_COUNT
        return tts_voice.sentences(start + len(same) * count)[start + i * count:start + (i + 1) * count]
    found = mo_sentences(text_tree, voice.language, voice.encoding)
    each = min(count, len(found) // len(same))
    return found[i * each:(i + 1) * each]


def unpack_debs(debs: list[Path], tree: Path) -> Path:
    """``dpkg -x`` every .deb into the one tree (festival finds voices, lexicons and language
    rules under one ``usr/share/festival``); a marker per .deb records it. Returns ``tree``."""
    marks = Path(tree) / ".unpacked"
    marks.mkdir(parents=True, exist_ok=True)
    for deb in debs:
        if not (marks / deb.name).exists():
            subprocess.run(["dpkg", "-x", str(deb), str(tree)], check=True)
            (marks / deb.name).touch()
    return Path(tree)


def _scheme_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _script(voice: Voice, libdir: Path, jobs: list[tuple[str, float, Path]]) -> str:
    """The batch Scheme script that reads ``jobs`` (text, stretch, output) with ``voice``."""
    lines = [f"(defvar czech-{n}-unisyn-index {_scheme_string(f'{libdir}/voices/czech/czech_{n}/group/{n}.group')})"
             for n in ("dita", "krb", "machac", "ph")]   # the voices hard-code /usr/share/festival
    lines.append(f"(voice_{voice.name})")
    if voice.rate == "hts":
        lines.append("(set! festival-voice-hts-params hts_engine_params)")
    for text, stretch, out in jobs:
        if voice.rate == "duration":
            lines.append(f"(Parameter.set 'Duration_Stretch {stretch:.4f})")
        elif voice.rate == "hts":
            lines.append(f"(set! hts_engine_params (cons (list \"-r\" {1 / stretch:.4f}) festival-voice-hts-params))")
        lines.append(f"(utt.save.wave (utt.synth (Utterance Text {_scheme_string(text)})) "
                     f"{_scheme_string(str(out))} 'riff)")
    return "\n".join(lines) + "\n"


def synthesize_festival_tree(tree: Path, festival_tree: Path, text_tree: Path, seed: int = SEED,
                             voices: tuple[Voice, ...] = VOICES, count: int = COUNT,
                             batch: int = 40) -> Path:
    """Write ``tree/<voice>/NNNN.wav`` (int16, the voice's rate) for every voice in ``voices``
    with ``festival_tree``'s ``usr/bin/festival`` (the packages unpacked by ``unpack_debs``),
    reading ``count`` ``festival_sentences`` each (the catalogues of the unpacked ``text_tree``); ``batch``
    sentences per festival process. Files already there are kept, so an interrupted run
    resumes. A sentence festival fails on is left out (a batch that fails is rerun one
    sentence at a time, and a rerun of the whole tree tries it again); a voice that reads no
    sentence at all raises.
    ``tree/texts.json`` records each written file's sentence and rate. Returns ``tree``."""
    festival_tree = Path(festival_tree).resolve()
    libdir = festival_tree / "usr/share/festival"
    libraries = sorted({str(p.parent) for p in festival_tree.glob("usr/lib/**/*.so*")})
    env = dict(os.environ, LD_LIBRARY_PATH=":".join(libraries))
    texts = []
    for voice in voices:
        k = [v.name for v in VOICES].index(voice.name)
        out = (Path(tree) / voice.name).resolve()
        out.mkdir(parents=True, exist_ok=True)
        rng = np.random.default_rng([seed, 3, k])
        jobs = []
        for i, text in enumerate(festival_sentences(voice, text_tree, count)):
            stretch = float(rng.uniform(*STRETCH))
            path = out / f"{i:04d}.wav"
            texts.append(dict(file=f"{voice.name}/{path.name}", voice=voice.name, language=voice.language,
                              text=text, duration_stretch=stretch if voice.rate else None))
            if not path.exists():
                jobs.append((text, stretch, path))
        script = out / "synthesize.tmp.scm"

        def run(part):
            script.write_bytes(_script(voice, libdir, [(t, s, p.with_suffix(".tmp.wav")) for t, s, p in part])
                               .encode(voice.encoding))
            result = subprocess.run([str(festival_tree / "usr/bin/festival"), "--libdir", str(libdir),
                                     "--datadir", str(libdir), "-b", str(script)],
                                    cwd=libdir, env=env, capture_output=True, timeout=120 + 20 * len(part))
            script.unlink()
            if result.returncode == 0:
                for _, _, path in part:
                    path.with_suffix(".tmp.wav").rename(path)
            return result

        failed = []
        for start in range(0, len(jobs), batch):
            part = jobs[start:start + batch]
            if run(part).returncode == 0:
                continue
            # A sentence the voice's text rules cannot read stops the whole batch: one by one,
            # leaving out those that fail (festival's errors go to stdout or stderr).
            failed += [result for result in (run([job]) for job in part) if result.returncode != 0]
        # a voice is broken when it reads nothing at all; on a rerun the jobs are only the
        # sentences left out before, which fail again
        if failed and not any(out.glob("[0-9][0-9][0-9][0-9].wav")):
            tail = (failed[-1].stdout + failed[-1].stderr).decode(errors="replace")[-2000:]
            raise RuntimeError(f"festival failed on voice {voice.name} (rc {failed[-1].returncode}): {tail}")
    texts = [t for t in texts if (Path(tree) / t["file"]).exists()]   # left out: unreadable text
    (Path(tree) / "texts.json").write_text(json.dumps(texts, indent=0, ensure_ascii=False) + "\n")
    return Path(tree)
