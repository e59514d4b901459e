"""The Prometheus exposition, read from the database at scrape time.

No in-process counter or gauge: with several gunicorn workers and Celery workers on other
machines, a process-local registry would answer differently per process (and lose everything
at each restart). Every figure here is read from the database, so any web process answers the
same: the gauges from the open review items (indexed), the counters and histograms as the ops
tallies (`ops.tallies`) over every row ever, i.e. the stored hours and days plus the hours not
rolled yet computed directly, in one statement. Counters only grow because the rows they count
are never deleted or moved back (events are append-only; `resolved`/`expired` and a draft's
decision are final) and a stored hour holds what a direct count of it gives.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import accumulate

from django.conf import settings
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

from reviewqueue.ops import tallies
from reviewqueue.review.models import Queue
from reviewqueue.review.selectors import queue_stats
from reviewqueue.tenancy.models import Tenant

SCORING_BUCKETS = tallies.SCORING_BUCKETS
DECISION_BUCKETS = tallies.DECISION_BUCKETS
# The window every counter covers: (EPOCH, END], i.e. every row, including one stamped after the
# scrape's clock (a lease that lapses at its expiry instant, written ahead of it).
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
END = datetime(9999, 1, 1, tzinfo=UTC)
COUNTERS = [
    "metrics.decisions",
    "metrics.dispositions",
    "metrics.lease_lapses",
    "sla.breaches",
    "metrics.scoring_failures",
    "metrics.scoring_latency",
    "metrics.enqueue_to_decision",
]


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

        # Keys are tenant ids or queue ids; "" (an event of no item) and an unknown id are skipped.
        tenants = {str(pk): slug for pk, slug in Tenant.objects.values_list("pk", "slug")}
        by_id = {str(q.pk): (q.tenant.slug, q.name) for q in queues}
        read = tallies.read(
            figures=COUNTERS, windows=[tallies.Window("", EPOCH, END)], tenant_ids=sorted(int(t) for t in tenants)
        )

        def cells(figure: str) -> tallies.Cells:
            return read[("", figure)]

        decisions = CounterMetricFamily(
            "reviewqueue_decisions", "Routing decisions made on drafts.", labels=["tenant", "decision"]
        )
        for tenant_id, counts in sorted(tallies.categories(cells("metrics.decisions"), tallies.DECISIONS).items()):
            for decision, n in counts.items():
                if n and tenant_id in tenants:
                    decisions.add_metric([tenants[tenant_id], decision], n)
        yield decisions

        dispositions = CounterMetricFamily(
            "reviewqueue_dispositions", "Review items resolved, by disposition.", labels=[*labels, "disposition"]
        )
        resolved = tallies.categories(cells("metrics.dispositions"), tallies.DISPOSITIONS)
        for queue_id, counts in sorted(resolved.items()):
            for disposition, n in counts.items():
                if n and queue_id in by_id:
                    dispositions.add_metric([*by_id[queue_id], disposition], n)
        yield dispositions

        for figure, name, doc in (
            ("metrics.lease_lapses", "reviewqueue_lease_lapses", "Leases that lapsed (found by a claim or the sweep)."),
            ("sla.breaches", "reviewqueue_sla_breaches", "Items that passed their SLA (the fallback applied)."),
        ):
            family = CounterMetricFamily(name, doc, labels=labels)
            for queue_id, n in sorted(tallies.counts(cells(figure)).items()):
                if queue_id in by_id:
                    family.add_metric(list(by_id[queue_id]), n)
            yield family

        failures = CounterMetricFamily(
            "reviewqueue_scoring_failures", "Scoring attempts that failed.", labels=["tenant"]
        )
        for tenant_id, n in sorted(tallies.counts(cells("metrics.scoring_failures")).items()):
            if tenant_id in tenants:
                failures.add_metric([tenants[tenant_id]], n)
        yield failures

        for figure, name, doc, buckets in (
            (
                "metrics.scoring_latency",
                "reviewqueue_scoring_latency_seconds",
                "Enqueue to scored, per draft (the broker wait included).",
                SCORING_BUCKETS,
            ),
            (
                "metrics.enqueue_to_decision",
                "reviewqueue_enqueue_to_decision_seconds",
                "Enqueue to the final decision, per decided draft.",
                DECISION_BUCKETS,
            ),
        ):
            histogram = HistogramMetricFamily(name, doc, labels=["tenant"])
            per_tenant: dict[str, list[tallies.Cell]] = {}
            for (tenant_id, bucket, _at), cell in cells(figure).items():
                in_bucket = per_tenant.setdefault(tenant_id, [tallies.Cell() for _ in range(len(buckets) + 1)])
                in_bucket[bucket].add(cell.n, cell.lo, cell.hi, cell.total)
            for tenant_id, in_bucket in sorted(per_tenant.items(), key=lambda item: tenants.get(item[0], "")):
                if tenant_id not in tenants:
                    continue
                # Bucket i holds (bound i − 1, bound i]; the last, values above every bound.
                cumulative = list(accumulate(cell.n for cell in in_bucket))
                histogram.add_metric(
                    [tenants[tenant_id]],
                    buckets=[
                        *((str(float(b)), c) for b, c in zip(buckets, cumulative, strict=False)),
                        ("+Inf", cumulative[-1]),
                    ],
                    sum_value=sum(cell.total or 0.0 for cell in in_bucket),
                )
            yield histogram


def metrics_registry(*, now: datetime) -> CollectorRegistry:
    """A registry per scrape: nothing is kept between requests."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector(now=now))
    return registry
