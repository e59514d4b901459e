"""`scoring.entities`: the names a claim gives that no evidence gives."""

from __future__ import annotations

import pytest

from scoring.entities import unstated_names

EVIDENCE = (
    "The study, run in Swansea by Dr. Shah, found that American adults in China and Canada sleep less. "
    "The café offers free WiFi on Mondays."
)


def names(claim: str) -> list[str]:
    return [claim[a:b] for a, b in unstated_names(claim, EVIDENCE)]


def test_a_name_the_evidence_never_gives_is_found() -> None:
    assert names("The study was run in Cardiff by Dr. Patel.") == ["Cardiff", "Patel"]
    assert names("Shah ran it in Swansea with Professor Okafor.") == ["Professor", "Okafor"]


@pytest.mark.parametrize(
    "claim",
    [
        "It was run in Swansea, and Americans sleep less.",  # inflected: "American"
        "Chinese and Canadian adults sleep less.",  # "China", "Canada"
        "Dr. Shah's team ran it.",  # a possessive
        "The café has free Wi-Fi.",  # hyphens aside
        "It is open on Tuesdays in March.",  # days and months are the schedule comparators'
        "The Study was run in Swansea.",  # the first word of a sentence is capitalised anyway
        "It ran in the UK.",  # acronyms are the guardrails'
    ],
)
def test_stated_or_not_a_name(claim: str) -> None:
    assert names(claim) == []


def test_the_question_counts_as_stated() -> None:
    question = "Did Okafor's team help?"
    claim = "Yes, Okafor ran the analysis."
    assert unstated_names(claim, EVIDENCE) != []
    assert unstated_names(claim, f"{EVIDENCE}\n{question}") == []
