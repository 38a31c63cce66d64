#!/bin/bash
# Session 6 (2026-12-03), as run: choose on the val split, report on test and holdout.
# 1. runs/small2's best (step 3250) and last (step 4000) checkpoints, and session 5's shipped
#    model, on val mixtures (bench/gain_shape.py; 36 clips, then 96 for paired intervals);
# 2. it was better there (docs/training.md), so: export into the package, the test and holdout
#    tables (peers, the oracle and the earlier models from runs/score-cache) and the low-rate report.
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
mkdir -p /tmp/w
git show d82449b:py/percepnet_wasm/weights.npz > /tmp/w/model-2026-12-03-s5.npz     # shipped in session 5
git show 0fd0d3c:py/percepnet_wasm/weights.npz > /tmp/w/model-2026-11-25.npz        # shipped before that
.venv/bin/python -m percepnet_train.export runs/small2 --out /tmp/w/small2.npz
.venv/bin/python -m percepnet_train.export runs/small2/ckpt_latest.pt --out /tmp/w/small2-4000.npz
.venv/bin/python bench/gain_shape.py --clips 36 --variants noisy,ours --weights /tmp/w/small2.npz --out docs/gain-shape/small2-val.json
.venv/bin/python bench/gain_shape.py --clips 36 --variants ours --weights /tmp/w/small2-4000.npz --out docs/gain-shape/small2-4000-val.json
.venv/bin/python bench/gain_shape.py --clips 96 --variants noisy,ours --weights /tmp/w/model-2026-12-03-s5.npz --out docs/gain-shape/s5-val96.json
.venv/bin/python bench/gain_shape.py --clips 96 --variants ours --weights /tmp/w/small2.npz --out docs/gain-shape/small2-val96.json
[ "$1" = "--ship" ] || exit 0
.venv/bin/python -m percepnet_train.export runs/small2
for split in test holdout; do
  .venv/bin/python -m percepnet_eval.quality --split $split --jobs 2 --score-cache runs/score-cache \
    --systems ours,ours:/tmp/w/model-2026-12-03-s5.npz,ours:/tmp/w/model-2026-11-25.npz,rnnoise,dfn3,oracle
done
.venv/bin/python -m percepnet_eval.lowrate
