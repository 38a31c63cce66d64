#!/bin/bash
# Session 16: the two tts-ab arms exported int8 and measured on the holdout beside warp-ab's plain
# arm (the same run with every row in the loss) and medium10w (the package, "ours"), paired.
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
D=docs/runs/tts-ab
for ARM in no-festival no-tts; do
  .venv/bin/python -m percepnet_train.export runs/ab-$ARM/ckpt_latest.pt --out $D/$ARM.npz
  rm -f $D/$ARM.sha256                  # one weights.sha256 for both, below
  cp runs/ab-$ARM/log.jsonl $D/$ARM-log.jsonl
done
(cd $D && sha256sum no-festival.npz no-tts.npz > weights.sha256)
.venv/bin/python -m percepnet_eval.quality --split holdout --jobs 2 --score-cache runs/score-cache \
  --systems ours,ours:docs/runs/warp-ab/plain.npz,ours:$D/no-festival.npz,ours:$D/no-tts.npz \
  --out $D/quality-holdout.md --figure ''
