#!/bin/bash
# Session 14 (2026-12-04): more train mixtures in the current recipe (the mixer's train pool with
# the flite voices; small7/gen.sh's settings), after the 279 shards of seeds 36224-54079 (49 h).
# Why: medium9c's val loss was lowest at step 1500 of 2000 (7.231, then 7.281), i.e. after
# about 1.4 passes over the cached 17.8 M frames; issue 12 asks for >= 100 h of distinct
# mixtures per run. One core, ~30 s a shard of 64 mixtures (10.6 min of audio). Resumable:
# rerun and only missing shards are written; stop with kill -TERM.
# Stopped at 13:11 after seeds 54080-59327 (82 shards) to fetch the festival voices
# (fetch_festival.sh), restarted at 13:21: shards from seed 59328 on are mixed with them in the
# catalogue (reference_mask.CATALOG_ERAS).
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
exec nice -n 5 .venv/bin/python -m percepnet_train.make_cache --split train --start 54080 --count 19200 \
  --out /root/.cache/percepnet-wasm/features --workers 1
