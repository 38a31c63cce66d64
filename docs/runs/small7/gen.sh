#!/bin/bash
# Session 11: train mixtures after small6's (seeds 36224-48639, 194 shards) with the mixer's
# train pool now holding the four flite voices too (fetch_flite.sh: 1600 clips, 1.9 h, 12 % of
# the train speech clips), the rest of the recipe as small6's gen.sh. Written on one core while
# runs/small7 trains on the other and loads the new shards every 10 min. Resumable: rerun and
# only missing shards are written. Stopped (TERM) at 01:50 UTC after 78 shards (seeds 48640-53631,
# 5.0 M frames) to give the second core to runs/medium7; both runs train on the 272 shards.
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
exec nice -n 5 .venv/bin/python -m percepnet_train.make_cache --split train --start 48640 --count 6400 \
  --out /root/.cache/percepnet-wasm/features --workers 1
