"""The Prometheus exposition, read from the database at scrape time.

No in-process counter or gauge: with several gunicorn workers and Celery workers on other
machines, a process-local registry would answer differently per process (and lose everything
at each restart). Every figure here is a query on the review tables, so any web process
answers the same, and counters only grow because the rows they count are never deleted or
moved back (events are append-only; `resolved`/`expired` and a draft's decision are final).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

from reviewqueue.audit.events import EventType
from reviewqueue.audit.models import ReviewEvent
from reviewqueue.review.models import Draft, ItemState, Queue, ReviewItem
from reviewqueue.review.selectors import queue_stats

# Bucket upper bounds (seconds). Scoring runs in about a second, or waits for a worker;
# enqueue → decision is seconds for auto-send and minutes to hours through review.
SCORING_BUCKETS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)
DECISION_BUCKETS = (1, 5, 30, 60, 300, 900, 1800, 3600, 4 * 3600, 24 * 3600)


def _histogram(
    rows: QuerySet[Draft], start: str, end: str, buckets: tuple[float, ...]
) -> dict[str, tuple[list[int], int, float]]:
    """Per tenant slug: cumulative bucket counts, count and sum (seconds) of end − start, in one
    aggregate query (the database counts; nothing is loaded row by row)."""
    rows = rows.filter(**{f"{start}__isnull": False, f"{end}__isnull": False}).annotate(
        elapsed=ExpressionWrapper(F(end) - F(start), output_field=DurationField())
    )
    aggregates = {f"le{n}": Count("id", filter=Q(elapsed__lte=timedelta(seconds=b))) for n, b in enumerate(buckets)}
    out = {}
    row: dict[str, Any]
    for row in rows.values("tenant__slug").annotate(n=Count("id"), total=Sum("elapsed"), **aggregates):  # type: ignore[assignment]
        total = row["total"]
        seconds = total.total_seconds() if isinstance(total, timedelta) else float(total or 0) / 1e6
        out[row["tenant__slug"]] = ([row[f"le{n}"] for n in range(len(buckets))], row["n"], seconds)
    return out


class DatabaseCollector(Collector):
    def __init__(self, *, now: datetime) -> None:
        self.now = now

    def collect(self) -> Iterator[Metric]:
        now = self.now
        queues = Queue.objects.select_related("tenant").order_by("tenant__slug", "name")
        names = {q.pk: (q.tenant.slug, q.name) for q in queues}
        labels = ["tenant", "queue"]
        depth = GaugeMetricFamily("reviewqueue_queue_depth", "Open review items (pending or claimed).", labels=labels)
        oldest = GaugeMetricFamily(
            "reviewqueue_queue_oldest_age_seconds", "Age of the oldest open item (0 when empty).", labels=labels
        )
        at_risk = GaugeMetricFamily(
            "reviewqueue_queue_at_risk", "Open items past the SLA warning fraction, not yet due.", labels=labels
        )
        breached = GaugeMetricFamily("reviewqueue_queue_breached", "Open items past their SLA due time.", labels=labels)
        for s in queue_stats(queues=queues, now=now, warning_fraction=settings.REVIEWQUEUE_SLA_WARNING_FRACTION):
            key = list(names[s.queue.pk])
            depth.add_metric(key, s.depth)
            oldest.add_metric(key, s.oldest_age.total_seconds() if s.oldest_age is not None else 0)
            at_risk.add_metric(key, s.near_breach)
            breached.add_metric(key, s.breached)
        yield from (depth, oldest, at_risk, breached)

        decisions = CounterMetricFamily(
            "reviewqueue_decisions", "Routing decisions made on drafts.", labels=["tenant", "decision"]
        )
        for tenant, decision, n in (
            Draft.objects.exclude(decision="")
            .values("tenant__slug", "decision")
            .annotate(n=Count("id"))
            .order_by("tenant__slug", "decision")
            .values_list("tenant__slug", "decision", "n")
        ):
            decisions.add_metric([tenant, decision], n)
        yield decisions

        dispositions = CounterMetricFamily(
            "reviewqueue_dispositions", "Review items resolved, by disposition.", labels=[*labels, "disposition"]
        )
        for queue_id, disposition, n in (
            ReviewItem.objects.filter(state=ItemState.RESOLVED)
            .values("queue_id", "disposition")
            .annotate(n=Count("id"))
            .order_by("queue_id", "disposition")
            .values_list("queue_id", "disposition", "n")
        ):
            dispositions.add_metric([*names[queue_id], disposition], n)
        yield dispositions

        per_queue_events = {
            EventType.REVIEW_LEASE_EXPIRED: CounterMetricFamily(
                "reviewqueue_lease_lapses", "Leases that lapsed (found by a claim or the sweep).", labels=labels
            ),
            EventType.REVIEW_SLA_BREACHED: CounterMetricFamily(
                "reviewqueue_sla_breaches", "Items that passed their SLA (the fallback applied).", labels=labels
            ),
        }
        for type_, queue_id, n in (
            ReviewEvent.objects.filter(type__in=list(per_queue_events), item__isnull=False)
            .values("type", "item__queue_id")
            .annotate(n=Count("id"))
            .order_by("type", "item__queue_id")
            .values_list("type", "item__queue_id", "n")
        ):
            per_queue_events[EventType(type_)].add_metric(list(names[queue_id]), n)
        yield from per_queue_events.values()

        failures = CounterMetricFamily(
            "reviewqueue_scoring_failures", "Scoring attempts that failed.", labels=["tenant"]
        )
        for tenant, n in (
            ReviewEvent.objects.filter(type=EventType.DRAFT_SCORING_FAILED)
            .values("draft__tenant__slug")
            .annotate(n=Count("id"))
            .order_by("draft__tenant__slug")
            .values_list("draft__tenant__slug", "n")
        ):
            failures.add_metric([tenant], n)
        yield failures

        for name, doc, start, end, buckets in (
            (
                "reviewqueue_scoring_latency_seconds",
                "Enqueue to scored, per draft (the broker wait included).",
                "created_at",
                "scored_at",
                SCORING_BUCKETS,
            ),
            (
                "reviewqueue_enqueue_to_decision_seconds",
                "Enqueue to the final decision, per decided draft.",
                "created_at",
                "decided_at",
                DECISION_BUCKETS,
            ),
        ):
            histogram = HistogramMetricFamily(name, doc, labels=["tenant"])
            for tenant, (cumulative, count, total) in sorted(
                _histogram(Draft.objects.all(), start, end, buckets).items()
            ):
                histogram.add_metric(
                    [tenant],
                    buckets=[*((str(float(b)), c) for b, c in zip(buckets, cumulative, strict=True)), ("+Inf", count)],
                    sum_value=total,
                )
            yield histogram


def metrics_registry(*, now: datetime) -> CollectorRegistry:
    """A registry per scrape: nothing is kept between requests."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector(now=now))
    return registry
