#!/bin/bash
# Session 7: decode the TRAIN_ONLY_PACKAGES added to fetch_data (noise and music, all to train)
# beside the existing packages (already decoded: reused), and rewrite manifest, splits and
# DATA_MANIFEST.md. val, test and holdout entries stay exactly as they were (checked after).
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
exec nice -n 10 .venv/bin/python -m percepnet_train.fetch_data --workers 1 --summary py/percepnet_train/DATA_MANIFEST.md
