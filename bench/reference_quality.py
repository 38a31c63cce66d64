"""How clean are the "clean" speech recordings?  DNSMOS of the speech itself, by speaker group.

Every training target and every evaluation reference is a recording from a package: some are
studio-clean, some carry their own hiss, hum or room (session 12 found the test split's
references ranging from DNSMOS BAK 2.2 to 3.9). A network trained towards noisy references
learns to keep that background, and an evaluation against them rewards keeping it. This
script scores up to ``--per-group`` seeded random clips of each speaker group of each split
with DNSMOS P.835 (``percepnet_eval.metrics.dnsmos``, no noise added) and prints, per split,
the groups with their speech hours and mean SIG/BAK/OVRL, and the share of the split's speech
in groups below ``--bak`` (default 3.6):

    PYTHONPATH=py python bench/reference_quality.py --per-group 4 --out docs/reference-quality.json
    PYTHONPATH=py python bench/reference_quality.py --splits train --packages festival \
        --out docs/reference-quality-festival.json      # one package's groups only

Writes the per-group means and per-clip scores with the machine, versions and date, and the
printed tables beside it (``.md``); ``--tables-only`` rewrites the tables from that JSON.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import platform
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "py"))

from percepnet_eval import evalset, metrics  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--splits", default="train,val,test,holdout")
    ap.add_argument("--per-group", type=int, default=12, help="clips scored per speaker group")
    ap.add_argument("--bak", type=float, default=3.6, help="DNSMOS BAK below which a group "
                    "counts as a noisy recording")
    ap.add_argument("--packages", default="", help="comma-separated: only the speaker groups of "
                    "these packages (default: all)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=Path("docs/reference-quality.json"))
    ap.add_argument("--tables-only", action="store_true", help="rewrite the .md from --out")
    args = ap.parse_args(argv)
    if args.tables_only:
        write_tables(json.loads(args.out.read_text()), args.out.with_suffix(".md"))
        return 0
    root = evalset.data_root()
    splits = json.loads((root / "splits.json").read_text())["splits"]
    packages = set(filter(None, args.packages.split(",")))
    rng = np.random.default_rng(args.seed)
    report = {"command": " ".join(sys.argv), "machine": platform.platform(),
              "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
              "metric_versions": metrics.versions(), "per_group": args.per_group,
              "bak_threshold": args.bak, "splits": {}}
    t0 = time.time()
    for split in args.splits.split(","):
        groups = defaultdict(list)
        for e in splits.get(split, []):
            if e["category"] == "speech" and (not packages or e["package"] in packages):
                groups[e["group"]].append(e)
        rows = {}
        for name in sorted(groups):
            entries = sorted(groups[name], key=lambda e: e["id"])
            pick = rng.choice(len(entries), size=min(args.per_group, len(entries)), replace=False)
            scores = []
            for i in sorted(pick):
                x = np.load(root / entries[i]["path"]).astype(np.float32) / 32768.0
                if len(x) < evalset.RATE // 4 or not np.any(x):
                    continue
                scores.append({"id": entries[i]["id"], **metrics.dnsmos(x, evalset.RATE)})
            means = {k: float(np.mean([s[k] for s in scores])) if scores else float("nan")
                     for k in ("sig", "bak", "ovrl")}
            rows[name] = {"package": entries[0]["package"], "clips": len(entries),
                          "hours": sum(e["duration_s"] for e in entries) / 3600,
                          "scored": len(scores), **means, "per_clip": scores}
            print(f"{split} {name}: {len(scores)} clips, BAK {means['bak']:.2f} "
                  f"({time.time() - t0:.0f} s)", file=sys.stderr, flush=True)
        total = sum(r["hours"] for r in rows.values())
        noisy = sum(r["hours"] for r in rows.values() if r["bak"] < args.bak)
        report["splits"][split] = {"groups": rows, "hours": total, "hours_below_bak": noisy}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(write_tables(report, args.out.with_suffix(".md")))
    return 0


def write_tables(report, path):
    """The per-split tables of ``report`` (groups by rising BAK) as markdown, to ``path``."""
    bak = report["bak_threshold"]
    lines = ["# DNSMOS of the clean speech recordings, by speaker group", "",
             f"- Command: `{report['command']}`", f"- Date: {report['date']}; {report['machine']}",
             f"- Up to {report['per_group']} seeded random clips per group, each scored alone "
             "(`percepnet_eval.metrics.dnsmos`, no noise added; speechmos tiles a clip shorter "
             "than 9 s, so a one-word clip is rated as that word repeated, which can differ "
             "from the evaluation's clips of several utterances with silent gaps). Studio "
             "speech scores about BAK 4, OVRL 3.2.", ""]
    for split, sp in report["splits"].items():
        total, noisy = sp["hours"], sp["hours_below_bak"]
        lines += [f"## {split}: {total:.2f} h of speech, {noisy:.2f} h "
                  f"({100 * noisy / max(total, 1e-9):.0f} %) in groups with DNSMOS BAK < {bak}", "",
                  "| group | package | hours | SIG | BAK | OVRL |", "|---|---|---:|---:|---:|---:|"]
        for name, r in sorted(sp["groups"].items(), key=lambda kv: kv[1]["bak"]):
            lines.append(f"| {name} | {r['package']} | {r['hours']:.2f} | {r['sig']:.2f} | "
                         f"{r['bak']:.2f} | {r['ovrl']:.2f} |")
        lines.append("")
    text = "\n".join(lines)
    Path(path).write_text(text)
    return text


if __name__ == "__main__":
    sys.exit(main())
