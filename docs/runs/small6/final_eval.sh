#!/bin/bash
# Session 10 (2026-12-03): choose on the val split, report on test and holdout.
# 1. runs/small6's best checkpoint (the weights' moving average) against session 8's candidate
#    (runs/small4 step 3750, docs/gain-shape/small4-val96.json) and the shipped model (session 7,
#    small3-val96.json) on the same 96 val mixtures, bench/compare_val.py for paired intervals;
#    bench/first_words.py on all three (the noise left after a stream's first words at 44.1 kHz);
# 2. then, with --ship, export it into the package, the test and holdout tables (peers, the oracle
#    and the earlier models from runs/score-cache) and the low-rate report.
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
mkdir -p /tmp/w
git show c47c086:py/percepnet_wasm/weights.npz > /tmp/w/model-2026-12-03-s7.npz     # shipped in session 7
git show 8d346ff:py/percepnet_wasm/weights.npz > /tmp/w/model-2026-12-03-s8.npz     # session 8's small4 export
if [ "$1" != "--ship" ]; then
.venv/bin/python -m percepnet_train.export runs/small6 --out /tmp/w/small6.npz
.venv/bin/python bench/gain_shape.py --clips 96 --variants ours --weights /tmp/w/small6.npz --out docs/gain-shape/small6-val96.json
.venv/bin/python bench/compare_val.py docs/gain-shape/small6-val96.json docs/gain-shape/small4-val96.json
.venv/bin/python bench/compare_val.py docs/gain-shape/small6-val96.json docs/gain-shape/small3-val96.json
.venv/bin/python bench/first_words.py /tmp/w/small6.npz /tmp/w/model-2026-12-03-s8.npz /tmp/w/model-2026-12-03-s7.npz \
  --out docs/first-words.json
exit 0
fi
.venv/bin/python -m percepnet_train.export runs/small6
for split in test holdout; do
  .venv/bin/python -m percepnet_eval.quality --split $split --jobs 2 --score-cache runs/score-cache \
    --systems ours,ours:/tmp/w/model-2026-12-03-s7.npz,ours:/tmp/w/model-2026-12-03-s8.npz,rnnoise,dfn3,oracle
done
.venv/bin/python -m percepnet_eval.lowrate
