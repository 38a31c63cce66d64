#!/bin/bash
# Train shards with the whole-signal feature path (from seed 0; existing shards are skipped).
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
exec .venv/bin/python -m percepnet_train.make_cache --split train --count 100000 --out /root/.cache/percepnet-wasm/features --workers 1
