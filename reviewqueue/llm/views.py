"""REST view for `POST /api/v1/assist`: validate → call the service → serialize."""

from __future__ import annotations

from typing import cast

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from reviewqueue.api.permissions import IsService
from reviewqueue.api.serializers import ErrorSerializer, draft_data
from reviewqueue.intake import drafts as intake
from reviewqueue.llm import assist, client
from reviewqueue.review import selectors
from reviewqueue.review.models import DraftStatus
from reviewqueue.tenancy.models import ServiceClient

ERRORS = {code: OpenApiResponse(ErrorSerializer) for code in (400, 401, 403, 404, 409, 413, 429, 503, 504)}


class AssistView(APIView):
    permission_classes = [IsService]

    @extend_schema(
        operation_id="assist_create",
        request=OpenApiTypes.OBJECT,
        parameters=[OpenApiParameter("Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True)],
        responses={201: OpenApiTypes.OBJECT, 200: OpenApiTypes.OBJECT, 202: OpenApiTypes.OBJECT, **ERRORS},
        description="Ask the configured LLM to answer `question` from `passages` (with token log-probs), "
        "store the answer as a draft and score and route it like `POST /drafts`. Answers with the draft and "
        "its decision once routed (201; 200 for a replay of the same key and body), or 202 with the draft id "
        "when the decision takes longer than REVIEWQUEUE_LLM_ASSIST_WAIT_SECONDS. The same key with another "
        "body is a 409; an LLM that is down, slow or over the tenant's token budget is a 503/504/429 and "
        "nothing is stored.",
    )
    def post(self, request: Request) -> Response:
        client_ = cast(ServiceClient, request.user)
        key = intake.check_idempotency_key(request.headers.get("Idempotency-Key"))
        draft, created = assist.assist_draft(client_=client_, idempotency_key=key, body=request.data)
        draft = assist.wait_for_decision(draft, wait_seconds=client.current().assist_wait_seconds)
        if draft.status not in (DraftStatus.ROUTED, DraftStatus.DECIDED):
            return Response(
                {"id": draft.pk, "status": draft.status, "created_at": draft.created_at.isoformat()},
                status=status.HTTP_202_ACCEPTED,
            )
        stored = selectors.draft_for_client(client=client_, draft_id=draft.pk)
        body = draft_data(stored, item=selectors.latest_item(stored))
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
