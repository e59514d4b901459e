"""Input and output shapes of the REST API (also the source of the OpenAPI schema)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.fields import empty

from reviewqueue.intake import drafts
from reviewqueue.review.models import Draft, ReviewItem
from reviewqueue.review.selectors import QueueStats, latest_item


# --- enqueue ----------------------------------------------------------------------------------
# The nested shapes name the body's parts for the schema, with the domain's own limits.
class PassageSerializer(serializers.Serializer[Any]):
    id = serializers.CharField()
    text = serializers.CharField(max_length=drafts.MAX_PASSAGE_CHARS)


class TopLogprobSerializer(serializers.Serializer[Any]):
    token = serializers.CharField()
    logprob = serializers.FloatField(max_value=0)


class LogprobsSerializer(serializers.Serializer[Any]):
    tokens = serializers.ListField(child=serializers.CharField(allow_blank=True))
    logprobs = serializers.ListField(child=serializers.FloatField(max_value=0))
    top_logprobs = serializers.ListField(
        child=serializers.ListField(child=TopLogprobSerializer(), allow_null=True), required=False, allow_null=True
    )


def _metadata_string(name: str) -> serializers.CharField:
    return serializers.CharField(required=False, max_length=drafts.METADATA_STRINGS[name])


class MetadataSerializer(serializers.Serializer[Any]):
    generator_model = _metadata_string("generator_model")
    prompt_version = _metadata_string("prompt_version")
    prompt_hash = _metadata_string("prompt_hash")
    intent = _metadata_string("intent")
    amount = serializers.FloatField(required=False, allow_null=True, min_value=0)
    customer_tier = _metadata_string("customer_tier")


# It validates with the domain's parser (`intake.drafts.parse_enqueue`: the scoring library's own
# parser plus the intake limits), which raises the domain's `InvalidInput`/`NotFound` naming the
# field, so the error body is the one every other domain error has; `validated_data` is the `Draft`
# fields to store. Needs `context={"client": …}`: a named queue is looked up in the client's tenant.
class EnqueueInput(serializers.Serializer[Any]):
    """A draft to score and route."""

    question = serializers.CharField(required=False, allow_blank=True, max_length=drafts.MAX_QUESTION_CHARS)
    draft = serializers.CharField(max_length=drafts.MAX_DRAFT_CHARS)
    passages = serializers.ListField(child=PassageSerializer(), required=False, max_length=drafts.MAX_PASSAGES)
    logprobs = LogprobsSerializer(required=False, allow_null=True)
    metadata = MetadataSerializer(required=False)
    queue = serializers.CharField(required=False, help_text="Queue name; the tenant's default if omitted.")

    def run_validation(self, data: Any = empty) -> dict[str, Any]:
        # The whole body goes to the domain parser, whatever it is (`null`, a list): it answers
        # with the same errors the domain gives anywhere else.
        return drafts.parse_enqueue(data, client=self.context["client"])


# --- outputs ---------------------------------------------------------------------------------
def _ts(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def review_item_data(item: ReviewItem) -> dict[str, Any]:
    return {
        "id": item.pk,
        "draft_id": item.draft_id,
        "queue": item.queue.name,
        "queue_id": item.queue_id,
        "state": item.state,
        "priority": item.priority,
        "created_at": _ts(item.created_at),
        "due_at": _ts(item.due_at),
        "lease_expires_at": _ts(item.lease_expires_at),
        "claimed_at": _ts(item.claimed_at),
        "disposition": item.disposition or None,
        "reason_code": item.reason_code or None,
        "note": item.note,
        "final_text": item.final_text or None,
        "reviewer": item.reviewer.get_username() if item.reviewer is not None else None,
        "resolved_at": _ts(item.resolved_at),
    }


def draft_data(draft: Draft) -> dict[str, Any]:
    item = latest_item(draft)
    return {
        "id": draft.pk,
        "status": draft.status,
        "idempotency_key": draft.idempotency_key,
        "created_at": _ts(draft.created_at),
        "routing": {
            "decision": draft.decision or None,
            "reason_codes": draft.decision_reasons,
            "confidence": draft.confidence,
            "versions": draft.versions,
            "routed_at": _ts(draft.routed_at),
        },
        "score": draft.score,
        "review": review_item_data(item) if item is not None else None,
        "outcome": {
            "outcome": draft.outcome or None,
            "final_text": draft.final_text or None,
            "decided_at": _ts(draft.decided_at),
        },
    }


def claimed_item_data(item: ReviewItem) -> dict[str, Any]:
    draft = item.draft
    data = review_item_data(item)
    data["draft"] = {
        "id": draft.pk,
        "question": draft.question,
        "text": draft.text,
        "passages": draft.passages,
        "metadata": draft.metadata,
        "score": draft.score,
        "confidence": draft.confidence,
        "decision_reasons": draft.decision_reasons,
    }
    data["reject_reasons"] = item.queue.reject_reasons
    return data


def queue_stats_data(stats: QueueStats) -> dict[str, Any]:
    return {
        "id": stats.queue.pk,
        "name": stats.queue.name,
        "title": stats.queue.title or stats.queue.name,
        "tenant": stats.queue.tenant.slug,
        "sla_minutes": stats.queue.sla_minutes,
        "depth": stats.depth,
        "claimed": stats.claimed,
        "oldest_age_seconds": stats.oldest_age.total_seconds() if stats.oldest_age is not None else None,
        "near_breach": stats.near_breach,
        "breached": stats.breached,
    }


# --- reviewer inputs ----------------------------------------------------------------------
class StrictCharField(serializers.CharField):
    """A JSON string only: DRF's CharField would silently turn 5 into "5"."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return str(super().to_internal_value(data))


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer only: DRF's IntegerField would accept "5" and 5.0."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return int(super().to_internal_value(data))


class ClaimNextInput(serializers.Serializer[Any]):
    queue_ids = serializers.ListField(child=StrictIntegerField(min_value=1), required=False, max_length=100)


class SubmitInput(serializers.Serializer[Any]):
    disposition = serializers.ChoiceField(choices=["approved", "edited", "rejected"])
    final_text = StrictCharField(required=False, allow_blank=True, max_length=50_000, trim_whitespace=False)
    reason_code = StrictCharField(required=False, allow_blank=True, max_length=64)
    note = StrictCharField(required=False, allow_blank=True, max_length=5_000)


class EscalateInput(serializers.Serializer[Any]):
    queue_id = StrictIntegerField(min_value=1)
    note = StrictCharField(max_length=5_000)


class ErrorDetailSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    message = serializers.CharField()
    details = serializers.DictField()


class ErrorSerializer(serializers.Serializer[Any]):
    error = ErrorDetailSerializer()
