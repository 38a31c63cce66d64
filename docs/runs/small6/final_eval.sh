#!/bin/bash
# Session 10 (2026-12-03): choose on the val split, report on test and holdout.
# 1. (no argument) runs/small6's last checkpoint (step 1031, the weights' moving average; the run
#    was stopped there because validation kept rising, and its best, step 250, is mostly the init),
#    exported int8 into docs/runs/small6/weights.npz so that it outlives the machine (runs/ is not in git),
#    against session 8's small4 export (docs/gain-shape/small4-val96.json) and the shipped model
#    (session 7, small3-val96.json) on the same 96 val mixtures, bench/compare_val.py for paired
#    intervals; bench/val_loss.py on those and small6's float export (what int8 costs);
#    bench/first_words.py on all three (the noise left after a stream's first words,
#    at 48 kHz and through a 44.1 kHz device);
# 2. --ship: that file into the package, then the test and holdout tables (peers, the oracle and
#    the two earlier models) and the low-rate report.
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
mkdir -p /tmp/w
git show c47c086:py/percepnet_wasm/weights.npz > /tmp/w/model-2026-12-03-s7.npz     # shipped in session 7
git show 8d346ff:py/percepnet_wasm/weights.npz > /tmp/w/model-2026-12-03-s8.npz     # session 8's small4 export
OURS=docs/runs/small6/weights.npz
if [ "$1" != "--ship" ]; then
.venv/bin/python -m percepnet_train.export runs/small6/ckpt_latest.pt --out $OURS
.venv/bin/python -m percepnet_train.export runs/small6/ckpt_latest.pt --float --out /tmp/w/small6-float.npz
.venv/bin/python bench/val_loss.py /tmp/w/small6-float.npz $OURS /tmp/w/model-2026-12-03-s8.npz /tmp/w/model-2026-12-03-s7.npz \
  --out docs/runs/small6/val_loss.json
.venv/bin/python bench/gain_shape.py --clips 96 --variants ours --weights $OURS --out docs/gain-shape/small6-val96.json
.venv/bin/python bench/compare_val.py docs/gain-shape/small6-val96.json docs/gain-shape/small4-val96.json
.venv/bin/python bench/compare_val.py docs/gain-shape/small6-val96.json docs/gain-shape/small3-val96.json
.venv/bin/python bench/first_words.py $OURS /tmp/w/model-2026-12-03-s8.npz /tmp/w/model-2026-12-03-s7.npz \
  --out docs/first-words.json
exit 0
fi
cp $OURS py/percepnet_wasm/weights.npz
(cd py/percepnet_wasm && sha256sum weights.npz > weights.sha256)
for split in test holdout; do
  .venv/bin/python -m percepnet_eval.quality --split $split --jobs 2 --score-cache runs/score-cache \
    --systems ours,ours:/tmp/w/model-2026-12-03-s7.npz,ours:/tmp/w/model-2026-12-03-s8.npz,rnnoise,dfn3,oracle
done
.venv/bin/python -m percepnet_eval.lowrate
