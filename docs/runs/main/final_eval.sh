#!/bin/bash
# Final evaluation of session 5 (2026-12-03): export the best checkpoint into the package,
# then the main (test split) and leave-source-out (holdout) tables and the low-rate report.
# Peers and the oracle come from runs/score-cache (runs/peers.sh), scored the same way.
set -e
mkdir -p /tmp/w && git show 0fd0d3c:py/percepnet_wasm/weights.npz > /tmp/w/model-2026-11-25.npz   # the model shipped before
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
.venv/bin/python -m percepnet_train.export runs/main
.venv/bin/python -m percepnet_eval.quality --split test --jobs 2 --score-cache runs/score-cache \
  --systems ours,ours:/tmp/w/model-2026-11-25.npz,rnnoise,dfn3,oracle
.venv/bin/python -m percepnet_eval.quality --split holdout --jobs 2 --score-cache runs/score-cache \
  --systems ours,ours:/tmp/w/model-2026-11-25.npz,rnnoise,dfn3,oracle
.venv/bin/python -m percepnet_eval.lowrate
