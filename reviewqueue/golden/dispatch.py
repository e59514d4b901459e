"""Asking for a golden-set check after a version change, by task name: the publishing parts
(the calibrator fit; a policy publish through its `policy_published` signal, `golden.receivers`)
need not import the golden set's services."""

from __future__ import annotations

import logging

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)

GOLDEN_CHECK = "reviewqueue.golden.tasks.golden_check"


def golden_check_soon(*, tenant_id: int) -> None:
    """After the caller's transaction commits, queue the check for the tenant. A broker outage
    must not fail the publish: the periodic check catches the change later."""

    def send() -> None:
        try:
            current_app.send_task(GOLDEN_CHECK, args=[tenant_id], retry=False)
        except Exception:  # kombu raises OperationalError and friends; the publish stands
            logger.warning(
                "golden check dispatch failed",
                extra={"action": "golden.dispatch.failed", "tenant_id": tenant_id},
                exc_info=True,
            )

    transaction.on_commit(send)


GOLDEN_EVAL = "reviewqueue.golden.tasks.golden_eval"


def golden_eval_soon(*, tenant_id: int, actor_id: int | None) -> bool:
    """Queue a run of the live combination now (a lead's button); False when the broker is
    down (the page says so)."""
    try:
        current_app.send_task(GOLDEN_EVAL, args=[tenant_id], kwargs={"actor_id": actor_id}, retry=False)
    except Exception:
        logger.warning(
            "golden eval dispatch failed",
            extra={"action": "golden.dispatch.failed", "tenant_id": tenant_id},
            exc_info=True,
        )
        return False
    return True
