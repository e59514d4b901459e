"""Reads of the alert pages. Nothing here writes."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import QuerySet

from reviewqueue.alerts.models import AlertEvent, AlertRule

HISTORY_LIMIT = 200


def alert_rules(*, tenant_ids: Sequence[int]) -> QuerySet[AlertRule]:
    return (
        AlertRule.objects.filter(tenant_id__in=tenant_ids)
        .select_related("tenant", "queue")
        .order_by("tenant__slug", "name", "id")
    )


def alert_rule_for_lead(*, tenant_ids: Sequence[int], rule_id: int) -> AlertRule | None:
    """The rule if it is one of the lead's tenants (None otherwise: no existence leak)."""
    return alert_rules(tenant_ids=tenant_ids).filter(pk=rule_id).first()


def alert_history(
    *, tenant_ids: Sequence[int], rule_id: int | None = None, limit: int = HISTORY_LIMIT
) -> tuple[list[AlertEvent], int]:
    """The alert events of the lead's tenants (one rule's, if given), newest first (at most
    `limit`), and how many there are. Index: alert_event_tenant_recent."""
    events = AlertEvent.objects.filter(tenant_id__in=tenant_ids)
    if rule_id is not None:
        events = events.filter(rule_id=rule_id)
    total = events.count()
    rows = list(events.select_related("rule", "rule__queue", "tenant", "actor").order_by("-created_at", "-id")[:limit])
    return rows, total
