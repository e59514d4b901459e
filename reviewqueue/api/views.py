"""REST views: validate → call the service → serialize. No logic of their own."""

from __future__ import annotations

import functools
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.fields import empty
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from reviewqueue.api.permissions import IsReviewer, IsService
from reviewqueue.api.serializers import (
    ClaimedItemOutput,
    ClaimNextInput,
    DraftListQuery,
    DraftOutput,
    DraftPageOutput,
    EnqueueInput,
    ErrorSerializer,
    EscalateInput,
    HeartbeatOutput,
    QueueListOutput,
    ReviewOutput,
    SubmitInput,
    claimed_item_data,
    draft_data,
    draft_summary_data,
    encode_cursor,
    queue_stats_data,
    review_item_data,
)
from reviewqueue.errors import InvalidInput
from reviewqueue.intake import drafts
from reviewqueue.intake.services import draft_enqueue
from reviewqueue.review import selectors, services
from reviewqueue.tenancy.models import ServiceClient

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
            fingerprint=drafts.fingerprint(request.data),
            fields=body.validated_data,
            now=timezone.now(),
        )
        # The same body for the first call and for every replay of its key: a client that retries
        # after a lost response cannot tell the difference, and need not.
        draft = selectors.draft_for_client(client=client, draft_id=draft.pk)
        return Response(draft_data(draft), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        operation_id="drafts_list",
        parameters=[DraftListQuery],
        responses={200: DraftPageOutput, **ERRORS},
        description="The client's tenant's drafts, newest first, filtered, one page at a time: follow "
        "`next` (a cursor URL) until it is null.",
    )
    def get(self, request: Request) -> Response:
        client = cast(ServiceClient, request.user)
        query = DraftListQuery(data=request.query_params.dict(), context={"client": client})
        unknown = set(request.query_params) - set(query.fields)
        if unknown:
            raise InvalidInput(
                "Unknown query parameter.",
                details={"fields": {name: ["Unknown parameter."] for name in sorted(unknown)}},
            )
        query.is_valid(raise_exception=True)
        params = query.validated_data
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
        return Response(draft_data(draft))


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
