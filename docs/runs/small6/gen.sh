#!/bin/bash
# Session 10 (2026-12-03): the data for runs/small6 on a fresh machine (session 9's machine, with
# the 100 h cache and every runs/ checkpoint, was replaced mid-session). fetch_data (the same 14
# sources, manifest and splits as session 8: DATA_MANIFEST.md), the 256 val mixtures every run
# since session 5 validates on, then train mixtures from seed 36224 on: the current mixer's recipe
# (speed perturbation, TTS voice, and session 9's device-rate augmentation, 30 % of train
# mixtures through 22.05-44.1 kHz after a random low-pass); seeds 0-36223 made the 100 h cache
# the init's lineage trained on, so these are all new mixtures. Resumable: rerun and each step
# writes only what is missing.
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
OUT=/root/.cache/percepnet-wasm/features
nice -n 19 .venv/bin/python -m percepnet_train.fetch_data --workers 1
nice -n 5 .venv/bin/python -m percepnet_train.make_cache --split val --count 256 --out $OUT --workers 1
exec nice -n 5 .venv/bin/python -m percepnet_train.make_cache --split train --start 36224 --count 12800 --out $OUT --workers 1
