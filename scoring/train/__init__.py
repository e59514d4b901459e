"""Train, evaluate and export the NLI verifier that reviewqueue ships as its default model.

Run ``python -m scoring.train --help``. Nothing here is imported by the scoring engine at
inference time; it only needs ``transformers`` and ``torch``.
"""

LABELS: tuple[str, str, str] = ("entailment", "neutral", "contradiction")
LABEL2ID: dict[str, int] = {name: i for i, name in enumerate(LABELS)}
