#!/bin/bash
# Session 14: eleven voices of Debian's festival in six languages as train-only speech
# (percepnet_train.festival_voice.synthesize_festival_tree): Czech dita, krb, machac, ph;
# Catalan upc_ca_ona_hts; Italian lp, pc; Russian msu_ru_nsh_clunits; Finnish suo_fi_lj,
# hy_fi_mv; US English ked (the Hindi/Marathi/Telugu NSK voices are left out: one speaker
# recorded with a hum). 120 sentences per voice (robotic TTS, used sparingly: 1 320 clips,
# ~1.9 h at ~5 s each; 0.05-0.25 s of one core per clip), at random speaking rates. Text: the
# translations in evolution-common's .mo catalogues (downloaded here too); the English voice
# reads the stdlib docstring sentences after piper's and flite's. festival, libestools2.5, the
# language packages (festival-czech, -ca, festlex-ifd, -cmu, -poslex,
# festvox-suopuhe-common), the voices and evolution-common were each cleared by
# ../shared/tools/source-allowed. Every other package is reused as decoded; rewrites manifest,
# splits and DATA_MANIFEST.md. val, test and holdout entries stay exactly as they were (check
# after against a copy of splits.json taken before). Before mixing shards with the new
# catalogue: reference_mask.py replays mixture draws from the catalogue's file lengths, as it
# does for the flite voices (their era starts at seed 48640), so it needs the first seed mixed
# with the festival voices too (CATALOG_ERAS: 59328). Run at 13:14-13:21 UTC:
# 1319 clips (lp_diphone could not read one sentence); val, test and holdout entries unchanged.
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
exec nice -n 10 .venv/bin/python -m percepnet_train.fetch_data --workers 1 --summary py/percepnet_train/DATA_MANIFEST.md
