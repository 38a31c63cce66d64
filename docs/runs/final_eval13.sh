#!/bin/bash
# Session 13 (2026-12-04): a run's last checkpoint (the weights' moving average) exported int8 into
# docs/runs/RUN/weights.npz, with its run record, scored on the 96 val mixtures and compared,
# paired, with the shipped medium8 (medium8-val96.json) and, when given, with a control run
# scored the same way, overall and by the quality of the clips' references (clean-val96.json).
#   bash docs/runs/final_eval13.sh medium9c
#   bash docs/runs/final_eval13.sh medium9r medium9c     # after medium9c's own evaluation
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
RUN=$1
CONTROL=$2
OURS=docs/runs/$RUN/weights.npz
.venv/bin/python -m percepnet_train.export runs/$RUN/ckpt_latest.pt --out $OURS
(cd docs/runs/$RUN && sha256sum weights.npz > weights.sha256)
cp runs/$RUN/run.json runs/$RUN/log.jsonl docs/runs/$RUN/
.venv/bin/python bench/gain_shape.py --clips 96 --variants ours --weights $OURS --out docs/gain-shape/$RUN-val96.json
.venv/bin/python bench/compare_val.py docs/gain-shape/$RUN-val96.json docs/gain-shape/medium8-val96.json \
  --reference docs/gain-shape/clean-val96.json | tee docs/runs/$RUN/val96-vs-medium8.md
if [ -n "$CONTROL" ]; then
  .venv/bin/python bench/compare_val.py docs/gain-shape/$RUN-val96.json docs/gain-shape/$CONTROL-val96.json \
    --reference docs/gain-shape/clean-val96.json | tee docs/runs/$RUN/val96-vs-$CONTROL.md
fi
