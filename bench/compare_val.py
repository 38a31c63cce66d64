"""Paired comparison of two models scored on the same val clips by ``bench/gain_shape.py``.

How a checkpoint is chosen (docs/training.md): score each candidate's export on the val
split with ``gain_shape.py --variants ours --weights W --out A.json`` (same ``--clips``),
then

    PYTHONPATH=py python bench/compare_val.py A.json B.json [--variant ours]

prints, per metric, the mean of A − B over the clips with its 95 % bootstrap interval
(``percepnet_eval.report.paired_difference``) and the verdict. Both files must hold the same
clips (same split, count and SNRs), which the script checks.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "py"))

from percepnet_eval.report import paired_difference  # noqa: E402

KEYS = ("pesq", "stoi", "si_sdr", "sig", "bak", "ovrl")


def compare(a: dict, b: dict, variant_a: str = "ours", variant_b: str = "ours") -> dict:
    """{metric: paired_difference of a − b} over the clips both reports scored."""
    for key in ("split", "clips", "snrs"):
        if a[key] != b[key]:
            raise SystemExit(f"the reports differ in {key}: {a[key]} against {b[key]}")
    rows = [{"scores": {"a": sa, "b": sb}} for sa, sb in
            zip(a["per_clip"][variant_a], b["per_clip"][variant_b])]
    return {k: paired_difference(rows, "a", "b", k) for k in KEYS}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("a", type=Path)
    ap.add_argument("b", type=Path)
    ap.add_argument("--variant", default="ours", help="variant of A (and of B unless --variant-b)")
    ap.add_argument("--variant-b", default=None)
    args = ap.parse_args(argv)
    a, b = (json.loads(p.read_text()) for p in (args.a, args.b))
    diffs = compare(a, b, args.variant, args.variant_b or args.variant)
    print(f"{args.a.name} − {args.b.name}, {a['clips']} {a['split']} clips\n")
    print("| metric | mean difference | 95 % interval | verdict |\n|---|---:|---|---|")
    for k, d in diffs.items():
        print(f"| {k} | {d['mean']:+.3f} | [{d['lo']:+.3f}, {d['hi']:+.3f}] | {d['verdict']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
