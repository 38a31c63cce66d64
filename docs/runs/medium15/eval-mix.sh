#!/bin/bash
# Session 17: medium15 halfway back to medium14 (export --mix-with, weight-space ensembling), after
# eval.sh found medium15 better than medium14 on holdout PESQ and worse on test SI-SDR: the same
# holdout and test reports with medium14 ("ours"), medium15 and the mix, paired (the first two
# come from the score cache).
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
D=docs/runs/medium15
.venv/bin/python -m percepnet_train.export runs/medium15/ckpt_latest.pt --mix-with docs/runs/medium14/weights.npz \
  --mix 0.5 --out $D/weights-mix50.npz
for SPLIT in holdout test; do
  .venv/bin/python -m percepnet_eval.quality --split $SPLIT --jobs 2 --score-cache runs/score-cache \
    --systems ours,ours:$D/weights.npz,ours:$D/weights-mix50.npz --out $D/quality-$SPLIT-mix50.md --figure ''
done
