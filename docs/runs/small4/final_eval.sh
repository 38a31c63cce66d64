#!/bin/bash
# Session 8 (2026-12-03): choose on the val split, report on test and holdout.
# 1. runs/small4's best checkpoint (the weights' moving average, --ema) against the model shipped in
#    session 7 (runs/small3 step 2750) on the same 96 val mixtures (bench/gain_shape.py, then
#    bench/compare_val.py for paired intervals), and both through bench/gain_fit.py (seen/unseen voices);
# 2. then, with --ship, export it into the package, the test and holdout tables (peers, the oracle
#    and the earlier models from runs/score-cache) and the low-rate report.
# Session 8 ran both; the export was then taken back out of the package (the browser call test,
# docs/training.md) and its reports kept as docs/quality-small4.md, quality-holdout-small4.md, lowrate-small4.md.
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
mkdir -p /tmp/w
git show c47c086:py/percepnet_wasm/weights.npz > /tmp/w/model-2026-12-03-s7.npz     # shipped in session 7
git show 9adedef:py/percepnet_wasm/weights.npz > /tmp/w/model-2026-12-03-s6.npz     # shipped in session 6
if [ "$1" != "--ship" ]; then
.venv/bin/python -m percepnet_train.export runs/small4 --out /tmp/w/small4.npz
.venv/bin/python bench/gain_shape.py --clips 96 --variants ours --weights /tmp/w/small4.npz --out docs/gain-shape/small4-val96.json &
.venv/bin/python bench/gain_fit.py runs/small4 --clips 48 --out docs/gain-fit/small4.json
wait
.venv/bin/python bench/compare_val.py docs/gain-shape/small4-val96.json docs/gain-shape/small3-val96.json
exit 0
fi
.venv/bin/python -m percepnet_train.export runs/small4
for split in test holdout; do
  .venv/bin/python -m percepnet_eval.quality --split $split --jobs 2 --score-cache runs/score-cache \
    --systems ours,ours:/tmp/w/model-2026-12-03-s7.npz,ours:/tmp/w/model-2026-12-03-s6.npz,rnnoise,dfn3,oracle
done
.venv/bin/python -m percepnet_eval.lowrate
