#!/bin/bash
# Data generation as run on 2026-12-03 (session 5): sanity cache, val, then train shards.
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
.venv/bin/python -m percepnet_train.make_cache --split train --count 20 --shard-size 20 --out /root/.cache/percepnet-wasm/sanity --workers 1
.venv/bin/python -m percepnet_train.make_cache --split val --count 256 --out /root/.cache/percepnet-wasm/features --workers 1
.venv/bin/python -m percepnet_train.make_cache --split train --count 40000 --out /root/.cache/percepnet-wasm/features --workers 1
