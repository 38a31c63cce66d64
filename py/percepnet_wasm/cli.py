"""Command line: ``percepnet-wasm enhance IN... OUT``, ``oracle ...`` and ``bench``.

Rates of 8 to 384 kHz and up to 8 channels in; mono out at the input's rate. ``enhance``
takes one file and an output file, or files and directories and an output directory (one
progress line per file on stderr; a bad file is reported and the rest are processed).
Errors are one line on stderr with a non-zero exit; an input is never overwritten, and an
output file appears only once it is complete. docs/bad-input.md lists every case.
"""
import argparse
import os
import sys
import time
from pathlib import Path

from .oracle import ORACLE_MODES

PROG = "percepnet-wasm"


class CliError(Exception):
    """A problem with the command as a whole (arguments, weights); one line, exit 1."""


def _make_denoiser(weights, attenuation_limit):
    """The ``enhance`` denoiser: trained weights from ``weights`` (None: the shipped file).

    Loaded once per command; each file starts from ``reset()``. Tests replace this function
    to run the file handling without trained weights.
    """
    from .denoiser import Denoiser
    from .model import Model

    if weights is not None and not Path(weights).is_file():
        raise CliError(f"no weights file at {weights}")
    try:
        model = Model.load(weights)
    except FileNotFoundError as exc:          # no shipped weights: Model says what to run
        raise CliError(str(exc)) from None
    except Exception as exc:                  # not an npz, wrong format version, bad hash
        raise CliError(f"cannot load weights {weights or 'shipped with the package'}: "
                       f"{' '.join(str(exc).split())}") from None
    try:
        return Denoiser(model, attenuation_limit_db=attenuation_limit)
    except ValueError as exc:
        raise CliError(str(exc)) from None


def _same_file(a, b):
    """True when paths ``a`` and ``b`` name one file (symlinks and hard links included)."""
    a, b = Path(a), Path(b)
    if a.resolve() == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:       # either does not exist
        return False


def _check_output(inputs, output):
    for path in inputs:
        if _same_file(path, output):
            raise CliError(f"refusing to overwrite the input {path}")


def _audio_suffixes():
    """Lower-case suffixes (with the dot) of the formats soundfile reads: what a directory yields."""
    import soundfile

    suffixes = {f".{fmt.lower()}" for fmt in soundfile.available_formats()} - {".raw"}  # headerless
    return suffixes | {".aif", ".oga", ".opus"}


def _plan(inputs, output):
    """Turn ``IN... OUT`` into (batch?, [(input, output, None or why it is refused)]).

    One input that is not a directory, and an ``OUT`` that is not a directory: file to
    file. Otherwise ``OUT`` is a directory (made if missing), each input file goes to
    ``OUT/<its name>``, and each input directory contributes its audio files (by suffix,
    hidden files skipped, not recursive).
    """
    inputs, output = [Path(p) for p in inputs], Path(output)
    if len(inputs) == 1 and not inputs[0].is_dir() and not output.is_dir():
        _check_output(inputs, output)
        return False, [(inputs[0], output, None)]
    if output.exists() and not output.is_dir():
        raise CliError(f"{output} is not a directory (several inputs or a directory need an "
                       f"output directory)")
    suffixes = _audio_suffixes()
    jobs, claimed = [], {}
    for given in inputs:
        if given.is_dir():
            if _same_file(given, output):
                raise CliError(f"refusing to write into the input directory {given}")
            files = sorted(f for f in given.iterdir() if f.is_file()
                           and not f.name.startswith(".") and f.suffix.lower() in suffixes)
            if not files:
                jobs.append((given, None, "no audio files in this directory"))
        else:
            files = [given]
        for src in files:
            dst = output / src.name
            if _same_file(src, dst):
                jobs.append((src, dst, "refusing to overwrite the input"))
            elif dst.resolve() in claimed:
                jobs.append((src, dst, f"same output name as {claimed[dst.resolve()]}"))
            else:
                claimed[dst.resolve()] = src
                jobs.append((src, dst, None))
    return True, jobs


def _enhance_file(denoiser, src, dst, vad_csv=None):
    """Denoise ``src`` into ``dst`` (and its per-frame speech probability into ``vad_csv``);
    returns seconds of audio. Raises AudioError."""
    import numpy as np

    from .audio_io import AudioError, output_format, read_audio, write_audio
    from .constants import FRAME_SIZE, SAMPLE_RATE
    from .denoiser import enhance

    output_format(dst)                       # fail before the work, not after it
    for path in (dst, vad_csv) if vad_csv else (dst,):
        if not path.parent.is_dir():
            raise AudioError(path, f"cannot write: no directory {path.parent}")
    x, rate, length = read_audio(src)
    denoiser.reset()
    vad = np.empty(-(-len(x) // FRAME_SIZE), np.float32) if vad_csv else None
    write_audio(dst, enhance(x, denoiser, vad=vad), rate, length=length)
    if vad_csv:
        _write_vad(vad_csv, vad)
    return len(x) / SAMPLE_RATE


def _write_vad(path, vad):
    """``time_s,probability`` per 10 ms frame (time: the frame's first sample), written whole or not at all."""
    from .constants import FRAME_SIZE, SAMPLE_RATE

    tmp = path.with_name(f".{path.name}.part")
    with open(tmp, "w") as f:
        f.write("time_s,probability\n")
        for k, p in enumerate(vad):
            f.write(f"{k * FRAME_SIZE / SAMPLE_RATE:.2f},{'' if p != p else f'{p:.4f}'}\n")
    os.replace(tmp, path)


def _enhance(args):
    from .audio_io import AudioError

    batch, jobs = _plan(args.inputs, args.output)
    if args.vad and batch:
        raise CliError("--vad takes one input file and one output file")
    if args.vad:
        _check_output(args.inputs, args.vad)
    denoiser = _make_denoiser(args.weights, args.attenuation_limit)
    if not batch:
        (src, dst, _), = jobs
        _enhance_file(denoiser, src, dst, vad_csv=Path(args.vad) if args.vad else None)
        return 0

    output = Path(args.output)
    if any(reason is None for _, _, reason in jobs):
        try:
            output.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CliError(f"cannot create the output directory {output} ({exc.strerror})") from None
    done = failed = 0
    for i, (src, dst, reason) in enumerate(jobs, 1):
        print(f"[{i}/{len(jobs)}] {src}{f' -> {dst}' if dst else ''} ... ", end="",
              file=sys.stderr, flush=True)
        start = time.perf_counter()
        if reason is None:
            try:
                seconds = _enhance_file(denoiser, src, dst)
            except AudioError as exc:
                reason = exc.reason
            except KeyboardInterrupt:
                print("interrupted", file=sys.stderr)
                raise
            except Exception as exc:      # a bug or MemoryError on one file: report, go on
                reason = f"{type(exc).__name__}: {' '.join(str(exc).split())}"
        if reason is None:
            done += 1
            print(f"ok ({seconds:.1f} s of audio in {time.perf_counter() - start:.1f} s)",
                  file=sys.stderr)
        else:
            failed += 1
            print(f"FAILED: {reason}", file=sys.stderr)
    print(f"{PROG}: {done} of {len(jobs)} enhanced into {output}"
          + (f"; {failed} failed" if failed else ""), file=sys.stderr)
    return 1 if failed else 0


def _oracle(args):
    from .audio_io import AudioError, read_audio, write_audio
    from .oracle import enhance_oracle

    _check_output([args.clean, args.noisy], args.output)
    clean, _, _ = read_audio(args.clean)
    noisy, rate, length = read_audio(args.noisy)
    if len(clean) != len(noisy):
        raise AudioError(args.noisy, f"differs in length from {args.clean} "
                         f"({len(noisy)} vs {len(clean)} samples at 48 kHz)")
    write_audio(args.output, enhance_oracle(clean, noisy, args.mode), rate, length=length)
    return 0


def _bench(args):
    from .bench import format_table, stage_times
    from .denoiser import Denoiser

    if args.dsp_only:
        denoiser = Denoiser(model=None)
    else:
        try:
            denoiser = Denoiser()
        except FileNotFoundError as exc:
            raise CliError(f"{exc} (use --dsp-only to time the DSP alone)") from None
    print(format_table(stage_times(denoiser, seconds=args.seconds)))
    return 0


def main(argv=None):
    """Run the command line; returns the exit status (0 when everything succeeded)."""
    from .audio_io import AudioError

    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser(
        "enhance", help="denoise files with the trained model",
        description="Denoise IN into OUT (a file), or files and directories into the directory "
                    "OUT (same names; made if missing).")
    p.add_argument("inputs", nargs="+", metavar="IN", help="audio file or directory")
    p.add_argument("output", metavar="OUT", help="output file, or directory for several inputs")
    p.add_argument("--weights", default=None, metavar="PATH",
                   help="weights file (default: the one shipped with the package)")
    p.add_argument("--attenuation-limit", type=float, default=None, metavar="DB",
                   help="remove at most this many dB of noise (default: no limit)")
    p.add_argument("--vad", default=None, metavar="CSV",
                   help="also write each 10 ms frame's speech probability: time_s,probability "
                        "(one input file only)")
    p.set_defaults(run=_enhance)
    p = commands.add_parser("oracle", help="enhance with oracle knowledge of the clean signal")
    p.add_argument("--clean", required=True)
    p.add_argument("--noisy", required=True)
    p.add_argument("--mode", choices=ORACLE_MODES, default="postfilter")
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(run=_oracle)
    p = commands.add_parser("bench", help="native per-stage time of one frame (ms, p50/p99)")
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--dsp-only", action="store_true", help="unity gains instead of the network")
    p.set_defaults(run=_bench)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (AudioError, CliError) as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted (no partial output was left)", file=sys.stderr)
        return 130
