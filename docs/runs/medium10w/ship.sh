#!/bin/bash
# Session 14 (2026-12-04): ship medium10w's int8 export (val96 against medium8: STOI +0.002,
# SI-SDR +0.09 dB, BAK +0.04, OVRL +0.023, PESQ +0.008 n.s.) and regenerate the reports that
# describe the shipped model, each paired against medium8 in the same run: the test and holdout
# quality reports, the low-rate report and the first words through a 44.1 kHz device.
# It ran as the commands that docs/runs/ship.sh (written in session 15 from this script) runs:
set -e
exec bash "$(dirname "$0")/../ship.sh" medium10w medium8
