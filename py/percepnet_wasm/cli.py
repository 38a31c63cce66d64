"""Command line: ``percepnet-wasm enhance IN OUT``, ``oracle ...`` and ``bench``.

Any rate and channel count in; mono out at the input's rate. Errors are one line on
stderr with a non-zero exit; the input is never overwritten.
"""
import argparse
import sys
from pathlib import Path

from .oracle import ORACLE_MODES


def _check_output(inputs, output):
    out = Path(output).resolve()
    for path in inputs:
        if Path(path).exists() and Path(path).resolve() == out:
            raise SystemExit(f"percepnet-wasm: refusing to overwrite the input {path}")


def _enhance(args):
    from .audio_io import read_audio, write_audio
    from .denoiser import Denoiser, enhance

    _check_output([args.input], args.output)
    try:
        denoiser = Denoiser(attenuation_limit_db=args.attenuation_limit)
    except FileNotFoundError as exc:
        raise SystemExit(f"percepnet-wasm: {exc}")
    x, rate = read_audio(args.input)
    write_audio(args.output, enhance(x, denoiser), rate)


def _oracle(args):
    from .audio_io import AudioError, read_audio, write_audio
    from .oracle import enhance_oracle

    _check_output([args.clean, args.noisy], args.output)
    clean, _ = read_audio(args.clean)
    noisy, rate = read_audio(args.noisy)
    if len(clean) != len(noisy):
        raise AudioError(f"{args.clean} and {args.noisy} differ in length "
                         f"({len(clean)} vs {len(noisy)} samples at 48 kHz)")
    write_audio(args.output, enhance_oracle(clean, noisy, args.mode), rate)


def _bench(args):
    from .bench import format_table, stage_times
    from .denoiser import Denoiser

    if args.dsp_only:
        denoiser = Denoiser(model=None)
    else:
        try:
            denoiser = Denoiser()
        except FileNotFoundError as exc:
            raise SystemExit(f"percepnet-wasm: {exc} (use --dsp-only to time the DSP alone)")
    print(format_table(stage_times(denoiser, seconds=args.seconds)))


def main(argv=None):
    from .audio_io import AudioError

    parser = argparse.ArgumentParser(prog="percepnet-wasm", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("enhance", help="denoise a file with the trained model")
    p.add_argument("input")
    p.add_argument("output")
    p.add_argument("--attenuation-limit", type=float, default=None, metavar="DB",
                   help="remove at most this many dB of noise (default: no limit)")
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
        args.run(args)
    except AudioError as exc:
        print(f"percepnet-wasm: {exc}", file=sys.stderr)
        return 1
    return 0
