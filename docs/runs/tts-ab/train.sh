#!/bin/bash
# Session 16 (2026-12-04): do the robotic TTS voices cost unseen natural speech? Every continuation
# of medium10w on festival-era shards (seeds >= 59328) passed the holdout's Dutch speech worse
# (warp-ab's plain arm -0.39 dB speech alone, medium11 -1.3, medium13 -0.14); medium10w's own data
# had flite but no festival voices. The plain arm of docs/runs/warp-ab again (its 75 shards, 600
# steps, lr 1e-4, seed 16), with the target rows of the festival voices (ARM=no-festival) or of
# festival and flite (ARM=no-tts) left out of the loss: train --drop-reference-bak 1 with a
# "rating" that puts those groups at BAK 0 (no-festival.json, no-tts.json beside this script).
#   bash docs/runs/tts-ab/train.sh no-festival; bash docs/runs/tts-ab/train.sh no-tts
set -e
cd /work/main
ARM=$1; shift
RUN=ab-$ARM exec bash docs/runs/warp-ab/train.sh plain --drop-reference-bak 1 \
  --reference-quality docs/runs/tts-ab/$ARM.json "$@"
