"""REST views: validate → call the service → serialize. No logic of their own."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.models import User
from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.fields import empty
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from reviewqueue.api.permissions import IsReviewer, IsService, IsServiceOrSignedIn
from reviewqueue.api.serializers import (
    ClaimedItemOutput,
    ClaimNextInput,
    DraftListQuery,
    DraftOutput,
    DraftPageOutput,
    EnqueueInput,
    ErrorSerializer,
    EscalateInput,
    FeedbackInput,
    FeedbackOutput,
    HeartbeatOutput,
    LabelExportQuery,
    LabelRowOutput,
    QueueListOutput,
    ReviewOutput,
    SubmitInput,
    claimed_item_data,
    draft_data,
    draft_summary_data,
    encode_cursor,
    encode_label_cursor,
    feedback_data,
    queue_stats_data,
    review_item_data,
)
from reviewqueue.calibration.export import LABEL_FORMATS, label_file_rows, label_lines
from reviewqueue.calibration.labels import labelled_drafts
from reviewqueue.calibration.services import draft_feedback_record
from reviewqueue.errors import Forbidden, InvalidInput, NotFound
from reviewqueue.intake import drafts
from reviewqueue.intake.services import draft_enqueue
from reviewqueue.review import selectors, services
from reviewqueue.tenancy.models import Role, ServiceClient, Tenant

ERRORS = {code: OpenApiResponse(ErrorSerializer) for code in (400, 401, 403, 404, 409, 413, 429)}

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    {"type": "string", "minLength": 1, "maxLength": drafts.MAX_KEY_CHARS, "pattern": r"^[^\x00-\x1f\x7f]+$"},
    OpenApiParameter.HEADER,
    required=True,
    description=f"Names this request: at most {drafts.MAX_KEY_CHARS} printable characters, unique per "
    "service client. The same key with the same body returns the same draft (200); with another "
    "body it is a 409 `idempotency_conflict`.",
)


@functools.cache
def _empty_is_valid(serializer_class: type[serializers.Serializer[Any]]) -> bool:
    """Whether `{}` validates to `{}`: no field required or defaulted, no validate() of its own."""
    return serializer_class.validate is serializers.Serializer.validate and all(
        not field.required and field.default is empty for field in serializer_class().fields.values()
    )


def _query(serializer_class: type[serializers.Serializer[Any]], request: Request, **context: Any) -> dict[str, Any]:
    """The validated query string; an unknown parameter is a 400 naming it, not silently ignored."""
    query = serializer_class(data=request.query_params.dict(), context=context)
    unknown = set(request.query_params) - set(query.fields)
    if unknown:
        raise InvalidInput(
            "Unknown query parameter.",
            details={"fields": {name: ["Unknown parameter."] for name in sorted(unknown)}},
        )
    query.is_valid(raise_exception=True)
    return cast(dict[str, Any], query.validated_data)


def _validated(serializer_class: type[serializers.Serializer[Any]], data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise InvalidInput("The request body must be a JSON object.")
    if not data and _empty_is_valid(serializer_class):
        # Most claim-next calls send `{}`; building a serializer deep-copies its fields first.
        return {}
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return cast(dict[str, Any], serializer.validated_data)


class DraftCreateView(APIView):
    """`/api/v1/drafts`: enqueue (POST) and list (GET), both for services only."""

    permission_classes = [IsService]

    @extend_schema(
        operation_id="drafts_create",
        request=EnqueueInput,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: DraftOutput, 200: DraftOutput, **ERRORS},
        description="Enqueue a draft for scoring and routing. The same key and body return the same "
        "draft (200); the same key with another body is a 409.",
    )
    def post(self, request: Request) -> Response:
        client = cast(ServiceClient, request.user)
        key = drafts.check_idempotency_key(request.headers.get("Idempotency-Key"))
        body = EnqueueInput(data=request.data, context={"client": client})
        body.is_valid(raise_exception=True)
        draft, created = draft_enqueue(
            client=client,
            idempotency_key=key,
            fields=body.validated_data,
            now=timezone.now(),
        )
        if created:
            # The row as written, not read back: every column is the one just stored, and a draft
            # only now committed has no review item yet. Reading it back cost a quarter of an
            # enqueue's CPU (two queries: the draft and its items), measured with bench_intake.
            return Response(draft_data(draft, item=None), status=status.HTTP_201_CREATED)
        # A replay answers with the stored draft as it is now, in the same shape: a client that
        # retries after a lost response cannot tell the difference, and need not.
        draft = selectors.draft_for_client(client=client, draft_id=draft.pk)
        return Response(draft_data(draft, item=selectors.latest_item(draft)), status=status.HTTP_200_OK)

    @extend_schema(
        operation_id="drafts_list",
        parameters=[DraftListQuery],
        responses={200: DraftPageOutput, **ERRORS},
        description="The client's tenant's drafts, newest first, filtered, one page at a time: follow "
        "`next` (a cursor URL) until it is null.",
    )
    def get(self, request: Request) -> Response:
        client = cast(ServiceClient, request.user)
        params = _query(DraftListQuery, request, client=client)
        page = selectors.drafts_for_client(
            client=client,
            status=params.get("status"),
            decision=params.get("decision"),
            idempotency_key=params.get("idempotency_key"),
            queue=params.get("queue"),
            created_after=params.get("created_after"),
            created_before=params.get("created_before"),
            after=params.get("cursor"),
            limit=params["limit"],
        )
        next_url = None
        if page.next_after is not None:
            next_params = request.query_params.copy()
            next_params["cursor"] = encode_cursor(page.next_after)
            next_url = request.build_absolute_uri(f"{request.path}?{next_params.urlencode()}")
        return Response(
            {"results": [draft_summary_data(d, tenant=client.tenant) for d in page.drafts], "next": next_url}
        )


class DraftDetailView(APIView):
    permission_classes = [IsService]

    @extend_schema(operation_id="drafts_retrieve", responses={200: DraftOutput, **ERRORS})
    def get(self, request: Request, draft_id: int) -> Response:
        draft = selectors.draft_for_client(client=cast(ServiceClient, request.user), draft_id=draft_id)
        return Response(draft_data(draft, item=selectors.latest_item(draft)))


class QueueListView(APIView):
    permission_classes = [IsReviewer]

    @extend_schema(operation_id="queues_list", responses={200: QueueListOutput, **ERRORS})
    def get(self, request: Request) -> Response:
        stats = selectors.queue_stats(
            queues=selectors.queues_for_user(request.user),
            now=timezone.now(),
            warning_fraction=settings.REVIEWQUEUE_SLA_WARNING_FRACTION,
        )
        return Response({"queues": [queue_stats_data(s) for s in stats]})


class ClaimNextView(APIView):
    permission_classes = [IsReviewer]

    @extend_schema(
        operation_id="items_claim_next",
        request=ClaimNextInput,
        responses={200: ClaimedItemOutput, 204: None, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        # An empty body parses to {}; anything else that is not an object (`[]`, `null`) is refused.
        data = _validated(ClaimNextInput, request.data)
        item = services.review_item_claim_next(
            user=cast(User, request.user),
            now=timezone.now(),
            queue_ids=data.get("queue_ids"),
        )
        if item is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(claimed_item_data(item))


class ItemDetailView(APIView):
    permission_classes = [IsReviewer]

    @extend_schema(operation_id="items_retrieve", responses={200: ClaimedItemOutput, **ERRORS})
    def get(self, request: Request, item_id: int) -> Response:
        item = selectors.item_for_user(user=request.user, item_id=item_id)
        return Response(claimed_item_data(item))


class ClaimView(APIView):
    """Lease this item (one a reviewer picked from a queue's list, or a linked item); 409
    `already_claimed` when another reviewer holds it."""

    permission_classes = [IsReviewer]

    @extend_schema(operation_id="items_claim", request=None, responses={200: ClaimedItemOutput, **ERRORS})
    def post(self, request: Request, item_id: int) -> Response:
        item = services.review_item_claim(user=cast(User, request.user), item_id=item_id, now=timezone.now())
        return Response(claimed_item_data(item))


class HeartbeatView(APIView):
    permission_classes = [IsReviewer]

    @extend_schema(operation_id="items_heartbeat", request=None, responses={200: HeartbeatOutput, **ERRORS})
    def post(self, request: Request, item_id: int) -> Response:
        item = services.review_item_heartbeat(user=cast(User, request.user), item_id=item_id, now=timezone.now())
        return Response(
            {"id": item.pk, "lease_expires_at": item.lease_expires_at.isoformat() if item.lease_expires_at else None}
        )


class ReleaseView(APIView):
    permission_classes = [IsReviewer]

    @extend_schema(operation_id="items_release", request=None, responses={200: ReviewOutput, **ERRORS})
    def post(self, request: Request, item_id: int) -> Response:
        item = services.review_item_release(user=cast(User, request.user), item_id=item_id, now=timezone.now())
        return Response(review_item_data(item))


class SubmitView(APIView):
    permission_classes = [IsReviewer]

    @extend_schema(operation_id="items_submit", request=SubmitInput, responses={200: ReviewOutput, **ERRORS})
    def post(self, request: Request, item_id: int) -> Response:
        data = _validated(SubmitInput, request.data)
        item = services.review_item_submit(user=cast(User, request.user), item_id=item_id, now=timezone.now(), **data)
        return Response(review_item_data(item))


class EscalateView(APIView):
    permission_classes = [IsReviewer]

    @extend_schema(operation_id="items_escalate", request=EscalateInput, responses={200: ReviewOutput, **ERRORS})
    def post(self, request: Request, item_id: int) -> Response:
        data = _validated(EscalateInput, request.data)
        successor = services.review_item_escalate(
            user=cast(User, request.user),
            item_id=item_id,
            target_queue_id=data["queue_id"],
            note=data["note"],
            now=timezone.now(),
        )
        return Response(review_item_data(successor))


class DraftFeedbackView(APIView):
    permission_classes = [IsService]

    @extend_schema(
        operation_id="drafts_feedback",
        request=FeedbackInput,
        responses={201: FeedbackOutput, 200: FeedbackOutput, **ERRORS},
        description="Report what happened after the answer went out: the customer reopened the "
        "conversation, complained, or the answer had to be corrected. Labels the draft bad when it "
        "went out as written (auto-sent drafts included). Idempotent per draft and kind: a repeat "
        "returns the stored feedback (200) and changes nothing. A draft not yet decided is a 409.",
    )
    def post(self, request: Request, draft_id: int) -> Response:
        data = _validated(FeedbackInput, request.data)
        row, created = draft_feedback_record(
            client=cast(ServiceClient, request.user), draft_id=draft_id, now=timezone.now(), **data
        )
        return Response(feedback_data(row), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class _ErrorsAsJson(DefaultContentNegotiation):
    """`?format=` picks the export's file format here, not a DRF renderer: errors are JSON."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


def _export_tenant(request: Request, slug: str | None) -> Tenant:
    """A service's own tenant; for a signed-in user, the tenant they lead (the one named by
    `tenant` if they lead several). Not a lead anywhere: 403; a tenant they do not lead: 404."""
    user = request.user
    if isinstance(user, ServiceClient):
        if slug is not None and slug != user.tenant.slug:
            raise NotFound(f"No tenant {slug!r}.", details={"field": "tenant"})
        return user.tenant
    led = Tenant.objects.filter(memberships__user=cast(User, user), memberships__role=Role.LEAD).order_by("slug")
    if slug is not None:
        tenant = led.filter(slug=slug).first()
        if tenant is None:
            raise NotFound(f"No tenant {slug!r} that you lead.", details={"field": "tenant"})
        return tenant
    tenants = list(led[:2])
    if not tenants:
        raise Forbidden("The label export needs a service API key or an ops lead's session.")
    if len(tenants) > 1:
        raise InvalidInput("You lead several tenants: name one with `tenant`.", details={"field": "tenant"})
    return tenants[0]


class LabelExportView(APIView):
    """`GET /api/v1/labels`: the draft-level labels as a streamed JSONL or CSV file, a page at a time."""

    permission_classes = [IsServiceOrSignedIn]
    content_negotiation_class = _ErrorsAsJson

    @extend_schema(
        operation_id="labels_export",
        parameters=[LabelExportQuery],
        responses={
            (200, LABEL_FORMATS["jsonl"]): OpenApiResponse(LabelRowOutput, description="One JSON row per line."),
            (200, LABEL_FORMATS["csv"]): OpenApiResponse(OpenApiTypes.STR, description="A header, then one row."),
            **ERRORS,
        },
        description="Labelled drafts (reviews, blind audits, outcome feedback) with their signals, fused "
        "score, decision, versions, reviewer, timestamps, label and inverse-probability weight, oldest "
        "first, streamed. A page reads `limit` drafts (some may carry no label, so a page can hold fewer "
        'rows); the next page is in the `Link: <…>; rel="next"` header (and `X-Next-Cursor`), absent on '
        "the last. For a service API key or an ops lead's session.",
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        tenant = _export_tenant(request, request.query_params.get("tenant"))
        params = _query(LabelExportQuery, request, tenant=tenant)
        drafts = labelled_drafts(
            tenant,
            queue=params.get("queue"),
            prompt_version=params.get("prompt_version"),
            model=params.get("model"),
            fusion=params.get("fusion"),
            since=params.get("since"),
            until=params.get("until"),
        )
        after, limit = params.get("cursor"), params["limit"]
        # The page's bounds are read first, so the next link goes out in the headers before the
        # rows stream, and a draft labelled meanwhile cannot shift a later page.
        ids = list(drafts.filter(pk__gt=after or 0).order_by("pk").values_list("pk", flat=True)[: limit + 1])
        page = drafts.filter(pk__lte=ids[min(limit, len(ids)) - 1]) if ids else drafts.none()
        fmt = params["format"]
        response = StreamingHttpResponse(
            label_lines(label_file_rows(tenant, page, after=after), fmt=fmt),
            content_type=f"{LABEL_FORMATS[fmt]}; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="labels-{tenant.slug}.{fmt}"'
        if len(ids) > limit:
            cursor = encode_label_cursor(ids[limit - 1])
            next_params = request.query_params.copy()
            next_params["cursor"] = cursor
            response["Link"] = (
                f'<{request.build_absolute_uri(f"{request.path}?{next_params.urlencode()}")}>; rel="next"'
            )
            response["X-Next-Cursor"] = cursor
        return response
