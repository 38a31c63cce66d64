#!/bin/bash
# Session 16 (2026-12-04): medium13's recipe (medium10w fine-tuned on the warp-era mixtures of
# /root/.cache/percepnet-wasm/warp, made by docs/runs/medium13/train.sh and gen.sh) with the
# target rows of the TTS voices (festival and flite) left out of the loss, as tts-ab's no-tts arm
# found (docs/training.md, session 16). 700 steps (11 M frames, what the end of the session left
# room for), lr 1e-4 cosine, seed 18, one thread.
# Resumable: rerun. Stop: pkill -INT -f "runs/medium14 --size".
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
INIT=runs/medium10w/ckpt_latest.pt
[ -f $INIT ] || INIT=docs/runs/medium10w/weights.npz
exec .venv/bin/python -m percepnet_train.train --cache /root/.cache/percepnet-wasm/warp --run runs/medium14 --size medium \
  --init $INIT --lr 1e-4 --warmup 100 --band-weight-db 40 \
  --drop-reference-bak 1 --reference-quality docs/runs/tts-ab/no-tts.json \
  --steps 700 --batch 32 --seq-len 500 --threads 1 --level-aug-db 10 \
  --val-every 350 --val-frames 100000 --log-every 50 --ema 0.999 --seed 18 "$@"
