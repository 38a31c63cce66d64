#!/bin/bash
# Session 15 (2026-12-04): does the formant warp help unseen voices? Two fine-tunes of the shipped
# medium10w, identical but for their data: ARM=warp trains on the first 75 shards mixed with the
# formant warp (seeds 73280-78079), ARM=plain on 75 shards of the same recipe and catalogue
# without it (seeds 59328-64127; the festival voices are in both). Each cache is a folder of
# symbolic links to those shards and the val shards (made by this script). 600 steps of batch
# 32 x 500 (9.6 M frames, two passes over 4.8 M), lr 1e-4 cosine, seed 16, one thread.
# Measured after by bench/gain_fit.py (the holdout voices' R2) and the holdout quality report.
#   bash docs/runs/warp-ab/train.sh warp; bash docs/runs/warp-ab/train.sh plain
# A third run, the warp arm anchored to medium10w (train --anchor-weight: L2 toward the init;
# the plain arm drifted 0.22 in that sum of squares, medium11 40):
#   RUN=ab-warp-anchor bash docs/runs/warp-ab/train.sh warp --anchor-weight 1
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
ARM=$1; shift
FEATURES=/root/.cache/percepnet-wasm/features
CACHE=/root/.cache/percepnet-wasm/ab-$ARM
case $ARM in
  warp) FIRST=73280 ;;
  plain) FIRST=59328 ;;
  *) echo "ARM must be warp or plain"; exit 2 ;;
esac
if [ ! -d $CACHE ]; then
  mkdir -p $CACHE
  ln -s $FEATURES/val_*.npz $CACHE/
  for i in $(seq 0 74); do
    s=$((FIRST + 64 * i)); f=$(printf "train_%08d-%08d.npz" $s $((s + 64)))
    ln -s $FEATURES/$f $CACHE/$f
  done
fi
INIT=runs/medium10w/ckpt_latest.pt
[ -f $INIT ] || INIT=docs/runs/medium10w/weights.npz
exec .venv/bin/python -m percepnet_train.train --cache $CACHE --run runs/${RUN:-ab-$ARM} --size medium \
  --init $INIT --lr 1e-4 --warmup 50 --band-weight-db 40 \
  --steps 600 --batch 32 --seq-len 500 --threads 1 --level-aug-db 10 \
  --val-every 200 --val-frames 100000 --log-every 50 --ema 0.999 --seed 16 "$@"
