#!/bin/bash
# Session 11 (2026-12-04): choose on the val split, report on test and holdout.
# 1. (no argument) runs/small7's best checkpoint (the weights' moving average), exported int8
#    into docs/runs/small7/weights.npz so that it outlives the machine, against the shipped
#    small6 (docs/gain-shape/small6-val96.json) on the same 96 val mixtures (bench/compare_val.py,
#    paired intervals); bench/val_loss.py on both and small7's float export; bench/gain_fit.py
#    on both (R² of the gains on seen, unseen and holdout voices; same fresh mixtures for both);
#    bench/first_words.py on both (the noise left after a stream's first words, 48 kHz and
#    through a 44.1 kHz device).
# 2. --ship: that file into the package, then the test and holdout tables (peers, the oracle and
#    session 10's small6 in the same run) and the low-rate report.
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
mkdir -p /tmp/w
OURS=docs/runs/small7/weights.npz
PREV=docs/runs/small6/weights.npz
if [ "$1" != "--ship" ]; then
.venv/bin/python -m percepnet_train.export runs/small7 --out $OURS
(cd docs/runs/small7 && sha256sum weights.npz > weights.sha256)
.venv/bin/python -m percepnet_train.export runs/small7 --float --out /tmp/w/small7-float.npz
.venv/bin/python bench/val_loss.py /tmp/w/small7-float.npz $OURS $PREV --out docs/runs/small7/val_loss.json
.venv/bin/python bench/gain_shape.py --clips 96 --variants ours --weights $OURS --out docs/gain-shape/small7-val96.json
.venv/bin/python bench/compare_val.py docs/gain-shape/small7-val96.json docs/gain-shape/small6-val96.json
.venv/bin/python bench/gain_fit.py $OURS --out docs/gain-fit/small7.json
.venv/bin/python bench/gain_fit.py $PREV --out docs/gain-fit/small6.json
.venv/bin/python bench/first_words.py $OURS $PREV --out docs/first-words-small7.json
exit 0
fi
cp $OURS py/percepnet_wasm/weights.npz
(cd py/percepnet_wasm && sha256sum weights.npz > weights.sha256)
for split in test holdout; do
  .venv/bin/python -m percepnet_eval.quality --split $split --jobs 2 --score-cache runs/score-cache \
    --systems ours,ours:$PREV,rnnoise,dfn3,oracle
done
.venv/bin/python -m percepnet_eval.lowrate
