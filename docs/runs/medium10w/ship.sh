#!/bin/bash
# Session 14 (2026-12-04): ship medium10w's int8 export (val96 against medium8: STOI +0.002,
# SI-SDR +0.09 dB, BAK +0.04, OVRL +0.023, PESQ +0.008 n.s.) and regenerate the reports that
# describe the shipped model, each paired against medium8 in the same run: the test and holdout
# quality reports, the low-rate report and the first words through a 44.1 kHz device.
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
cp docs/runs/medium10w/weights.npz py/percepnet_wasm/weights.npz
(cd py/percepnet_wasm && sha256sum weights.npz > weights.sha256)
.venv/bin/python -m percepnet_eval.quality --split test --jobs 1 --score-cache runs/score-cache \
  --systems ours,ours:docs/runs/medium8/weights.npz,rnnoise,dfn3,oracle
.venv/bin/python -m percepnet_eval.quality --split holdout --jobs 1 --score-cache runs/score-cache \
  --systems ours,ours:docs/runs/medium8/weights.npz,rnnoise,dfn3,oracle
.venv/bin/python -m percepnet_eval.lowrate
.venv/bin/python bench/first_words.py docs/runs/medium10w/weights.npz docs/runs/medium8/weights.npz --out docs/first-words.json
