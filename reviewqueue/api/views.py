"""REST views: validate → call the service → serialize. No logic of their own."""

from __future__ import annotations

import functools
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.fields import empty
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from reviewqueue.api.permissions import IsReviewer, IsService
from reviewqueue.api.serializers import (
    ClaimNextInput,
    EnqueueInput,
    ErrorSerializer,
    EscalateInput,
    SubmitInput,
    claimed_item_data,
    draft_data,
    queue_stats_data,
    review_item_data,
)
from reviewqueue.errors import InvalidInput
from reviewqueue.intake import drafts
from reviewqueue.intake.services import draft_enqueue
from reviewqueue.review import selectors, services
from reviewqueue.tenancy.models import ServiceClient

ERRORS = {code: OpenApiResponse(ErrorSerializer) for code in (400, 401, 403, 404, 409, 413)}


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
    permission_classes = [IsService]

    @extend_schema(
        operation_id="drafts_create",
        request=EnqueueInput,
        parameters=[OpenApiParameter("Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True)],
        responses={201: OpenApiTypes.OBJECT, 200: OpenApiTypes.OBJECT, **ERRORS},
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
        if created:
            return Response(
                {"id": draft.pk, "status": draft.status, "created_at": draft.created_at.isoformat()},
                status=status.HTTP_201_CREATED,
            )
        draft = selectors.draft_for_client(client=client, draft_id=draft.pk)
        return Response(draft_data(draft), status=status.HTTP_200_OK)


class DraftDetailView(APIView):
    permission_classes = [IsService]

    @extend_schema(operation_id="drafts_retrieve", responses={200: OpenApiTypes.OBJECT, **ERRORS})
    def get(self, request: Request, draft_id: int) -> Response:
        draft = selectors.draft_for_client(client=cast(ServiceClient, request.user), draft_id=draft_id)
        return Response(draft_data(draft))


class QueueListView(APIView):
    permission_classes = [IsReviewer]

    @extend_schema(operation_id="queues_list", responses={200: OpenApiTypes.OBJECT, **ERRORS})
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
        responses={200: OpenApiTypes.OBJECT, 204: None, **ERRORS},
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

    @extend_schema(operation_id="items_retrieve", responses={200: OpenApiTypes.OBJECT, **ERRORS})
    def get(self, request: Request, item_id: int) -> Response:
        item = selectors.item_for_user(user=request.user, item_id=item_id)
        return Response(claimed_item_data(item))


class HeartbeatView(APIView):
    permission_classes = [IsReviewer]

    @extend_schema(operation_id="items_heartbeat", request=None, responses={200: OpenApiTypes.OBJECT, **ERRORS})
    def post(self, request: Request, item_id: int) -> Response:
        item = services.review_item_heartbeat(user=cast(User, request.user), item_id=item_id, now=timezone.now())
        return Response(
            {"id": item.pk, "lease_expires_at": item.lease_expires_at.isoformat() if item.lease_expires_at else None}
        )


class ReleaseView(APIView):
    permission_classes = [IsReviewer]

    @extend_schema(operation_id="items_release", request=None, responses={200: OpenApiTypes.OBJECT, **ERRORS})
    def post(self, request: Request, item_id: int) -> Response:
        item = services.review_item_release(user=cast(User, request.user), item_id=item_id, now=timezone.now())
        return Response(review_item_data(item))


class SubmitView(APIView):
    permission_classes = [IsReviewer]

    @extend_schema(operation_id="items_submit", request=SubmitInput, responses={200: OpenApiTypes.OBJECT, **ERRORS})
    def post(self, request: Request, item_id: int) -> Response:
        data = _validated(SubmitInput, request.data)
        item = services.review_item_submit(user=cast(User, request.user), item_id=item_id, now=timezone.now(), **data)
        return Response(review_item_data(item))


class EscalateView(APIView):
    permission_classes = [IsReviewer]

    @extend_schema(operation_id="items_escalate", request=EscalateInput, responses={200: OpenApiTypes.OBJECT, **ERRORS})
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
