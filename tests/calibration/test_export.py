"""Exporting reviewers' claim labels as training pairs, read back by the verifier's trainer."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from reviewqueue.calibration.export import EVIDENCE_CHARS, _evidence, claim_label_records
from reviewqueue.calibration.services import claim_label_record
from reviewqueue.review.models import ItemState, ReviewItem
from scoring.results import ClaimResult
from scoring.train.data import jsonl_pairs
from tests.factories import World
from tests.web.factories import PASSAGE, make_scored_item

pytestmark = pytest.mark.django_db


def labelled(world: World, labels: dict[int, list[tuple[str, str]]]) -> ReviewItem:
    """A scored item whose claims get `labels[claim_index]` = [(reviewer attr, label), ...]."""
    item = make_scored_item(world)
    now = timezone.now()
    for index, votes in labels.items():
        for who, value in votes:
            user = getattr(world, who)
            # Labelling needs the lease; hand it to each reviewer in turn.
            ReviewItem.objects.filter(pk=item.pk).update(
                state=ItemState.CLAIMED, lease_owner=user, lease_expires_at=now + timedelta(minutes=5)
            )
            claim_label_record(user=user, item_id=item.pk, claim_index=index, label=value, now=now)
    return item


def test_labels_become_premise_hypothesis_pairs_the_trainer_reads(world: World, tmp_path: Path) -> None:
    item = labelled(world, {0: [("reviewer", "unsupported")], 1: [("reviewer", "supported")]})
    out = tmp_path / "labels.jsonl"
    err = StringIO()
    call_command("export_claim_labels", "--tenant", world.tenant.slug, "--out", str(out), stderr=err)
    assert "Exported 2 labelled claims" in err.getvalue()
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["claim_index"], r["label"]) for r in records] == [(0, "unsupported"), (1, "supported")]
    first = records[0]
    assert first["hypothesis"] == "The X200 blender has a 24-month warranty."
    assert first["premise"] == PASSAGE  # the best sentence widened by its neighbour
    assert first["draft_id"] == item.draft_id and first["source"] == f"reviewqueue:{world.tenant.slug}"
    assert first["model_verdict"] == "supported" and first["reviewers"] == 1
    pairs = list(jsonl_pairs(out))
    assert [p.label for p in pairs] == [1, 0]  # unsupported → neutral, supported → entailment
    assert not (tmp_path / "labels.jsonl.partial").exists()


def test_reviewers_majority_is_exported_and_a_tie_is_left_out(world: World) -> None:
    labelled(
        world,
        {
            0: [("reviewer", "unsupported"), ("other_reviewer", "supported")],  # a tie
            1: [("reviewer", "supported"), ("other_reviewer", "supported")],
        },
    )
    records = list(claim_label_records(tenant=world.tenant))
    assert [(r["claim_index"], r["label"], r["reviewers"]) for r in records] == [(1, "supported", 2)]


def test_only_the_tenants_own_labels_and_since(world: World) -> None:
    labelled(world, {0: [("reviewer", "supported")]})
    assert list(claim_label_records(tenant=world.other_tenant)) == []
    later = timezone.now() + timedelta(hours=1)
    assert list(claim_label_records(tenant=world.tenant, since=later)) == []
    out = StringIO()
    call_command(
        "export_claim_labels", "--tenant", world.tenant.slug, "--since", "2000-01-01", stdout=out, stderr=StringIO()
    )
    assert len(out.getvalue().splitlines()) == 1


def test_bad_arguments_are_clear_errors(world: World, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No tenant 'nope'"):
        call_command("export_claim_labels", "--tenant", "nope")
    with pytest.raises(CommandError, match="not an ISO date"):
        call_command("export_claim_labels", "--tenant", world.tenant.slug, "--since", "yesterday")
    with pytest.raises(CommandError, match="No directory"):
        call_command("export_claim_labels", "--tenant", world.tenant.slug, "--out", str(tmp_path / "no" / "x.jsonl"))


def test_evidence_widens_to_neighbouring_sentences_within_the_budget() -> None:
    sentences = [f"Sentence number {i} says something." for i in range(60)]
    text = " ".join(sentences)
    start = text.index("Sentence number 30")
    claim = ClaimResult(
        text="",
        start=0,
        end=0,
        checkable=True,
        verdict="supported",
        best_passage_id="p",
        best_sentence_start=start,
        best_sentence_end=start + len(sentences[30]),
    )
    got = _evidence([{"id": "p", "text": text}], claim)
    assert sentences[30] in got and sentences[29] in got and sentences[31] in got
    assert len(got) <= EVIDENCE_CHARS and text.startswith(got) is False
    # No evidence named, an unknown passage, or offsets outside the text: nothing to pair with.
    assert _evidence([{"id": "p", "text": text}], replace(claim, best_passage_id=None)) == ""
    assert _evidence([{"id": "q", "text": text}], claim) == ""
    assert _evidence([{"id": "p", "text": "short"}], claim) == ""
