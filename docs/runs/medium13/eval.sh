#!/bin/bash
# Session 16: runs/medium13 measured against medium10w (the package), with a second candidate made
# from it without training: the export halfway back to medium10w's weights (export --mix-with,
# weight-space ensembling). Both int8. The gain fit on every voice set, val96 (paired against
# medium10w), and the holdout and test quality reports with medium10w as "ours".
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
D=docs/runs/medium13
PREV=runs/medium10w/ckpt_latest.pt
[ -f $PREV ] || PREV=docs/runs/medium10w/weights.npz
bash docs/runs/final_eval13.sh medium13 medium10w
.venv/bin/python -m percepnet_train.export runs/medium13/ckpt_latest.pt --mix-with $PREV --mix 0.5 \
  --out $D/weights-mix50.npz
.venv/bin/python bench/gain_shape.py --clips 96 --variants ours --weights $D/weights-mix50.npz \
  --out docs/gain-shape/medium13-mix50-val96.json &
.venv/bin/python bench/gain_fit.py $D/weights.npz --out docs/gain-fit/medium13.json
wait
.venv/bin/python bench/compare_val.py docs/gain-shape/medium13-mix50-val96.json docs/gain-shape/medium10w-val96.json \
  --reference docs/gain-shape/clean-val96.json > $D/val96-mix50-vs-medium10w.md
.venv/bin/python bench/gain_fit.py $D/weights-mix50.npz --out docs/gain-fit/medium13-mix50.json &
for SPLIT in holdout test; do
  .venv/bin/python -m percepnet_eval.quality --split $SPLIT --jobs 1 --score-cache runs/score-cache \
    --systems ours,ours:$D/weights.npz,ours:$D/weights-mix50.npz --out $D/quality-$SPLIT.md --figure '' &
done
wait
