#!/bin/bash
# Session 7 (2026-12-03): choose on the val split, report on test and holdout.
# 1. runs/small3's and runs/small3-g15's best checkpoints (the weights' moving average, --ema) against the model
#    shipped in session 6 (runs/small2 step 3250) on the same 96 val mixtures
#    (bench/gain_shape.py, then bench/compare_val.py for paired intervals);
# 2. then, with --ship RUN, for the run that was better there: export into the package, the test and holdout
#    tables (peers, the oracle and the earlier models from runs/score-cache) and the low-rate report.
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
mkdir -p /tmp/w
git show 9adedef:py/percepnet_wasm/weights.npz > /tmp/w/model-2026-12-03-s6.npz     # shipped in session 6
git show d82449b:py/percepnet_wasm/weights.npz > /tmp/w/model-2026-12-03-s5.npz     # shipped in session 5
if [ "$1" != "--ship" ]; then
.venv/bin/python -m percepnet_train.export runs/small3 --out /tmp/w/small3.npz
.venv/bin/python -m percepnet_train.export runs/small3-g15/ckpt_latest.pt --out /tmp/w/small3-g15.npz   # its last step: its val loss (against the shaped targets) rose from step 250 on
.venv/bin/python bench/gain_shape.py --clips 96 --variants ours --weights /tmp/w/small3.npz --out docs/gain-shape/small3-val96.json &
.venv/bin/python bench/gain_shape.py --clips 96 --variants ours --weights /tmp/w/small3-g15.npz --out docs/gain-shape/small3-g15-val96.json
wait
for run in small3 small3-g15; do
  .venv/bin/python bench/compare_val.py docs/gain-shape/$run-val96.json docs/gain-shape/small2-val96.json
done
.venv/bin/python bench/compare_val.py docs/gain-shape/small3-g15-val96.json docs/gain-shape/small3-val96.json
exit 0
fi
.venv/bin/python -m percepnet_train.export runs/${2:?usage: final_eval.sh --ship RUN (small3 or small3-g15)}
for split in test holdout; do
  .venv/bin/python -m percepnet_eval.quality --split $split --jobs 2 --score-cache runs/score-cache \
    --systems ours,ours:/tmp/w/model-2026-12-03-s6.npz,ours:/tmp/w/model-2026-12-03-s5.npz,rnnoise,dfn3,oracle
done
.venv/bin/python -m percepnet_eval.lowrate
