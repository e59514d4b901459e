"""reviewqueue.rows reads and writes rows exactly as the ORM does, on either database."""

from __future__ import annotations

from django.db import connection

from reviewqueue import rows
from reviewqueue.review.models import Draft, ReviewItem
from tests.factories import make_pending_item


def test_from_row_gives_what_the_orm_gives(world, clock):
    item = make_pending_item(world, priority=0.25)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {rows.columns(ReviewItem, 'i')}, {rows.columns(Draft, 'd')} FROM review_reviewitem i"
            " JOIN review_draft d ON d.id = i.draft_id WHERE i.id = %s",
            [item.pk],
        )
        loaded_item, loaded_draft = rows.split_row(cursor.fetchone(), (ReviewItem, ()), (Draft, ()))
    expected = (ReviewItem.objects.get(pk=item.pk), Draft.objects.get(pk=item.draft_id))
    for raw, orm in zip((loaded_item, loaded_draft), expected, strict=True):
        for field in type(orm)._meta.concrete_fields:
            assert getattr(raw, field.attname) == getattr(orm, field.attname), field.name
        assert raw._state.adding is False


def test_insert_values_writes_what_save_writes(world, clock):
    original = Draft.objects.get(pk=make_pending_item(world).draft_id)
    copy = Draft.objects.get(pk=original.pk)
    copy.pk, copy.idempotency_key = None, "copied-by-rows"
    names, values = rows.insert_values(copy)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO review_draft ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))})",
            values,
        )
    written = Draft.objects.get(client=original.client, idempotency_key="copied-by-rows")
    for field in Draft._meta.concrete_fields:
        if field.name not in {"id", "idempotency_key"}:
            assert getattr(written, field.attname) == getattr(original, field.attname), field.name


def test_a_deferred_column_is_left_out_and_loads_on_access(world, clock, django_assert_num_queries):
    item = make_pending_item(world)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {rows.columns(Draft, 'd', ('logprobs',))} FROM review_draft d WHERE d.id = %s", [item.draft_id]
        )
        draft = rows.from_row(Draft, cursor.fetchone(), ("logprobs",))
    assert draft.get_deferred_fields() == {"logprobs"}
    expected = Draft.objects.get(pk=item.draft_id).logprobs
    with django_assert_num_queries(1):
        assert draft.logprobs == expected
