"""Training-data pipeline of percepnet-wasm (outside the runtime wheel).

- ``fetch_data``: download the allowed Debian packages (``/work/shared/DATA.md``), decode their
  audio to 48 kHz mono int16, write a provenance manifest and speaker-disjoint splits.
- ``mixer``: deterministic noisy/clean mixtures for one seed and split.
- ``make_cache``: feature/target shards for training, built from mixtures.
"""
