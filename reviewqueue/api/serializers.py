"""Input and output shapes of the REST API (also the source of the OpenAPI schema)."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any

from rest_framework import serializers
from rest_framework.fields import empty

from reviewqueue.calibration.export import LABEL_FORMATS
from reviewqueue.calibration.models import DraftFeedback, FeedbackKind
from reviewqueue.intake import drafts
from reviewqueue.review.models import Decision, Disposition, Draft, DraftStatus, ItemState, Outcome, Queue, ReviewItem
from reviewqueue.review.selectors import FollowUp, QueueStats, follow_up_status, latest_item
from reviewqueue.tenancy.models import Tenant
from reviewqueue.tenancy.selectors import reviewer_ref


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


def review_item_data(item: ReviewItem, *, for_service: Tenant | None = None) -> dict[str, Any]:
    """An item as a reviewer sees it, or, with `for_service`, as that tenant's services see it
    (the reviewer as `reviewer_ref`)."""
    reviewer: str | None = None
    if item.reviewer is not None:
        reviewer = (
            item.reviewer.get_username() if for_service is None else reviewer_ref(item.reviewer, tenant=for_service)
        )
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
        "reviewer": reviewer,
        "resolved_at": _ts(item.resolved_at),
        "follow_up": item.follow_up,
    }


def draft_data(draft: Draft, *, item: ReviewItem | None) -> dict[str, Any]:
    """The draft as a service sees it, with `item`, its latest review item (`latest_item`), if any."""
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
            "follow_up": follow_up_status(draft),
        },
        "score": draft.score,
        "review": review_item_data(item, for_service=draft.tenant) if item is not None else None,
        "outcome": {
            "outcome": draft.outcome or None,
            "final_text": draft.final_text or None,
            "decided_at": _ts(draft.decided_at),
        },
    }


def claimed_item_data(item: ReviewItem) -> dict[str, Any]:
    """The item with its draft, for the reviewer. A blind audit item hides what routing thought
    of the draft (score, confidence, reasons): the audit is worth something only unanchored."""
    draft = item.draft
    data = review_item_data(item)
    blind = item.is_audit
    data["audit"] = blind
    data["draft"] = {
        "id": draft.pk,
        "question": draft.question,
        "text": draft.text,
        "passages": draft.passages,
        "metadata": draft.metadata,
        "score": None if blind else draft.score,
        "confidence": None if blind else draft.confidence,
        "decision_reasons": [] if blind else draft.decision_reasons,
    }
    data["reject_reasons"] = item.queue.reject_reasons
    return data


def draft_summary_data(draft: Draft, *, tenant: Tenant) -> dict[str, Any]:
    """A draft in a list: what `GET /drafts/{id}` says, without the score (fetch one for that)."""
    item = latest_item(draft)
    return {
        "id": draft.pk,
        "status": draft.status,
        "idempotency_key": draft.idempotency_key,
        "created_at": _ts(draft.created_at),
        "decision": draft.decision or None,
        "reason_codes": draft.decision_reasons,
        "confidence": draft.confidence,
        "follow_up": follow_up_status(draft),
        "review": review_item_data(item, for_service=tenant) if item is not None else None,
        "outcome": draft.outcome or None,
        "decided_at": _ts(draft.decided_at),
    }


# --- the drafts list's query ------------------------------------------------------------------
def encode_cursor(position: tuple[datetime, int]) -> str:
    """A position in the newest-first order (created_at, id of the last draft seen), opaque."""
    created_at, pk = position
    return base64.urlsafe_b64encode(f"{created_at.isoformat()}|{pk}".encode()).decode().rstrip("=")


class CursorField(serializers.CharField):
    """An opaque position from a previous page's `next`: (created_at, id) of its last draft."""

    def to_internal_value(self, data: Any) -> tuple[datetime, int]:  # type: ignore[override]
        text = super().to_internal_value(data)
        try:
            decoded = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
            stamp, pk = decoded.rsplit("|", 1)
            created_at = datetime.fromisoformat(stamp)
            if created_at.tzinfo is None:
                raise ValueError("naive")
            return created_at, int(pk)
        except (ValueError, UnicodeDecodeError, binascii.Error):
            raise serializers.ValidationError("Not a cursor from this API; follow `next` as given.") from None


class DraftListQuery(serializers.Serializer[Any]):
    """Filters of `GET /api/v1/drafts`; every one optional, all of them combined with AND."""

    status = serializers.ChoiceField(choices=DraftStatus.choices, required=False)
    decision = serializers.ChoiceField(choices=Decision.choices, required=False)
    idempotency_key = serializers.CharField(required=False, max_length=drafts.MAX_KEY_CHARS)
    queue = serializers.SlugField(required=False, max_length=64, help_text="Drafts with a review item in this queue.")
    created_after = serializers.DateTimeField(required=False, help_text="Created at or after (ISO 8601).")
    created_before = serializers.DateTimeField(required=False, help_text="Created strictly before (ISO 8601).")
    cursor = CursorField(required=False, help_text="From the previous page's `next`.")
    limit = serializers.IntegerField(required=False, min_value=1, max_value=100, default=50)

    def validate_queue(self, value: str) -> Queue:
        queue = Queue.objects.filter(tenant_id=self.context["client"].tenant_id, name=value).first()
        if queue is None:
            raise serializers.ValidationError("No queue of this name in your tenant.")
        return queue

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        after, before = attrs.get("created_after"), attrs.get("created_before")
        if after is not None and before is not None and after >= before:
            raise serializers.ValidationError({"created_before": ["Must be later than created_after."]})
        return attrs


# --- output shapes, for the schema (the views build the same dicts above) --------------------
class ReviewOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    draft_id = serializers.IntegerField()
    queue = serializers.CharField()
    queue_id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=ItemState.choices)
    priority = serializers.FloatField()
    created_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    lease_expires_at = serializers.DateTimeField(allow_null=True)
    claimed_at = serializers.DateTimeField(allow_null=True)
    disposition = serializers.ChoiceField(choices=Disposition.choices, allow_null=True)
    reason_code = serializers.CharField(allow_null=True, help_text="The reject reason, one of the queue's.")
    note = serializers.CharField(allow_blank=True)
    final_text = serializers.CharField(allow_null=True)
    reviewer = serializers.CharField(
        allow_null=True,
        help_text="To services: an opaque reviewer id (`rvw_…`), stable per reviewer within the tenant; "
        "the username only if the tenant turned reviewer names on.",
    )
    resolved_at = serializers.DateTimeField(allow_null=True)
    follow_up = serializers.BooleanField(
        help_text="A follow-up: the draft was blocked and its fallback promised the customer more; "
        "`final_text` is then the follow-up message, sent after the fallback."
    )


_FOLLOW_UP_HELP = (
    "Blocked drafts only (null otherwise): `none` when the block is the whole answer (the queue's "
    "fallback promises no follow-up), else the follow-up review item's fate: `pending`, `sent` or `missed`."
)


class RoutingOutput(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(choices=Decision.choices, allow_null=True)
    reason_codes = serializers.ListField(child=serializers.CharField(), help_text="Why it was routed so.")
    confidence = serializers.FloatField(allow_null=True, help_text="Calibrated probability that the draft is good.")
    versions = serializers.DictField(child=serializers.CharField(), help_text="Scorer, model and policy versions.")
    routed_at = serializers.DateTimeField(allow_null=True)
    follow_up = serializers.ChoiceField(choices=FollowUp.choices, allow_null=True, help_text=_FOLLOW_UP_HELP)


class OutcomeOutput(serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(choices=Outcome.choices, allow_null=True)
    final_text = serializers.CharField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)


class DraftOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=DraftStatus.choices)
    idempotency_key = serializers.CharField()
    created_at = serializers.DateTimeField()
    routing = RoutingOutput()
    score = serializers.JSONField(allow_null=True, help_text="Signals, claims with verdicts and evidence.")
    review = ReviewOutput(allow_null=True)
    outcome = OutcomeOutput()


class DraftSummaryOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=DraftStatus.choices)
    idempotency_key = serializers.CharField()
    created_at = serializers.DateTimeField()
    decision = serializers.ChoiceField(choices=Decision.choices, allow_null=True)
    reason_codes = serializers.ListField(child=serializers.CharField())
    confidence = serializers.FloatField(allow_null=True)
    follow_up = serializers.ChoiceField(choices=FollowUp.choices, allow_null=True, help_text=_FOLLOW_UP_HELP)
    review = ReviewOutput(allow_null=True)
    outcome = serializers.ChoiceField(choices=Outcome.choices, allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)


class DraftPageOutput(serializers.Serializer[Any]):
    results = DraftSummaryOutput(many=True)
    next = serializers.URLField(allow_null=True, help_text="The next page, or null on the last.")


class ClaimedDraftOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    question = serializers.CharField(allow_blank=True)
    text = serializers.CharField()
    passages = PassageSerializer(many=True)
    metadata = serializers.DictField()
    score = serializers.JSONField(allow_null=True)
    confidence = serializers.FloatField(allow_null=True)
    decision_reasons = serializers.ListField(child=serializers.CharField(), help_text="Routing reason codes.")


class ClaimedItemOutput(ReviewOutput):
    audit = serializers.BooleanField(
        help_text="A blind audit of a draft already sent: the score, confidence and reasons are withheld."
    )
    draft = ClaimedDraftOutput()
    reject_reasons = serializers.ListField(child=serializers.CharField(), help_text="The queue's reason codes.")


class HeartbeatOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    lease_expires_at = serializers.DateTimeField(allow_null=True)


class QueueStatsOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    title = serializers.CharField()
    tenant = serializers.CharField()
    sla_minutes = serializers.IntegerField()
    depth = serializers.IntegerField()
    claimed = serializers.IntegerField()
    oldest_age_seconds = serializers.FloatField(allow_null=True)
    near_breach = serializers.IntegerField()
    breached = serializers.IntegerField()


class QueueListOutput(serializers.Serializer[Any]):
    queues = QueueStatsOutput(many=True)


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


# --- outcome feedback and the label export ---------------------------------------------------
class FeedbackInput(serializers.Serializer[Any]):
    """What the service learnt from its customer after the answer went out."""

    kind = serializers.ChoiceField(choices=FeedbackKind.choices)
    note = StrictCharField(required=False, allow_blank=True, max_length=5_000)
    corrected_text = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=50_000,
        trim_whitespace=False,
        help_text="What the answer should have said, if known.",
    )


class FeedbackOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    draft_id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=FeedbackKind.choices)
    note = serializers.CharField(allow_blank=True)
    corrected_text = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    labels_draft = serializers.BooleanField(
        help_text="Whether this feedback labels the draft bad: true when the draft went out as written "
        "(auto-sent or approved); feedback on an edited answer or the fallback is about that answer."
    )


def feedback_data(row: DraftFeedback) -> dict[str, Any]:
    return {
        "id": row.pk,
        "draft_id": row.draft_id,
        "kind": row.kind,
        "note": row.note,
        "corrected_text": row.corrected_text,
        "created_at": _ts(row.created_at),
        "labels_draft": row.draft.outcome == Outcome.SENT_DRAFT,
    }


def encode_label_cursor(draft_id: int) -> str:
    """A position in the label export (the id of the last draft read), opaque."""
    return base64.urlsafe_b64encode(f"labels|{draft_id}".encode()).decode().rstrip("=")


class LabelCursorField(serializers.CharField):
    """An opaque position from a previous page's `Link: <…>; rel="next"`."""

    def to_internal_value(self, data: Any) -> int:  # type: ignore[override]
        text = super().to_internal_value(data)
        try:
            prefix, pk = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode().split("|")
            if prefix != "labels" or not pk.isdigit():
                raise ValueError(prefix)
            return int(pk)
        except (ValueError, UnicodeDecodeError, binascii.Error):
            raise serializers.ValidationError(
                "Not a cursor of the label export; follow the next link as given."
            ) from None


class LabelExportQuery(serializers.Serializer[Any]):
    """Filters of `GET /api/v1/labels`; every one optional, all combined with AND."""

    format = serializers.ChoiceField(choices=sorted(LABEL_FORMATS), default="jsonl", help_text="jsonl or csv.")
    tenant = serializers.SlugField(
        required=False, max_length=64, help_text="For an ops lead of several tenants: which one."
    )
    queue = serializers.SlugField(required=False, max_length=64, help_text="Drafts routed to this queue.")
    prompt_version = serializers.CharField(required=False, max_length=drafts.METADATA_STRINGS["prompt_version"])
    model = serializers.CharField(required=False, max_length=200, help_text="Verifier model version.")
    fusion = serializers.CharField(required=False, max_length=200, help_text="Fusion version.")
    since = serializers.DateTimeField(required=False, help_text="Drafts created at or after (ISO 8601).")
    until = serializers.DateTimeField(required=False, help_text="Drafts created strictly before (ISO 8601).")
    cursor = LabelCursorField(required=False, help_text="From the previous page's next link.")
    limit = serializers.IntegerField(
        required=False, min_value=1, max_value=10_000, default=1_000, help_text="Drafts read per page."
    )

    def validate_queue(self, value: str) -> Queue:
        queue = Queue.objects.filter(tenant=self.context["tenant"], name=value).first()
        if queue is None:
            raise serializers.ValidationError("No queue of this name in the tenant.")
        return queue

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        since, until = attrs.get("since"), attrs.get("until")
        if since is not None and until is not None and since >= until:
            raise serializers.ValidationError({"until": ["Must be later than since."]})
        return attrs


class LabelRowOutput(serializers.Serializer[Any]):
    """One line of the JSONL export (a CSV row has the same columns, non-strings as JSON)."""

    id = serializers.CharField(help_text="reviewqueue:<tenant>:<draft id>")
    dataset = serializers.CharField()
    draft_id = serializers.IntegerField()
    queue = serializers.CharField(help_text="The queue routing sent the draft to.")
    prompt_version = serializers.CharField(allow_blank=True)
    prompt_hash = serializers.CharField(allow_blank=True)
    generator_model = serializers.CharField(allow_blank=True)
    intent = serializers.CharField(allow_blank=True)
    decision = serializers.ChoiceField(choices=Decision.choices, allow_null=True)
    reason_codes = serializers.ListField(child=serializers.CharField())
    confidence = serializers.FloatField(allow_null=True, help_text="Calibrated probability the draft is good.")
    raw_score = serializers.FloatField(allow_null=True, help_text="The fused score the calibrator maps.")
    features = serializers.DictField(child=serializers.FloatField(), help_text="The signals, by name.")
    versions = serializers.DictField(child=serializers.CharField())
    model = serializers.CharField(allow_null=True)
    fusion = serializers.CharField(allow_null=True)
    verdict = serializers.ChoiceField(choices=["good", "bad"])
    label_source = serializers.ChoiceField(choices=["review", "audit", "feedback"])
    disposition = serializers.ChoiceField(choices=Disposition.choices, allow_null=True)
    reason_code = serializers.CharField(allow_null=True)
    edit = serializers.CharField(allow_null=True, help_text="The reviewer's edit or the reported correction.")
    feedback = serializers.ListField(child=serializers.ChoiceField(choices=FeedbackKind.choices))
    reviewer = serializers.CharField(
        allow_null=True, help_text="Opaque reviewer id (`rvw_…`), or the username if the tenant exposes names."
    )
    weight = serializers.FloatField(help_text="1 / sampling probability.")
    sampling_probability = serializers.FloatField()
    created_at = serializers.DateTimeField()
    routed_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    labelled_at = serializers.DateTimeField()
    question = serializers.CharField(allow_blank=True)
    passages = PassageSerializer(many=True)
    response = serializers.CharField(allow_blank=True)
    spans = serializers.ListField(child=serializers.ListField(child=serializers.IntegerField()))

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        # `label` is also every DRF field's own attribute, so it cannot be declared on the class.
        fields = super().get_fields()
        fields["label"] = serializers.ChoiceField(
            choices=[0, 1], help_text="1 = bad (the shared data format's convention)."
        )
        return fields


class ErrorDetailSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    message = serializers.CharField()
    details = serializers.DictField()


class ErrorSerializer(serializers.Serializer[Any]):
    error = ErrorDetailSerializer()
