"""The NLI model shipped in scoring/models/ loads offline and gets clear pairs right."""

from __future__ import annotations

import json

import pytest

from scoring.engine import DEFAULT_MODEL_DIR as MODEL_DIR

# (premise, hypothesis, expected label)
CLEAR_PAIRS = [
    (
        "The Eiffel Tower is located in Paris and was completed in 1889.",
        "The Eiffel Tower is in Paris.",
        "entailment",
    ),
    (
        "Refunds are processed within 14 days of receiving the returned item.",
        "Refunds are processed within 14 days.",
        "entailment",
    ),
    (
        "The recommended adult dose is 50 mg once a day.",
        "The recommended adult dose is 100 mg once a day.",
        "contradiction",
    ),
    (
        "The company was founded in 1998 in Berlin.",
        "The company was founded in 2005 in Berlin.",
        "contradiction",
    ),
    (
        "The Basic plan costs $10 per month.",
        "The Basic plan costs $25 per month.",
        "contradiction",
    ),
    ("Paris is the capital of France.", "Berlin is the capital of France.", "contradiction"),
    (
        "The Eiffel Tower is located in Paris and was completed in 1889.",
        "The premium plan includes phone support.",
        "neutral",
    ),
]


# Support-domain pairs of each kind the product must get right, judged the way the engine judges
# a claim (one-claim draft, the premise as its only passage): none of them is in the generator's
# support passages or in tests/scoring/data/support_pairs.jsonl. Schedules, scope and a policy
# verb's polarity are compared by value (scoring.schedules, scoring.scope, scoring.polarity), so
# those kinds pass through the engine even where the model alone would not. The support-pair
# accuracy through the engine is in the README; the blind sets' misses are the model's.
SUPPORT_PAIRS = [
    # the same negation in other words (v3 read it insufficient; v4 to v6 entail it)
    ("Opened cosmetics cannot be returned.", "Opened cosmetics are not returnable.", "supported"),
    # negation
    ("Opened cosmetics cannot be returned.", "You can return an opened lipstick.", "refuted"),
    # refundability
    ("Booking fees are non-refundable.", "We will refund your booking fee.", "refuted"),
    # weekday
    ("Our call centre is open Monday to Friday.", "You can phone the call centre on a Saturday.", "refuted"),
    (
        "The pharmacy is open Monday to Friday and closed at weekends.",
        "The pharmacy is open on Sunday.",
        "refuted",
    ),
    # scope
    (
        "Priority boarding is available to Platinum members only.",
        "Every passenger can use priority boarding.",
        "refuted",
    ),
    (
        "Meeting rooms can be booked by Business plan members only.",
        "Starter plan members can book meeting rooms.",
        "refuted",
    ),
    # tier
    (
        "Custom domains are available on the Business plan.",
        "Custom domains are available on the Business plan, and the setup is free.",
        "insufficient",
    ),
    # number
    ("Refunds are processed within 14 days.", "Refunds are processed within 30 days.", "refuted"),
    ("The dose is 50 mg.", "The dose is 100 mg.", "refuted"),
    # warranty of a part
    (
        "The dryer is covered for two years; its heating element is covered for one year.",
        "The heating element is covered for one year.",
        "supported",
    ),
    # unrelated
    ("The battery lasts up to 10 hours.", "The device weighs 2 kg.", "insufficient"),
    # Confirmed by typed values where the model alone reads neutral or contradiction
    # (scoring.confirmations), and refuted by them where it reads neutral.
    (
        "Hotel bookings can be cancelled free of charge up to 48 hours before arrival.",
        "You can cancel your hotel booking free of charge two days before arrival.",
        "supported",
    ),
    (
        "Hotel bookings can be cancelled free of charge up to 48 hours before arrival.",
        "You can cancel your hotel booking free of charge as late as 6 hours before arrival.",
        "refuted",
    ),
    ("The repair desk is open Monday to Friday, 9am to 5pm.", "The repair desk is open on Tuesdays.", "supported"),
    ("The repair desk is closed on Sundays.", "The repair desk opens on Sundays from 11am to 3pm.", "refuted"),
    ("Concert tickets are non-refundable.", "Unfortunately we can't refund concert tickets.", "supported"),
    (
        "Memberships cancelled within 14 days of joining are refunded in full.",
        "Memberships are never refunded.",
        "refuted",
    ),
    (
        "The Starter plan allows at most 3 projects; unlimited projects need the Growth plan.",
        "The Starter plan allows unlimited projects.",
        "refuted",
    ),
    (
        "The sofa frame is guaranteed for 10 years; the cushion covers are guaranteed for 2 years.",
        "The cushion covers are guaranteed for 10 years.",
        "refuted",
    ),  # Read by the comparators since the shared cues (scoring.cues): widening and moved scope, days
    # worded otherwise, a part's own clause, a figure no evidence gives, a condition both sides
    # share. Measured miss, not tested here: "Our helpline is open Monday through Friday" against
    # "You can give us a call on Saturday morning" (insufficient: "helpline" is not read as "phone").
    # scope: widened by "whether or not" and by "also"
    (
        "The loyalty voucher is sent only to members who shopped with us in the last year.",
        "Every member receives the loyalty voucher, whether or not they have placed an order.",
        "refuted",
    ),
    (
        "The 90-day return window applies to purchases made in our outlet stores only.",
        "The 90-day return window also applies to website orders.",
        "refuted",
    ),
    # tier: an "X-only" feature, a feature handed to named plans
    ("SAML login is an Enterprise-only feature.", "SAML login is available on the Team plan.", "refuted"),
    (
        "Phone support is available to Premium and Enterprise subscribers.",
        "Phone support is included with the Basic plan.",
        "refuted",
    ),
    (
        "Priority chat is available to Enterprise plan customers only.",
        "Priority chat answers messages within two minutes.",
        "insufficient",
    ),
    # weekday: the predicate worded otherwise
    (
        "Collection from our depot is possible Wednesday to Saturday.",
        "You can pick up your parcel from the depot on Tuesday.",
        "refuted",
    ),
    # warranty of a part
    (
        "Our e-bikes carry a lifetime warranty on the frame and a 2-year warranty on the battery.",
        "The e-bike battery has a lifetime warranty.",
        "refuted",
    ),
    (
        "The dishwasher is under warranty for 5 years, with the exception of the door gasket, "
        "which is covered for 6 months.",
        "Every part of the dishwasher, door gasket included, has a 5-year warranty.",
        "refuted",
    ),
    # number
    ("The late return fee is $15.", "If you return the car late, you'll be charged a $30 fee.", "refuted"),
    ("Standard delivery takes 3 to 5 working days.", "Express delivery takes 1 to 2 working days.", "insufficient"),
    (
        "Refunds are issued within 3-5 business days of us receiving the item.",
        "It takes 3 to 5 business days to issue your refund after we get the item.",
        "supported",
    ),
    # negation
    (
        "Early settlement of a personal loan is not free: a fee of 1% applies.",
        "You can settle your personal loan early without any charge.",
        "refuted",
    ),
    (
        "Bookings cannot be modified once they have entered the confirmation stage.",
        "You can still change the dates of your booking while it is being confirmed.",
        "refuted",
    ),
    # refundability
    (
        "Non-refundable rooms are not refunded if you cancel; only the city tax can be reclaimed.",
        "Cancelling a non-refundable room gets you the full price back.",
        "refuted",
    ),
    (
        "Online courses are non-refundable once the first lesson has started.",
        "You can still get a refund for an online course after starting the first lesson.",
        "refuted",
    ),
    (
        "Gym memberships cancelled within 7 days of joining are refunded in full.",
        "Gym memberships are never refunded once the first payment has been taken.",
        "refuted",
    ),
]


@pytest.fixture(scope="module")
def verifier():
    torch = pytest.importorskip("torch")
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    torch.set_num_threads(1)
    model = AutoModelForSequenceClassification.from_pretrained(MODEL_DIR).float().eval()
    return model, AutoTokenizer.from_pretrained(MODEL_DIR)


def test_model_directory_is_complete_and_compact() -> None:
    names = {p.name for p in MODEL_DIR.iterdir()}
    assert {"model.safetensors", "config.json", "tokenizer.json", "MODEL_CARD.md"} <= names
    assert (MODEL_DIR / "model.safetensors").stat().st_size <= 50 * 1024 * 1024
    config = json.loads((MODEL_DIR / "config.json").read_text())
    assert config["id2label"] == {"0": "entailment", "1": "neutral", "2": "contradiction"}


@pytest.mark.parametrize(("premise", "hypothesis", "expected"), CLEAR_PAIRS)
def test_clear_pairs(verifier, premise: str, hypothesis: str, expected: str) -> None:
    import torch

    model, tokenizer = verifier
    with torch.inference_mode():
        logits = model(**tokenizer(premise, hypothesis, return_tensors="pt")).logits[0]
    probs = logits.softmax(-1).tolist()
    got = model.config.id2label[int(logits.argmax())]
    assert got == expected, dict(zip(model.config.id2label.values(), probs, strict=True))


@pytest.fixture(scope="module")
def shipped_scorer():
    pytest.importorskip("torch")
    from scoring.engine import Scorer, ScorerConfig

    return Scorer(ScorerConfig.of(model_path=str(MODEL_DIR), time_budget_ms=None))


@pytest.mark.parametrize(("premise", "hypothesis", "expected"), SUPPORT_PAIRS)
def test_support_pairs_through_the_engine(shipped_scorer, premise: str, hypothesis: str, expected: str) -> None:
    from scoring.inputs import DraftInput, Passage

    result = shipped_scorer.score(DraftInput(question="", draft=hypothesis, passages=(Passage("kb", premise),)))
    (claim,) = [c for c in result.claims if c.checkable]
    assert claim.verdict == expected, (claim.p_entail, claim.p_neutral, claim.p_contradict)


def test_the_shipped_fusion_was_fitted_for_the_shipped_model_and_is_used() -> None:
    pytest.importorskip("torch")
    from scoring.engine import Scorer, ScorerConfig
    from scoring.fusion import FusionModel

    shipped = FusionModel.load(MODEL_DIR / "fusion.json")
    # Retraining the model without refitting its fusion would fail here (and the scorer would
    # fall back to the hand-set weights): refit with `python -m scoring fit-fusion --by-file`.
    scorer = Scorer(ScorerConfig.of(model_path=str(MODEL_DIR)))
    assert shipped.meta["model"] == scorer.model_version
    assert scorer.fusion == shipped and scorer.fusion != FusionModel()
    assert "ragtruth_dev" not in shipped.meta["fitted_on"]  # the file its AUROC is reported on


def test_the_demo_drafts_take_every_route_with_the_shipped_model() -> None:
    """seed_demo's drafts, scored as a fresh install scores them, show each routing outcome."""
    pytest.importorskip("torch")
    from scoring.engine import Scorer, ScorerConfig
    from scoring.inputs import DraftInput
    from scoring.policy import RoutingPolicy

    drafts = json.loads((MODEL_DIR.parents[2] / "reviewqueue" / "demo" / "drafts.json").read_text())
    scorer, policy = Scorer(ScorerConfig.of(model_path=str(MODEL_DIR))), RoutingPolicy.default()
    actions = set()
    for body in drafts:
        draft = DraftInput.from_request(body)
        actions.add(policy.decide(scorer.score(draft), draft).action)
    assert actions == {"auto_send", "auto_draft_human_send", "queue_for_review", "block"}


TAPROOM = {
    "name": "Hopworks Taproom",
    "city": "Portland",
    "review_info": [
        {
            "review_stars": 5,
            "review_text": "The beer garden out back is dog friendly, we brought our lab and the kids.",
        },
        {
            "review_stars": 4,
            "review_text": "Kayla behind the bar gave us great recommendations and let us sample a few first.",
        },
    ],
}


@pytest.mark.parametrize(
    ("overview", "whole", "by_parts"),
    [
        # Two reviews hold one half each: no single window entails the sentence, each half is entailed.
        (
            "The beer garden out back welcomes dogs and kids, and bartender Kayla earned praise for her "
            "recommendations.",
            "insufficient",
            "supported",
        ),
        # The second half turns the review over: refuted however it is read.
        (
            "The beer garden out back welcomes dogs and kids, and bartender Kayla was criticised for her "
            "recommendations.",
            "refuted",
            "refuted",
        ),
        # The second half is in no review: a supported half does not carry it.
        (
            "The beer garden out back welcomes dogs and kids, and the taproom hosts trivia every Tuesday night.",
            "insufficient",
            "insufficient",
        ),
    ],
)
def test_a_compound_claim_is_checked_part_by_part(shipped_scorer, overview: str, whole: str, by_parts: str) -> None:
    from scoring.inputs import DraftInput, Passage

    draft = DraftInput(question="", draft=overview, passages=(Passage("record", json.dumps(TAPROOM)),))
    verdicts = {}
    for setting in (False, True):
        (claim,) = [c for c in shipped_scorer.with_config(by_parts=setting).score(draft).claims if c.checkable]
        verdicts[setting] = claim.verdict
    assert verdicts == {False: whole, True: by_parts}


@pytest.mark.parametrize(("price", "expected"), [("$25", "refuted"), ("$15", "supported")])
def test_a_figure_a_review_gives_is_compared_by_value(shipped_scorer, price: str, expected: str) -> None:
    """The figure comparators read a record's reviews as they read prose passages."""
    from scoring.inputs import DraftInput, Passage

    bakery = {
        "name": "Petit Four Bakery",
        "review_info": [
            {"review_stars": 5, "review_text": "The croissant is flaky. Got a box of six macarons for $15."},
            {"review_stars": 3, "review_text": "Coffee is just ok. Only a couple of tables inside."},
        ],
    }
    draft = DraftInput(
        question="", draft=f"A box of six macarons is {price}.", passages=(Passage("record", json.dumps(bakery)),)
    )
    (claim,) = [c for c in shipped_scorer.score(draft).claims if c.checkable]
    assert claim.verdict == expected
