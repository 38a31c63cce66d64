#!/bin/bash
# Ship a run's int8 export (docs/runs/RUN/weights.npz, written by final_eval13.sh) and regenerate
# the reports that describe the shipped model, each with the model shipped before (PREV) in the
# same run, paired (the reports' "Ours - ours:..." tables): the test and holdout quality reports,
# the low-rate report and the first words through a 44.1 kHz device. About 30 min of one core.
#   bash docs/runs/ship.sh medium11 medium10w
# Then by hand: the README's quality row, tests/test_shipped_model.py's comment
# (bench/shipped_model_numbers.py) and docs/training.md.
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
RUN=$1
PREV=docs/runs/$2/weights.npz
cp docs/runs/$RUN/weights.npz py/percepnet_wasm/weights.npz
(cd py/percepnet_wasm && sha256sum weights.npz > weights.sha256)
for SPLIT in test holdout; do
  .venv/bin/python -m percepnet_eval.quality --split $SPLIT --jobs 1 --score-cache runs/score-cache \
    --systems ours,ours:$PREV,rnnoise,dfn3,oracle
done
.venv/bin/python -m percepnet_eval.lowrate
.venv/bin/python bench/first_words.py docs/runs/$RUN/weights.npz $PREV --out docs/first-words.json
