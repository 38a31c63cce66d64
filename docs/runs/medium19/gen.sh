#!/bin/bash
# Session 19 (2026-12-05): the natural-target era's last unused seeds, 126448-129967 (session 17's
# docs/runs/medium15/gen.sh wrote 110000-126383; the many-voices era starts at 130000), 3520 mixtures (56 shards),
# into /root/.cache/percepnet-wasm/natural2 with links to the val shards (written by
# docs/runs/medium15/gen.sh). fetch_data first on a new machine. Resumable: rerun.
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
OUT=/root/.cache/percepnet-wasm/natural2
mkdir -p $OUT
for f in /root/.cache/percepnet-wasm/natural/val_*.npz; do ln -sf $f $OUT/; done
exec .venv/bin/python -m percepnet_train.make_cache --split train --start 126448 --count 3520 \
  --out $OUT --workers ${WORKERS:-2}
