#!/bin/bash
# Score the peers and the oracle once per evaluation set, into the score cache that the
# final quality runs reuse (session 5, 2026-12-03).
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
for split in test holdout; do
  nice -n 10 .venv/bin/python -m percepnet_eval.quality --split $split --jobs 1 \
    --systems rnnoise,dfn3,oracle --score-cache runs/score-cache \
    --out /tmp/q/peers-$split.md --figure ''
done
