#!/bin/bash
# Session 15 (2026-12-04): train mixtures from seed 73280 on, the first with the mixer's formant
# warp (the first of mixer.FORMANT_WARP_ERAS: half the target's clips with their envelope stretched by
# 0.89-1.12, harmonics kept), after medium11/gen.sh's 579 shards (seeds 36224-73279, ~102 h).
# First used by docs/runs/warp-ab (its first 75 shards).
# Why: unseen voices are what the network generalises worst to (docs/training.md, session 8);
# every allowed voice is in use, and the speed perturbation moves pitch and formants together.
# 128 shards (8192 ten-second mixtures, ~23 h, ~8 M frames) keep the trainer's RAM under
# ~13 GB. One core, ~30 s a shard. Resumable: rerun and only missing shards are written; stop
# with kill -TERM.
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
# Session 15 ran it twice side by side on disjoint seeds: as it is (73280-81471, from 15:49) and
# with START=81472 (from 17:03, once the warp-ab runs had freed a core); the first range was done
# by 17:25, and START=89664 took its core. Both stopped (TERM) at 17:50 with 51 shards
# (81472-84735) and 46 (89664-92607): 225 warp-era shards in all, 804 train shards in the cache.
exec nice -n 5 .venv/bin/python -m percepnet_train.make_cache --split train --start ${START:-73280} --count ${COUNT:-8192} \
  --out /root/.cache/percepnet-wasm/features --workers 1
