"""The event-type registry: every event is of a registered type; anything else is a bug."""

from __future__ import annotations

import pytest
from django.utils import timezone

from reviewqueue.audit.events import EventType, event_new
from reviewqueue.audit.models import ReviewEvent
from tests.factories import World, make_draft

pytestmark = pytest.mark.django_db


def test_an_unregistered_type_is_refused(world: World) -> None:
    draft = make_draft(world)
    with pytest.raises(ValueError, match="not a registered event type"):
        event_new(draft=draft, type="review.aproved", now=timezone.now())  # type: ignore[arg-type]


def test_every_stored_type_is_registered(world: World) -> None:
    make_draft(world)
    stored = set(ReviewEvent.objects.values_list("type", flat=True))
    assert stored and stored <= set(EventType.values)


def test_types_are_dotted_and_distinct() -> None:
    assert all(t.count(".") >= 1 and t == t.lower() for t in EventType.values)
    assert len(set(EventType.values)) == len(EventType.values)
