#!/bin/bash
# Session 15: the anchored warp arm (runs/ab-warp-anchor) measured as eval.sh measured the two
# arms: gain fit, val96 against the unanchored warp arm, and the holdout report beside
# medium10w (the package, "ours") and both arms (their scores come from the score cache).
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
D=docs/runs/warp-ab
.venv/bin/python -m percepnet_train.export runs/ab-warp-anchor/ckpt_latest.pt --out $D/warp-anchor.npz
rm -f $D/warp-anchor.sha256
cp runs/ab-warp-anchor/log.jsonl $D/warp-anchor-log.jsonl
(cd $D && sha256sum warp.npz plain.npz warp-anchor.npz > weights.sha256)
.venv/bin/python bench/gain_fit.py $D/warp-anchor.npz --out docs/gain-fit/ab-warp-anchor.json &
.venv/bin/python bench/gain_shape.py --clips 96 --variants ours --weights $D/warp-anchor.npz \
  --out docs/gain-shape/ab-warp-anchor-val96.json &
wait
.venv/bin/python bench/compare_val.py docs/gain-shape/ab-warp-anchor-val96.json docs/gain-shape/ab-warp-val96.json \
  --reference docs/gain-shape/clean-val96.json > $D/val96-warp-anchor-vs-warp.md
.venv/bin/python -m percepnet_eval.quality --split holdout --jobs 2 --score-cache runs/score-cache \
  --systems ours,ours:$D/warp.npz,ours:$D/plain.npz,ours:$D/warp-anchor.npz --out $D/quality-holdout.md --figure ''
