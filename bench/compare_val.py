"""Paired comparison of two models scored on the same val clips by ``bench/gain_shape.py``.

How a checkpoint is chosen (docs/training.md): score each candidate's export on the val
split with ``gain_shape.py --variants ours --weights W --out A.json`` (same ``--clips``),
then

    PYTHONPATH=py python bench/compare_val.py A.json B.json [--variant ours]

prints, per metric, the mean of A − B over the clips with its 95 % bootstrap interval
(``percepnet_eval.report.paired_difference``) and the verdict. Both files must hold the same
clips (same split, count and SNRs), which the script checks.

``--reference R.json`` (a report of the same clips with the ``clean`` variant, i.e. DNSMOS of
each clean reference) repeats the comparison on the clips whose reference scores DNSMOS BAK
>= 3.6 and on the others (``percepnet_eval.quality.CLEAN_REFERENCE_BAK``): against a noisy
reference, removing the recording's own background counts as damage.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "py"))

from percepnet_eval.quality import CLEAN_REFERENCE_BAK  # noqa: E402
from percepnet_eval.report import paired_difference  # noqa: E402

KEYS = ("pesq", "stoi", "si_sdr", "sig", "bak", "ovrl")


def compare(a: dict, b: dict, variant_a: str = "ours", variant_b: str = "ours", keep=None) -> dict:
    """{metric: paired_difference of a − b} over the clips both reports scored (those where
    ``keep``, a list of bools by clip, is true; all without it)."""
    for key in ("split", "clips", "snrs"):
        if a[key] != b[key]:
            raise SystemExit(f"the reports differ in {key}: {a[key]} against {b[key]}")
    pairs = zip(a["per_clip"][variant_a], b["per_clip"][variant_b])
    rows = [{"scores": {"a": sa, "b": sb}} for i, (sa, sb) in enumerate(pairs)
            if keep is None or keep[i]]
    return {k: paired_difference(rows, "a", "b", k) for k in KEYS}


def _print(title, diffs):
    print(f"{title}\n")
    print("| metric | mean difference | 95 % interval | verdict |\n|---|---:|---|---|")
    for k, d in diffs.items():
        print(f"| {k} | {d['mean']:+.3f} | [{d['lo']:+.3f}, {d['hi']:+.3f}] | {d['verdict']} |")
    print()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("a", type=Path)
    ap.add_argument("b", type=Path)
    ap.add_argument("--variant", default="ours", help="variant of A (and of B unless --variant-b)")
    ap.add_argument("--variant-b", default=None)
    ap.add_argument("--reference", type=Path, default=None,
                    help="a report of the same clips with the 'clean' variant: split the clips "
                         "by the DNSMOS BAK of their reference")
    args = ap.parse_args(argv)
    a, b = (json.loads(p.read_text()) for p in (args.a, args.b))
    vb = args.variant_b or args.variant
    _print(f"{args.a.name} − {args.b.name}, {a['clips']} {a['split']} clips",
           compare(a, b, args.variant, vb))
    if args.reference:
        ref = json.loads(args.reference.read_text())
        compare(a, ref, args.variant, "clean")                 # the same clips
        clean = [s["bak"] >= CLEAN_REFERENCE_BAK for s in ref["per_clip"]["clean"]]
        for name, keep in (("clean", clean), ("noisy", [not c for c in clean])):
            _print(f"clips with {name} references (DNSMOS BAK of the reference "
                   f"{'>=' if name == 'clean' else '<'} {CLEAN_REFERENCE_BAK}): {sum(keep)}",
                   compare(a, b, args.variant, vb, keep))
    return 0


if __name__ == "__main__":
    sys.exit(main())
