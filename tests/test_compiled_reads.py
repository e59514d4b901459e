"""Compiled reads: the ORM queryset's own SQL, compiled once, run with each call's values."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from reviewqueue.compiled_reads import CompiledRead
from reviewqueue.review.models import Queue
from reviewqueue.review.selectors import _queues_for_claim, queues_for_claim
from tests.factories import make_queue, make_user

pytestmark = pytest.mark.django_db


def _rows(queues):
    return sorted((q.pk, q.name, q.tenant_id, q.lease_seconds, bool(q.others_can_claim)) for q in queues)


def test_the_claim_queues_read_answers_as_its_queryset_for_each_user(world):
    alone = make_queue(world.tenant, "alone", group=Group.objects.create(name="alone"))
    world.reviewer.groups.add(alone.reviewer_group)
    make_user("new-reviewer", world.tenant, groups=[world.l2_queue.reviewer_group])
    users = [world.reviewer, world.other_reviewer, world.lead, world.outsider, world.stranger]
    for user in users:
        assert _rows(queues_for_claim(user)) == _rows(_queues_for_claim(user.pk)), user.username
    # The values differ from call to call: the first call's user is not baked in.
    mine = {q.pk: bool(q.others_can_claim) for q in queues_for_claim(world.reviewer)}
    assert mine[alone.pk] is False and mine[world.queue.pk] is True
    assert not list(queues_for_claim(world.outsider))
    assert {q.tenant_id for q in queues_for_claim(world.stranger)} == {world.other_tenant.pk}


@pytest.mark.parametrize(
    ("build", "kind"),
    [
        (lambda x: Queue.objects.filter(pk=x).select_related("tenant"), int),
        (lambda x: Queue.objects.filter(pk=x).only("name"), int),
        (lambda x: Queue.objects.filter(pk=x).values("name"), int),
        (lambda x: Queue.objects.filter(pk=x).prefetch_related("items"), int),
        # The lookup rewrites the value ('%…%'): the placeholder never reaches the parameters.
        (lambda x: Queue.objects.filter(name__contains=x), str),
    ],
)
def test_what_raw_cannot_run_is_refused_when_compiled(build, kind):
    with pytest.raises(ValueError):
        list(CompiledRead(build, x=kind)(x=kind()))


def test_a_parameter_of_another_type_is_refused():
    with pytest.raises(TypeError):
        CompiledRead(lambda x: Queue.objects.filter(pk=x), x=float)  # type: ignore[arg-type]
