#!/bin/bash
# Session 12 (2026-12-04): a run's last checkpoint (the weights' moving average) exported int8 into
# docs/runs/RUN/weights.npz (so that it outlives the machine), with its run record, then scored on
# the 96 val mixtures of session 12's evalset (every SNR sees every speaker) and compared, paired,
# with small7 on the same clips (release-val96.json's "release:0" is small7 as shipped), overall
# and by the quality of the clips' references (clean-val96.json: DNSMOS of each reference).
#   bash docs/runs/final_eval12.sh medium8      # or small8f
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
RUN=$1
OURS=docs/runs/$RUN/weights.npz
.venv/bin/python -m percepnet_train.export runs/$RUN/ckpt_latest.pt --out $OURS
(cd docs/runs/$RUN && sha256sum weights.npz > weights.sha256)
cp runs/$RUN/run.json runs/$RUN/log.jsonl docs/runs/$RUN/
.venv/bin/python bench/gain_shape.py --clips 96 --variants ours --weights $OURS --out docs/gain-shape/$RUN-val96.json
.venv/bin/python bench/compare_val.py docs/gain-shape/$RUN-val96.json docs/gain-shape/release-val96.json \
  --variant-b release:0 --reference docs/gain-shape/clean-val96.json | tee docs/runs/$RUN/val96-vs-small7.md
