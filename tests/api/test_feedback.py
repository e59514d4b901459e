"""POST /api/v1/drafts/{id}/feedback: outcome feedback from services, idempotent, tenant-scoped."""

from __future__ import annotations

import pytest

from reviewqueue.audit.models import ReviewEvent
from reviewqueue.calibration.models import DraftFeedback
from reviewqueue.review.models import Decision
from tests.api.conftest import assert_error, service_client, session_client
from tests.api.test_schema import assert_matches
from tests.calibration.helpers import held, resolve, routed
from tests.factories import World

pytestmark = pytest.mark.django_db
PATH = "/api/v1/drafts/{draft_id}/feedback"


def url(draft_id: int) -> str:
    return f"/api/v1/drafts/{draft_id}/feedback"


def test_feedback_labels_an_auto_sent_draft_once(world: World) -> None:
    draft = routed(world, Decision.AUTO_SEND)
    api = service_client(world.api_key)
    body = {"kind": "complained", "note": "Customer says the warranty is wrong.", "corrected_text": "Two years."}
    first = api.post(url(draft.pk), body, format="json")
    assert first.status_code == 201, first.content
    assert_matches(first, PATH, "post")
    data = first.json()
    assert (data["draft_id"], data["kind"], data["labels_draft"]) == (draft.pk, "complained", True)
    # A retry (or a second complaint) is the same fact: 200, the stored row, nothing written.
    again = api.post(url(draft.pk), {"kind": "complained", "note": "again"}, format="json")
    assert again.status_code == 200 and again.json() == data
    assert_matches(again, PATH, "post")
    assert DraftFeedback.objects.filter(draft=draft).count() == 1
    (event,) = ReviewEvent.objects.filter(draft=draft, type="draft.feedback")
    assert event.client_id == world.client.pk and event.actor_id is None
    assert event.data["kind"] == "complained" and event.data["labels_draft"] is True
    # Another kind is another fact.
    assert api.post(url(draft.pk), {"kind": "reopened"}, format="json").status_code == 201
    assert ReviewEvent.objects.filter(draft=draft, type="draft.feedback").count() == 2


def test_feedback_on_an_edited_answer_is_recorded_but_does_not_label_the_draft(world: World) -> None:
    item = resolve(held(world), world.reviewer, "edited", final_text="Better.")
    response = service_client(world.api_key).post(url(item.draft_id), {"kind": "corrected"}, format="json")
    assert response.status_code == 201 and response.json()["labels_draft"] is False


def test_the_negative_matrix(world: World) -> None:
    draft = routed(world, Decision.AUTO_SEND)
    pending = held(world)
    ok = {"kind": "reopened"}
    anonymous = service_client("unused")
    anonymous.credentials()
    assert_error(anonymous.post(url(draft.pk), ok, format="json"), 401, "not_authenticated")
    assert_error(service_client("rq_nope_nope").post(url(draft.pk), ok, format="json"), 401, "authentication_failed")
    # Reviewers and leads are people, not services.
    for user in (world.reviewer, world.lead):
        assert_error(session_client(user).post(url(draft.pk), ok, format="json"), 403, "forbidden")
    # Another tenant's service: the draft does not exist for it.
    other = service_client(world.other_api_key)
    assert_error(other.post(url(draft.pk), ok, format="json"), 404, "not_found")
    api = service_client(world.api_key)
    assert_error(api.post(url(999_999_999), ok, format="json"), 404, "not_found")
    # Bad bodies.
    assert_error(api.post(url(draft.pk), [], format="json"), 400, "invalid")
    assert_error(api.post(url(draft.pk), {}, format="json"), 400, "invalid")
    error = assert_error(api.post(url(draft.pk), {"kind": "loved_it"}, format="json"), 400, "invalid")
    assert "kind" in error["details"]["fields"]
    assert_error(api.post(url(draft.pk), {"kind": "complained", "note": 5}, format="json"), 400, "invalid")
    assert_error(api.post(url(draft.pk), b"{not json", content_type="application/json"), 400, "malformed_json")
    # Nothing was sent yet: no outcome to report.
    error = assert_error(api.post(url(pending.draft_id), ok, format="json"), 409, "invalid_state")
    assert error["details"]["status"] == "routed"
    assert DraftFeedback.objects.count() == 0
    assert not ReviewEvent.objects.filter(type="draft.feedback").exists()
