#!/bin/bash
# Session 17 (2026-12-04): train mixtures of the natural-target era (mixer.NATURAL_TARGET_FROM:
# from seed 110000 on the target speaks only in natural voices, festival's and flite's synthetic
# ones are left to the babble; the formant warp of session 15's era again, half the target's
# clips by 0.89-1.12), written into runs/medium15's cache folder /root/.cache/percepnet-wasm/natural
# with the val shards. This machine was new: fetch_data first (every package, ~25 min), then this.
# ~25 s a shard of 64 ten-second mixtures on one core. Resumable: rerun and only missing shards
# are written; stop with kill -TERM (then remove any *.tmp). WORKERS=2 while nothing trains.
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
OUT=/root/.cache/percepnet-wasm/natural
mkdir -p $OUT
.venv/bin/python -m percepnet_train.make_cache --split val --count 256 --out $OUT --workers ${WORKERS:-1}
exec nice -n 5 .venv/bin/python -m percepnet_train.make_cache --split train --start ${START:-110000} --count ${COUNT:-16384} \
  --out $OUT --workers ${WORKERS:-1}
