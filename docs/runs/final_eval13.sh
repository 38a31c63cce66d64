#!/bin/bash
# Session 13 (2026-12-04): a run's last checkpoint (the weights' moving average) exported int8 into
# docs/runs/RUN/weights.npz, with its run record, scored on the 96 val mixtures and compared,
# paired, with the shipped medium8 (medium8-val96.json) and, when given, with a control run
# scored the same way, overall and by the quality of the clips' references (clean-val96.json).
#   bash docs/runs/final_eval13.sh medium9c
#   bash docs/runs/final_eval13.sh medium9r medium9c     # after medium9c's own evaluation
#   bash docs/runs/final_eval13.sh medium11 medium10w best   # ckpt_best.pt (lowest val loss) instead,
#        into docs/runs/medium11/weights-best.npz and docs/gain-shape/medium11-best-val96.json
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
RUN=$1
CONTROL=$2
CKPT=${3:-latest}
SUFFIX=${3:+-$3}
OURS=docs/runs/$RUN/weights$SUFFIX.npz
.venv/bin/python -m percepnet_train.export runs/$RUN/ckpt_$CKPT.pt --out $OURS
(cd docs/runs/$RUN && sha256sum weights$SUFFIX.npz > weights$SUFFIX.sha256)
cp runs/$RUN/run.json runs/$RUN/log.jsonl docs/runs/$RUN/
.venv/bin/python bench/gain_shape.py --clips 96 --variants ours --weights $OURS --out docs/gain-shape/$RUN$SUFFIX-val96.json
.venv/bin/python bench/compare_val.py docs/gain-shape/$RUN$SUFFIX-val96.json docs/gain-shape/medium8-val96.json \
  --reference docs/gain-shape/clean-val96.json | tee docs/runs/$RUN/val96$SUFFIX-vs-medium8.md
if [ -n "$CONTROL" ]; then
  .venv/bin/python bench/compare_val.py docs/gain-shape/$RUN$SUFFIX-val96.json docs/gain-shape/$CONTROL-val96.json \
    --reference docs/gain-shape/clean-val96.json | tee docs/runs/$RUN/val96$SUFFIX-vs-$CONTROL.md
fi
