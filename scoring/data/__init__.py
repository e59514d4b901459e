"""Small data sets that ship with the scoring library (``structured_dev.jsonl`` and its generator)."""
