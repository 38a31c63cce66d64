#!/bin/bash
# Session 11 (2026-12-04): choose on the val split, report on test and holdout.
# 1. final_eval.sh RUN (small7 or medium7): the run's last checkpoint (the weights' moving
#    average; its validation loss rose while the flite shards came in, and its best is the init's
#    neighbourhood: bench/val_loss.py shows where such a rise lies), exported int8 into
#    docs/runs/RUN/weights.npz so that it outlives the machine, against the shipped small6
#    (docs/gain-shape/small6-val96.json) on the same 96 val mixtures (bench/compare_val.py, paired
#    intervals); bench/val_loss.py (with the split by band energy) on it, its float export and
#    small6; bench/gain_fit.py on it (R² of the gains on seen, unseen and holdout voices).
# 2. final_eval.sh --small6: bench/gain_fit.py on small6, the same fresh mixtures.
# 3. final_eval.sh --ship RUN: that file into the package, then the test and holdout tables
#    (peers, the oracle and small6 in the same run), the low-rate report and the first words.
#    Session 11's --ship run scored the tables with small6 as docs/runs/small6/weights.npz (a
#    label that says nothing) and broke after them (this file was edited while it ran); the
#    quality tables, the low-rate report and the first words were then run as the lines below
#    stand, with --jobs 1 (the committed reports are those).
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
mkdir -p /tmp/w
PREV=docs/runs/small6/weights.npz
if [ "$1" == "--small6" ]; then
  exec .venv/bin/python bench/gain_fit.py $PREV --out docs/gain-fit/small6.json
fi
if [ "$1" != "--ship" ]; then
RUN=$1
OURS=docs/runs/$RUN/weights.npz
.venv/bin/python -m percepnet_train.export runs/$RUN/ckpt_latest.pt --out $OURS
(cd docs/runs/$RUN && sha256sum weights.npz > weights.sha256)
.venv/bin/python -m percepnet_train.export runs/$RUN/ckpt_latest.pt --float --out /tmp/w/$RUN-float.npz
.venv/bin/python bench/gain_shape.py --clips 96 --variants ours --weights $OURS --out docs/gain-shape/$RUN-val96.json
.venv/bin/python bench/compare_val.py docs/gain-shape/$RUN-val96.json docs/gain-shape/small6-val96.json
.venv/bin/python bench/val_loss.py /tmp/w/$RUN-float.npz $OURS $PREV --out docs/runs/$RUN/val_loss.json
.venv/bin/python bench/gain_fit.py $OURS --out docs/gain-fit/$RUN.json
exit 0
fi
RUN=$2
OURS=docs/runs/$RUN/weights.npz
cp $OURS py/percepnet_wasm/weights.npz
(cd py/percepnet_wasm && sha256sum weights.npz > weights.sha256)
cp $PREV /tmp/w/small6-2026-12-03-s10.npz          # the tables name a model by its file name
for split in test holdout; do
  .venv/bin/python -m percepnet_eval.quality --split $split --jobs 2 --score-cache runs/score-cache \
    --systems ours,ours:/tmp/w/small6-2026-12-03-s10.npz,rnnoise,dfn3,oracle
done
.venv/bin/python -m percepnet_eval.lowrate
.venv/bin/python bench/first_words.py $OURS $PREV --out docs/first-words.json
