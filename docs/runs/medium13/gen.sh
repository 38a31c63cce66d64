#!/bin/bash
# Session 16 (2026-12-04): train mixtures of the second formant-warp era (mixer.FORMANT_WARP_ERAS:
# from seed 100000 on, 90 % of the target's clips with their envelope stretched by 0.83-1.2,
# harmonics kept; session 15's era warped half of them by 0.89-1.12), written straight into
# runs/medium13's cache folder, /root/.cache/percepnet-wasm/warp (made by train.sh: links to the
# val shards and to session 15's 225 warp-era shards). One core, ~25 s a shard of 64 ten-second
# mixtures. Resumable: rerun and only missing shards are written; stop with kill -TERM (then
# remove any *.tmp).
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
mkdir -p /root/.cache/percepnet-wasm/warp
exec nice -n 5 .venv/bin/python -m percepnet_train.make_cache --split train --start ${START:-100000} --count ${COUNT:-8192} \
  --out /root/.cache/percepnet-wasm/warp --workers 1
