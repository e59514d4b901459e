"""Reported opinions compared with the reviews they report (`scoring.opinions`)."""

from __future__ import annotations

import pytest

from scoring.opinions import contradicted_opinion, sentiment

REVIEWS = (
    "Bangkok Garden's green curry was fragrant and properly spicy. Service was painfully slow, though - "
    "we waited ages just to get the check."
)


@pytest.mark.parametrize(
    ("claim", "clause", "reason"),
    [
        # Praise where the reviews complain, and the reverse.
        (
            "One reviewer loved the service at Bangkok Garden.",
            "One reviewer loved the service at Bangkok Garden.",
            "service",
        ),
        ("A diner found the green curry bland.", "A diner found the green curry bland.", "green curry"),
        # The right opinions on swapped aspects: the first clause that the reviews turn over.
        (
            "A reviewer praised the service but found the curry disappointing.",
            "A reviewer praised the service",
            "service",
        ),
    ],
)
def test_an_opinion_the_reviews_state_the_other_way_is_refuted(claim: str, clause: str, reason: str) -> None:
    m = contradicted_opinion(claim, REVIEWS)
    assert m is not None and claim[m.start : m.end] == clause and m.reason.endswith(reason)


@pytest.mark.parametrize(
    "claim",
    [
        "One reviewer loved the green curry at Bangkok Garden.",  # as the review says
        "A reviewer found the service slow.",  # as the review says
        "Guests praised the cocktails.",  # an aspect no review names: left to the model
        "The service at Bangkok Garden is slow.",  # not a reported opinion
    ],
)
def test_an_opinion_the_reviews_share_or_do_not_mention_is_left_alone(claim: str) -> None:
    assert contradicted_opinion(claim, REVIEWS) is None


def test_reviews_that_disagree_refute_neither_side() -> None:
    reviews = "Review 1: The rooms were spotless and quiet. Review 2: Our room was dirty and the carpet smelled."
    assert contradicted_opinion("Guests loved the rooms.", reviews) is None
    assert contradicted_opinion("Guests complained about the rooms.", reviews) is None


def test_a_clause_must_name_most_of_the_aspect() -> None:
    # "room" alone (a spotless room) is not "noise from the next room".
    reviews = "Our room was spotless and the bed really comfortable. The walls are thin; we heard the TV next door."
    assert contradicted_opinion("A guest was bothered by noise from the next room.", reviews) is None


def test_a_parenthetical_however_stays_in_its_clause() -> None:
    reviews = "The croissants are flaky and buttery. The coffee, however, tasted burnt both times I visited."
    m = contradicted_opinion("A reviewer praised the coffee at Maison Bakery.", reviews)
    assert m is not None and m.reason == "the reviews criticised the coffee"


def test_review_words_carry_their_sentiment() -> None:
    # VADER's lexicon lacks these (or, for "killer", reads them the other way).
    for word, sign in [("bland", -1), ("cramped", -1), ("overpriced", -1), ("attentive", 1), ("killer", 1)]:
        assert sign * sentiment(f"The place was {word}.") > 0.3, word


def test_like_compares_in_a_review() -> None:
    # "taste like it" is no praise: an unimpressed reviewer is not contradicted by it.
    reviews = "Their pour-over is bright and fruity. Pastries are bought in and taste like it."
    assert abs(sentiment("Pastries are bought in and taste like it.")) < 0.3
    assert contradicted_opinion("A reviewer was unimpressed by the pastries.", reviews) is None


def test_a_word_that_judges_one_facet_is_compared_on_that_facet() -> None:
    # "Overpriced" judges the price: praise of how the cocktails look does not answer it.
    looks = "Cocktails are creative and beautifully presented. Music was loud but that's the vibe."
    assert contradicted_opinion("The reviewer found the cocktails overpriced.", looks) is None
    price = "Cocktails are a bargain at $8 and beautifully presented."
    m = contradicted_opinion("The reviewer found the cocktails overpriced.", price)
    assert m is not None and m.reason == "the reviews praised the cocktails"


def test_a_negation_is_not_part_of_the_aspect() -> None:
    reviews = "The Wi-Fi worked perfectly, even out in the garden."
    m = contradicted_opinion("Reviewers complain that the Wi-Fi didn't work.", reviews)
    assert m is not None and "didn't" not in m.reason


def test_each_item_of_a_list_of_opinions_is_compared() -> None:
    reviews = (
        "Review 1: The lamb saag was rich and the garlic naan perfect. "
        "Review 2: Lovely biryani, and the staff were warm and attentive."
    )
    # The items carry the verb's praise; the one item with its own sentiment is read with it.
    claim = "Reviewers praise the lamb saag, the garlic naan and the biryani, and mention unfriendly staff."
    m = contradicted_opinion(claim, reviews)
    assert m is not None and claim[m.start : m.end] == "mention unfriendly staff." and m.reason.endswith("staff")
    assert contradicted_opinion("Reviewers praise the lamb saag, the garlic naan and the biryani.", reviews) is None


def test_an_opening_connective_is_no_opinion() -> None:
    reviews = "Pancakes were dry and the hash browns were undercooked."
    claim = "On the other hand, one reviewer found the pancakes dry and the hash browns undercooked."
    assert contradicted_opinion(claim, reviews) is None


def test_only_reviewers_list_opinions() -> None:
    # "People …" is not a reviewer's list: its items are not compared one by one.
    evidence = "The museums are boring and overpriced."
    assert contradicted_opinion("People enjoy the beaches, the food and the museums.", evidence) is None
    m = contradicted_opinion("Visitors enjoy the beaches, the food and the museums.", evidence)
    assert m is not None and m.reason == "the reviews criticised the museums"


def test_an_opinion_the_dish_drew_is_reported() -> None:
    """ "drew a complaint", "earns raves": the reviewer goes unnamed, the opinion is still theirs."""
    reviews = "Pad thai was too sweet for me and kind of gummy. The green curry was better."
    m = contradicted_opinion("The green curry drew a complaint for being too sweet and gummy.", reviews)
    assert m is not None and m.reason == "the reviews praised the green curry"
    assert contradicted_opinion("The pad thai drew a complaint for being too sweet and gummy.", reviews) is None
    assert contradicted_opinion("The pad thai earns raves.", reviews) is not None


def test_too_much_of_anything_is_a_complaint_and_names_are_no_opinion() -> None:
    assert sentiment("The pad thai was too sweet.") < 0 < sentiment("The pad thai was sweet.")
    assert sentiment("The pad thai was not too sweet.") > 0
    assert sentiment("It was too good to miss.") > 0
    # "Rob" is a tattoo artist here, not a crime.
    assert sentiment("Mika is great, and Rob for his traditional flash.") == sentiment("Mika is great.")


UNEVEN = (
    "Donuts are good but the coffee tastes burnt. Drive thru line was 15 cars on Saturday morning.\n"
    "Blueberry cake donut is my favorite and their coffee is surprisingly good too.\n"
    "Waitress Deb kept the coffee coming. The crullers were fresh and the glaze was perfect."
)


@pytest.mark.parametrize(
    ("claim", "reason"),
    [
        # One review says otherwise.
        ("Customers agree the coffee is burnt.", "not every review agrees: one praised the coffee"),
        ("Reviewers unanimously love the coffee.", "not every review agrees: one criticised the coffee"),
        # One review says it: no agreement to report.
        ("Every reviewer found the crullers fresh.", "only one review speaks of the crullers"),
        # No review says it at all.
        ("Diners agree the parking is easy.", "no review says so of the parking"),
    ],
)
def test_an_opinion_claimed_for_every_reviewer_needs_every_review(claim: str, reason: str) -> None:
    m = contradicted_opinion(claim, UNEVEN)
    assert m is not None and m.reason == reason
    if m.evidence_start is not None:
        assert UNEVEN[m.evidence_start : m.evidence_end].strip()


def test_an_opinion_two_reviews_share_may_be_claimed_for_all() -> None:
    reviews = "The glaze was perfect and the crullers fresh.\nFresh crullers every morning, love them."
    assert contradicted_opinion("Reviewers agree the crullers are fresh.", reviews) is None
    # One text (an article, not reviews): "critics agree" is the article's to say.
    article = "Critics said the crullers were fresh."
    assert contradicted_opinion("Critics agree the crullers are fresh.", article) is None
    # Plain reporting is not a claim about every reviewer.
    assert contradicted_opinion("One reviewer found the crullers fresh.", UNEVEN) is None


@pytest.mark.parametrize(
    "claim",
    [
        "Service was slow on a Saturday for another reviewer.",  # the reviewer named after the opinion
        "The karaage, by contrast, struck one reviewer as dry and greasy.",  # the subject before the reviewer
        "The karaage is described as dry and bland.",  # reported in the passive
    ],
)
def test_an_opinion_reported_after_its_subject_is_compared_whole(claim: str) -> None:
    reviews = "Karaage is crispy and juicy, better than the ramen honestly. Quick service even on a Saturday."
    m = contradicted_opinion(claim, reviews)
    assert m is not None and m.reason.startswith("the reviews praised the ")
    assert m.reason in {"the reviews praised the service", "the reviews praised the karaage"}
