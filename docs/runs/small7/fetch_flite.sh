#!/bin/bash
# Session 11: four flite voices (percepnet_train.tts_voice.synthesize_flite_tree: Debian's flite
# and libflite1, both cleared by ../shared/tools/source-allowed; awb, rms, slt, kal16, 400
# sentences each) as train-only speech, beside the packages already decoded (reused); rewrites
# manifest, splits and DATA_MANIFEST.md. val, test and holdout entries stay exactly as they were
# (checked after against a copy of splits.json taken before).
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
exec nice -n 10 .venv/bin/python -m percepnet_train.fetch_data --workers 1 --summary py/percepnet_train/DATA_MANIFEST.md
