"""The synthetic pair generator: every kind makes the pair it claims, with the right label, seeded."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest

from scoring.folds import TRAIN_FOLDS, fold_of
from scoring.train import LABEL2ID
from scoring.train import synthetic as syn
from scoring.train.devpairs import dev_pairs, document_groups, record_pairs, training_documents

DOCS = [
    syn.Doc(
        "a",
        "The store opens at 9 AM on Monday. All customers get free shipping on orders over $50. "
        "The warranty is not transferable. Maria Lopez founded the company in 2015 in Denver. "
        "Refunds are available within 30 days (excluding sale items).",
    ),
    syn.Doc(
        "b",
        "The museum was rebuilt after the fire of 1871 with help from Chicago residents. "
        "Its collection includes more than 300 paintings from the early period. "
        "Visitors can buy tickets online, and entry is free on the first Sunday of each month.",
    ),
    syn.Doc("c", "Premium members can book same-day delivery in selected cities, and Basic members pay a fee."),
]


def test_make_pairs_is_seeded_and_balanced() -> None:
    a = syn.make_pairs(DOCS, 300, seed=7)
    b = syn.make_pairs(DOCS, 300, seed=7)
    assert a == b
    assert a != syn.make_pairs(DOCS, 300, seed=8)
    labels = Counter(p.label for p in a)
    assert len(a) == 300
    assert set(labels) == {0, 1, 2}
    assert max(labels.values()) - min(labels.values()) <= 1


def test_every_pair_carries_its_kinds_label() -> None:
    for p in syn.make_pairs(DOCS, 600, seed=3):
        kind = p.source.split(":", 1)[1]
        assert p.label == LABEL2ID[syn.LABEL_OF[kind]], p
        assert p.hypothesis != p.premise


def rng() -> random.Random:
    return random.Random(0)


def test_number_change_is_a_contradiction_and_skips_comparatives() -> None:
    s = "The company sold 120 units last month."
    new = syn._number(s, rng(), s)
    assert new is not None and "120" not in new and new.replace(new.split()[3], "120") == s
    assert syn._number("The company sold more than 120 units.", rng(), "") is None


def test_date_weekday_and_name_changes() -> None:
    s = "The shop reopened in March 2019 on a Monday."
    assert syn._date(s, rng(), s) not in {None, s}
    day = syn._weekday(s, rng(), s)
    assert day is not None and "Monday" not in day and day.endswith("day.")
    named = syn._name("The prize went to Maria Lopez last year.", rng(), "", ["Ken Watanabe"])
    assert named == "The prize went to Ken Watanabe last year."


def test_negation_adds_or_removes_not() -> None:
    assert syn._negation("The warranty is transferable.", rng(), "") == "The warranty is not transferable."
    assert syn._negation("The warranty is not transferable.", rng(), "") == "The warranty is transferable."


def test_scope_attribute_and_tier_swaps() -> None:
    assert syn._scope("All customers get free shipping.", rng(), "") == "Only some customers get free shipping."
    flipped = syn._attribute("Prices increased in the north.", random.Random(5), "")
    assert flipped in {"Prices decreased in the north.", "Prices increased in the south."}
    tier = syn._attribute("Premium members get free delivery.", random.Random(1), "")
    assert tier is not None and tier != "Premium members get free delivery."


def test_paraphrase_keeps_the_facts() -> None:
    s = "In the spring, the city purchased 3 buses (all electric) for the airport line."
    out = syn._paraphrase(s, random.Random(2))
    assert out is not None and out != s
    assert "buses" in out and "airport line" in out


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Claude Monet, a French painter, lived in Giverny for decades.", "Claude Monet lived in Giverny for decades."),
        ("The company, which sells shoes, opened in 2015 in Denver.", "The company opened in 2015 in Denver."),
        ("The museum holds many works, including paintings by Monet and Degas.", "The museum holds many works."),
        ("Sales rose by 5% in 2020, according to the annual report.", "Sales rose by 5% in 2020."),
        # A restrictive clause limits the claim; dropping it would widen it to everyone.
        ("Customers who paid by card can get a refund within 30 days.", None),
        # A clause that negates or limits is kept, whatever its form.
        ("The plan, which is not refundable, costs $20 a month.", None),
        ("Members get free delivery, including orders except furniture.", None),
        # An appositive is dropped only after a name.
        ("He met the president, a man of few words, in Paris.", None),
    ],
)
def test_compress_drops_only_what_does_not_change_the_claim(sentence: str, expected: str | None) -> None:
    out = syn._compress(sentence, random.Random(1))
    assert out == expected


def test_merge_joins_two_neighbouring_sentences() -> None:
    window = "The shop opened in 2015. It sells shoes. Maria Lopez runs it, and Maria Lopez owns it."
    merged = syn._merge("The shop opened in 2015.", "It sells shoes to tourists.", window, random.Random(0))
    assert merged in {
        "The shop opened in 2015, and it sells shoes to tourists.",
        "The shop opened in 2015; it sells shoes to tourists.",
    }
    # A name keeps its capital; an unknown capitalised opening is not guessed at.
    named = syn._merge("The shop opened in 2015.", "Maria runs it with her brother.", "Yes, Maria runs it.", rng())
    assert named is not None and named.endswith("Maria runs it with her brother.")
    assert syn._merge("The shop opened in 2015.", "Maria runs it with her brother.", "", rng()) is None
    assert syn._merge("The shop opened in 2015.", None, window, rng()) is None


def test_merged_claims_get_both_sentences_in_their_window() -> None:
    pairs = syn.make_pairs([*DOCS, *syn.support_documents()], 3000, seed=11)
    merged = [p for p in pairs if p.source.endswith(":merge")]
    assert merged and all(p.label == LABEL2ID["entailment"] for p in merged)
    for p in merged:
        first, _, second = p.hypothesis.partition(", and " if ", and " in p.hypothesis else "; ")
        assert first in p.premise and second[1:] in p.premise, p


def test_copies_are_a_minority_of_entailments_and_rewording_is_no_label_cue() -> None:
    pairs = syn.make_pairs(DOCS, 600, seed=4)
    entailed = [p for p in pairs if p.label == LABEL2ID["entailment"]]
    copies = [p for p in entailed if p.source.endswith(":copy")]
    # Half at most here (three short documents leave little to reword); 15% on the dev passages.
    assert len(copies) <= 0.55 * len(entailed)
    # Some contradictions are made from a reworded sentence: not a copy with one detail changed.
    contradictions = [p for p in pairs if p.label == LABEL2ID["contradiction"]]
    premise_sentences = {p: {x.strip() for x in p.premise.split(". ")} for p in contradictions}
    far = [p for p in contradictions if not any(_one_word_apart(p.hypothesis, s) for s in premise_sentences[p])]
    assert len(far) > 0.1 * len(contradictions)


def _one_word_apart(a: str, b: str) -> bool:
    x, y = a.rstrip(".").split(), b.rstrip(".").split()
    return len(x) == len(y) and sum(u != v for u, v in zip(x, y, strict=True)) <= 2


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The warranty is not transferable.", "The warranty is non-transferable."),
        ("Gift cards are non-refundable.", "Gift cards are not refundable."),
        ("Opened software cannot be returned.", "Opened software can't be returned."),
        ("Delivery is free of charge.", "Delivery is at no charge."),
    ],
)
def test_reword_keeps_the_polarity(sentence: str, expected: str) -> None:
    assert syn._polarity_reword(sentence, rng()) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Customers can return items within 30 days.", "You can return items within 30 days."),
        ("All subscribers keep their history.", "You keep your history."),
        # A qualified group keeps its qualifier: dropping it would widen the statement.
        ("Premium members can pause their plan.", "As a Premium member, you can pause your plan."),
        (
            "Enterprise plan customers get an account manager.",
            "As an Enterprise plan customer, you get an account manager.",
        ),
        # Not a policy's audience: left as it is.
        ("The customers were angry.", None),
        ("Customers who cancel early pay a fee.", None),
        ("Some customers pay twice.", None),
    ],
)
def test_second_person_speaks_to_the_customer(sentence: str, expected: str | None) -> None:
    assert syn.to_second_person(sentence) == expected


def test_reworded_pairs_are_entailed_and_second_person_contradictions_stay_contradictions() -> None:
    docs = [*DOCS, *syn.support_documents()]
    pairs = syn.make_pairs(docs, 3000, seed=5)
    reworded = [p for p in pairs if p.source.endswith(":reword")]
    assert reworded and all(p.label == LABEL2ID["entailment"] for p in reworded)
    # The second person appears under every label, so it is no cue to entailment.
    you = {p.label for p in pairs if p.hypothesis.startswith(("You ", "As a", "As an"))}
    assert {LABEL2ID["entailment"], LABEL2ID["contradiction"]} <= you


def test_neutral_kinds_add_or_replace_content() -> None:
    detail = syn._invented("The store opens at 9 AM.", rng(), ["with a USB-C cable"])
    assert detail == "The store opens at 9 AM with a USB-C cable."
    docs = [(0, ["one two three four five six"]), (1, ["seven eight nine ten eleven twelve"])]
    other = syn._other_doc(docs, 0, rng())
    assert other in {None, "seven eight nine ten eleven twelve"}


def test_support_documents_ship_with_the_generator() -> None:
    docs = syn.support_documents()
    assert len(docs) >= 30
    assert {p.source for p in syn.make_pairs(docs, 200, seed=1)} >= {"synthetic:copy", "synthetic:negation"}


def _record(dataset: str, label: int, passage: str, response: str, **meta: object) -> dict:
    return {
        "id": f"{dataset}:x",
        "dataset": dataset,
        "label": label,
        "passages": [{"id": "p", "text": passage}],
        "response": response,
        "meta": meta,
    }


def test_dev_pairs_follow_the_labels() -> None:
    doc = "The bridge opened in 1932. It carries six lanes. Tolls were removed in 1990."
    (good,) = record_pairs(_record("lfqa_verification", 0, doc, "The bridge has six lanes."))
    assert good.label == LABEL2ID["entailment"] and "six lanes" in good.premise
    (bad,) = record_pairs(_record("begin", 1, doc, "The bridge is painted red."))
    assert bad.label == LABEL2ID["neutral"]
    edited = _record(
        "summedits",
        1,
        doc,
        "The bridge opened in 1932. Tolls were added in 1990.",
        original_summary="The bridge opened in 1932. Tolls were removed in 1990.",
        edit_types=["antonym_swap"],
    )
    (pair,) = record_pairs(edited)
    assert pair.hypothesis == "Tolls were added in 1990." and pair.label == LABEL2ID["contradiction"]


def test_dev_pairs_use_training_folds_only_and_never_ragtruth(tmp_path: Path) -> None:
    recs = [_record("lfqa_verification", 0, f"Doc {i} says the sky is blue.", "The sky is blue.") for i in range(40)]
    recs.append(_record("ragtruth", 0, "Doc r says the sky is blue.", "The sky is blue."))
    path = tmp_path / "dev.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in recs))
    pairs = dev_pairs([path])
    expected = [r for r in recs if r["dataset"] != "ragtruth" and fold_of(r) in TRAIN_FOLDS]
    assert 0 < len(pairs) == len(expected) < 40
    assert {p.premise for p in pairs} == {r["passages"][0]["text"] for r in expected}
    docs = training_documents([path])
    assert all("Doc r" not in text for _, text in docs)


def test_document_groups_join_records_that_share_a_passage() -> None:
    article = "The bridge opened in 1932 and carries six lanes of traffic across the wide river to the city."
    other = "The museum was rebuilt after the great fire of 1871 with help from the residents of the city."
    boiler = "Skip to main content"
    a = _record("wice", 0, article, "The bridge has six lanes.")
    b = {**_record("wice", 1, other, "The museum burned."), "passages": [{"text": other}, {"text": article}]}
    c = {**_record("wice", 0, boiler, "x"), "passages": [{"text": boiler}, {"text": "A third, unrelated page. " * 5}]}
    d = {**_record("wice", 0, boiler, "y"), "passages": [{"text": boiler}, {"text": "A fourth, unrelated page. " * 5}]}
    e = _record("begin", 1, other, "The museum is new.")
    groups = document_groups([a, b, c, d, e])
    assert groups[0] == groups[1] == groups[4]  # a shares the article with b, b the museum text with e
    assert len({groups[0], groups[2], groups[3]}) == 3  # boilerplate joins nothing
    assert groups == document_groups([a, b, c, d, e]) and all(g.startswith("doc:") for g in groups)


@pytest.mark.parametrize("kind", syn.KINDS)
def test_each_kind_is_made_from_the_docs(kind: str) -> None:
    docs = [*DOCS, *syn.support_documents()]
    kinds = {p.source.split(":", 1)[1] for p in syn.make_pairs(docs, 3000, seed=11)}
    assert kind in kinds
