#!/bin/bash
# Session 15: the two warp-ab arms exported int8 and measured side by side: the gain fit on every
# voice set (the holdout voices' R2 is the question), val96 (paired, warp minus plain, and each
# against medium10w), and the holdout quality report with medium10w (the package) as "ours".
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
D=docs/runs/warp-ab
for ARM in warp plain; do
  .venv/bin/python -m percepnet_train.export runs/ab-$ARM/ckpt_latest.pt --out $D/$ARM.npz
  rm -f $D/$ARM.sha256                  # one weights.sha256 for all, below
  cp runs/ab-$ARM/log.jsonl $D/$ARM-log.jsonl
done
(cd $D && sha256sum warp.npz plain.npz > weights.sha256)
for ARM in warp plain; do
  .venv/bin/python bench/gain_fit.py $D/$ARM.npz --out docs/gain-fit/ab-$ARM.json &
done
wait
for ARM in warp plain; do
  .venv/bin/python bench/gain_shape.py --clips 96 --variants ours --weights $D/$ARM.npz --out docs/gain-shape/ab-$ARM-val96.json &
done
wait
.venv/bin/python bench/compare_val.py docs/gain-shape/ab-warp-val96.json docs/gain-shape/ab-plain-val96.json \
  --reference docs/gain-shape/clean-val96.json > $D/val96-warp-vs-plain.md
for ARM in warp plain; do
  .venv/bin/python bench/compare_val.py docs/gain-shape/ab-$ARM-val96.json docs/gain-shape/medium10w-val96.json \
    --reference docs/gain-shape/clean-val96.json > $D/val96-$ARM-vs-medium10w.md
done
.venv/bin/python -m percepnet_eval.quality --split holdout --jobs 2 --score-cache runs/score-cache \
  --systems ours,ours:$D/warp.npz,ours:$D/plain.npz --out $D/quality-holdout.md --figure ''
