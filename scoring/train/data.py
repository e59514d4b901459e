"""Build labelled (premise, hypothesis, label) pairs from BIG-bench tasks, dev files and JSONL files.

With BIG-bench, VitaminC is split by Wikipedia page, so no page of the validation or test split
ever appears in training. The page is the text before the first ": " of the BIG-bench ``input``
field (``"{page}: {evidence}\\nClaim: {claim}"``); titles that themselves contain ": " collapse
onto their prefix, which only makes the groups coarser, never leaks.

Without BIG-bench (its 1.0.0 sdist is no longer on the package registry), validation and test
are held-out source documents of the training sources themselves: the same hash split by
``Pair.group`` (`split_by_group`), applied to the dev files' documents, the synthetic pairs' seed
passages and the extra JSONL pairs' evidence, before any pair is made from them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import random
import re
import tarfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

from scoring.train import LABEL2ID

VITAMINC = "vitaminc_fact_verification"
PRESUPPOSITIONS = "presuppositions_as_nli"
TASK_DIR = "bigbench/benchmark_tasks"

VITAMINC_LABELS = {"True": "entailment", "Neither": "neutral", "False": "contradiction"}

# Label strings accepted in --extra-jsonl files (case-insensitive). A reviewer's claim-level
# "unsupported" means "the evidence does not support it", not "the evidence refutes it", so it maps
# to neutral; a record is contradiction only if its label says refuted/contradiction/false, or it
# carries "refuted": true.
JSONL_LABELS = {
    "entailment": "entailment",
    "supported": "entailment",
    "supports": "entailment",
    "true": "entailment",
    "neutral": "neutral",
    "insufficient": "neutral",
    "unsupported": "neutral",
    "not enough info": "neutral",
    "neither": "neutral",
    "contradiction": "contradiction",
    "refuted": "contradiction",
    "refutes": "contradiction",
    "false": "contradiction",
}


@dataclass(frozen=True, slots=True)
class Pair:
    premise: str
    hypothesis: str
    label: int
    source: str
    group: str = ""


# What the validation and test pairs are (`Splits.test_source`, the metrics' "test_source").
TEST_VITAMINC = "vitaminc_pages"
TEST_HELD_OUT_DOCUMENTS = "held_out_documents"
TEST_SOURCES = {
    TEST_VITAMINC: "held-out VitaminC pages",
    TEST_HELD_OUT_DOCUMENTS: "held-out documents of the training sources",
}


@dataclass(slots=True)
class Splits:
    train: list[Pair]
    val: list[Pair]
    test: list[Pair]
    test_source: str = TEST_VITAMINC  # a key of TEST_SOURCES


def _argmax_label(target_scores: dict[str, float]) -> str:
    return max(target_scores, key=lambda k: target_scores[k])


def read_task(bigbench: Path, task: str) -> dict:
    """Read ``task.json`` of a BIG-bench task from an extracted tree or the sdist tarball."""
    member = f"{TASK_DIR}/{task}/task.json"
    if bigbench.is_dir():
        for candidate in (bigbench / member, *bigbench.glob(f"*/{member}")):
            if candidate.is_file():
                return json.loads(candidate.read_text(encoding="utf-8"))
        raise FileNotFoundError(f"{member} not found under {bigbench}")
    with tarfile.open(bigbench) as tar:
        for info in tar:
            if info.name.endswith(member):
                fh = tar.extractfile(info)
                if fh is not None:
                    return json.loads(fh.read().decode("utf-8"))
    raise FileNotFoundError(f"{member} not found in {bigbench}")


def vitaminc_pairs(task: dict) -> list[Pair]:
    pairs = []
    for ex in task["examples"]:
        evidence, sep, claim = ex["input"].partition("\nClaim: ")
        if not sep:
            continue
        page = evidence.split(": ", 1)[0]
        label = VITAMINC_LABELS[_argmax_label(ex["target_scores"])]
        pairs.append(Pair(evidence.strip(), claim.strip(), LABEL2ID[label], "vitaminc", page))
    return pairs


_SENTENCES = re.compile(r"Sentence 1:\s*(.*?)\s*\nSentence 2:\s*(.*?)\s*(?:\n|$)", re.S)


def presupposition_pairs(task: dict) -> list[Pair]:
    pairs = []
    for ex in task["examples"]:
        m = _SENTENCES.search(ex["input"])
        if not m:
            continue
        label = _argmax_label(ex["target_scores"])
        group = str(ex.get("comment", {}).get("example_id", ""))
        pairs.append(Pair(m.group(1), m.group(2), LABEL2ID[label], "presuppositions", group))
    return pairs


def bucket(group: str, salt: str = "reviewqueue-nli-v1") -> float:
    """A stable number in [0, 1) for a group name (same on every machine and Python run)."""
    digest = hashlib.sha256(f"{salt}:{group}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


class _Grouped(Protocol):
    @property
    def group(self) -> str: ...


G = TypeVar("G", bound=_Grouped)


def split_by_group(pairs: Iterable[G], val_frac: float, test_frac: float) -> tuple[list[G], list[G], list[G]]:
    """(train, val, test) by the stable hash of each item's ``group`` (pairs, or seed passages)."""
    train: list[G] = []
    val: list[G] = []
    test: list[G] = []
    for p in pairs:
        b = bucket(p.group)
        if b < test_frac:
            test.append(p)
        elif b < test_frac + val_frac:
            val.append(p)
        else:
            train.append(p)
    return train, val, test


_NUMBER = re.compile(r"(?<![\w.,])\d[\d,]*(?:\.\d+)?(?![\w])")
_COMPARATIVE = re.compile(
    r"\b(more|less|over|under|fewer|than|above|below|least|most|nearly|almost|about|around|"
    r"approximately|roughly|up to|exceed\w*|between|within|before|after|since|until|by)\b",
    re.I,
)


def _perturb_number(token: str, rng: random.Random) -> str:
    digits = token.replace(",", "")
    if "." in digits:
        value = float(digits)
        new = value * rng.choice([0.5, 2.0, 1.5, 0.7, 3.0])
        decimals = len(digits.split(".")[1])
        return f"{new:.{decimals}f}"
    value = int(digits)
    if 1900 <= value <= 2100 and len(digits) == 4:  # a year: shift it
        return str(value + rng.choice([-3, -2, -1, 1, 2, 3]))
    if value < 10:
        return str(rng.choice([v for v in range(2, 13) if v != value]))
    new = int(value * rng.choice([0.5, 2, 3, 0.25, 1.5, 10]))
    if new == value:
        new = value + 1
    return f"{new:,}" if "," in token else str(new)


def number_swaps(pairs: Iterable[Pair], limit: int, seed: int) -> list[Pair]:
    """Contradictions made by changing one number of an entailed claim that the evidence states.

    Only claims without comparatives ("more than", "before", ...) are used, so the changed claim
    is really false given the evidence (an exact figure that disagrees with the stated one).
    """
    rng = random.Random(seed)
    out: list[Pair] = []
    candidates = [p for p in pairs if p.label == LABEL2ID["entailment"]]
    rng.shuffle(candidates)
    for p in candidates:
        if len(out) >= limit:
            break
        if _COMPARATIVE.search(p.hypothesis):
            continue
        title, body = p.group, p.premise.removeprefix(f"{p.group}: ")
        body_numbers = {n.group() for n in _NUMBER.finditer(body)}
        title_numbers = {n.group() for n in _NUMBER.finditer(title)}
        numbers = [
            m for m in _NUMBER.finditer(p.hypothesis) if m.group() in body_numbers and m.group() not in title_numbers
        ]
        if not numbers:
            continue
        m = rng.choice(numbers)
        new = _perturb_number(m.group(), rng)
        if new == m.group() or new in body_numbers:
            continue
        hyp = p.hypothesis[: m.start()] + new + p.hypothesis[m.end() :]
        out.append(Pair(p.premise, hyp, LABEL2ID["contradiction"], "number_swap", p.group))
    return out


def jsonl_pairs(path: Path) -> Iterator[Pair]:
    """Labelled pairs from a JSONL file.

    Each line: ``{"premise"|"evidence": str, "hypothesis"|"claim": str, "label": str}`` with
    label in entailment/neutral/contradiction or supported/insufficient/refuted (also the
    product's claim-level export, supported/unsupported; unsupported → neutral unless the record
    has ``"refuted": true``). An optional ``"group"`` names the source document (for the split
    without BIG-bench); by default pairs with the same evidence text form one group.
    """
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            rec = json.loads(line)
            premise = rec.get("premise", rec.get("evidence"))
            hypothesis = rec.get("hypothesis", rec.get("claim"))
            raw = str(rec.get("label", "")).strip().lower()
            if not isinstance(premise, str) or not isinstance(hypothesis, str):
                raise ValueError(f"{path}:{n}: needs premise/evidence and hypothesis/claim")
            if raw not in JSONL_LABELS:
                raise ValueError(f"{path}:{n}: unknown label {rec.get('label')!r}")
            label = "contradiction" if rec.get("refuted") is True else JSONL_LABELS[raw]
            yield Pair(premise, hypothesis, LABEL2ID[label], f"jsonl:{path.name}", _jsonl_group(rec, premise))


def _jsonl_group(rec: dict, premise: str) -> str:
    """A JSONL pair's source document: its ``group`` field if it has one, else its evidence text
    (pairs checked against the same evidence stay on one side of a split)."""
    if rec.get("group") not in (None, ""):
        return f"jsonl:{rec['group']}"
    return "evidence:" + hashlib.sha256(premise.encode("utf-8")).hexdigest()[:16]


def build(
    bigbench: Path | None,
    extra_jsonl: Iterable[Path] = (),
    *,
    val_frac: float = 0.03,
    test_frac: float = 0.10,
    number_swap: int = 4000,
    seed: int = 13,
    dev_files: Sequence[Path] = (),
    synthetic: int = 0,
    vitaminc_limit: int = 0,
    extra_repeat: int = 1,
) -> Splits:
    """All training, validation (checkpoint choice) and test (reporting) pairs.

    With `bigbench`: validation and test are VitaminC only, on pages disjoint from training. The
    presupposition task, the number-swap contradictions (built from training pages only) and any
    extra JSONL pairs go to training. `dev_files` adds their labelled claims and `synthetic` pairs
    made from their passages, both from the training folds only (`scoring.folds`; RAGTruth-dev
    never); `vitaminc_limit` keeps a seeded sample of that many VitaminC training pairs (replay, so
    a model continued on the new data keeps what it learnt there). `extra_repeat` puts each extra
    JSONL training pair in that many times: hand-written pairs are few beside the generated ones.

    Without `bigbench` (``None``): no VitaminC, no presuppositions. The dev files' training-fold
    claims, the synthetic pairs (from the dev passages, and a tenth as many from the support
    passages) and the extra JSONL pairs are split by source document (`Pair.group`, `bucket`):
    `test_frac` of the documents are the test set, `val_frac` the validation set, the rest train.
    Synthetic pairs are made separately inside each part (about `synthetic` for training, that
    times `val_frac` / `test_frac` for the others), so no sentence, name or fragment of a held-out
    document reaches training. Number swaps are then built from the training pairs.
    """
    extra_jsonl = list(extra_jsonl)
    if bigbench is None and not dev_files and not extra_jsonl:
        raise ValueError("no training data: give a BIG-bench sdist, or dev files / extra JSONL files")
    if bigbench is None:
        return _build_held_out_documents(
            extra_jsonl, val_frac, test_frac, number_swap, seed, dev_files, synthetic, extra_repeat
        )
    vc = vitaminc_pairs(read_task(bigbench, VITAMINC))
    train, val, test = split_by_group(vc, val_frac, test_frac)
    if number_swap:
        train += number_swaps(train, number_swap, seed)
    if vitaminc_limit and len(train) > vitaminc_limit:
        train = random.Random(seed).sample(train, vitaminc_limit)
    with contextlib.suppress(FileNotFoundError):
        train += presupposition_pairs(read_task(bigbench, PRESUPPOSITIONS))
    if dev_files:
        from scoring.train.devpairs import dev_pairs, training_documents
        from scoring.train.synthetic import Doc, make_pairs, support_documents

        train += dev_pairs(list(dev_files))
        if synthetic:
            docs = [Doc(group, text) for group, text in training_documents(list(dev_files))]
            train += make_pairs(docs, synthetic, seed=seed)
            # The support passages are few: a tenth of the synthetic pairs, drawn from them alone.
            train += make_pairs(support_documents(), synthetic // 10, seed=seed + 1, source="synthetic-support")
    for path in extra_jsonl:
        train += list(jsonl_pairs(path)) * extra_repeat
    return Splits(train, val, test, TEST_VITAMINC)


def _build_held_out_documents(
    extra_jsonl: list[Path],
    val_frac: float,
    test_frac: float,
    number_swap: int,
    seed: int,
    dev_files: Sequence[Path],
    synthetic: int,
    extra_repeat: int = 1,
) -> Splits:
    from scoring.train.devpairs import dev_pairs, training_documents
    from scoring.train.synthetic import Doc, make_pairs, support_documents

    pairs: list[Pair] = []
    if dev_files:
        pairs += dev_pairs(list(dev_files))
    for path in extra_jsonl:
        pairs += list(jsonl_pairs(path))
    train, val, test = split_by_group(pairs, val_frac, test_frac)
    # Repeated after the split, so a held-out document's pairs stay out of training.
    train += [p for p in train if p.source.startswith("jsonl:")] * (extra_repeat - 1)
    if dev_files and synthetic:
        # Seed passages split as their documents' claims are; the pairs of each part are made from
        # that part's passages alone. The support passages give a tenth as many, split by passage.
        docs = [Doc(group, text) for group, text in training_documents(list(dev_files))]
        parts = zip((train, val, test), (1.0, val_frac, test_frac), (seed, seed + 20, seed + 30), strict=True)
        for (part, frac, part_seed), own, support in zip(
            parts,
            split_by_group(docs, val_frac, test_frac),
            split_by_group(support_documents(), val_frac, test_frac),
            strict=True,
        ):
            part += make_pairs(own, round(synthetic * frac), seed=part_seed)
            part += make_pairs(support, round(synthetic // 10 * frac), seed=part_seed + 1, source="synthetic-support")
    if number_swap:
        train += number_swaps(train, number_swap, seed)
    if not val or not test:
        raise ValueError(
            f"held-out documents: {len(val)} validation and {len(test)} test pairs; add data or raise"
            " --val-frac / --test-frac"
        )
    return Splits(train, val, test, TEST_HELD_OUT_DOCUMENTS)
