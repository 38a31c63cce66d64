#!/bin/bash
# Session 9 (2026-12-03): train mixtures with the mixer's device-rate augmentation (train only:
# 30 % through 22.05/24/32/44.1 kHz after a random low-pass; mixer.py docstring), seeds from
# 36224 on (0-36223 are the earlier recipes, docs/training.md). runs/small5 picks new shards up
# every 10 minutes (--refresh-minutes). Resumable: rerun and it writes only missing shards.
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
exec nice -n 5 .venv/bin/python -m percepnet_train.make_cache --split train --start 36224 --count 12800 \
  --out /root/.cache/percepnet-wasm/features --workers 1
