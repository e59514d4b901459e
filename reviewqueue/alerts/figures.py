"""The figure each alert rule watches, read through the selectors of the page that shows it:
the alert and the page show the same number because they are the same computation
(`reviewqueue.ops.selectors`; for the golden-set regression, `reviewqueue.golden.selectors`,
whose latest live run is the one /ops/golden/ flags).

One evaluation run reads each (tenant, figure, window) once, however many rules watch it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings

from reviewqueue.alerts.models import AlertKind, AlertRule
from reviewqueue.golden import selectors as golden_selectors
from reviewqueue.golden.models import GoldenRun
from reviewqueue.ops import selectors
from reviewqueue.review.models import Queue
from reviewqueue.review.selectors import QueueStats, queue_stats

# Cut by a dimension that gives each draft exactly one value, so summing the rows counts every
# scored draft and every failure once (the queue cut may count an escalated draft twice).
_ONE_VALUE_PER_DRAFT = "intent"


@dataclass(frozen=True)
class Reading:
    value: float | None  # None: nothing to judge (no data, too few drafts): never fires
    detail: str  # what the number is made of, for the alert's text


class Figures:
    """Memoised reads for one evaluation run at one instant."""

    def __init__(self, *, now: datetime) -> None:
        self.now = now
        self._memo: dict[tuple[Any, ...], Any] = {}

    def _once(self, key: tuple[Any, ...], read: Callable[[], Any]) -> Any:
        if key not in self._memo:
            self._memo[key] = read()
        return self._memo[key]

    def _queues(self, tenant_id: int) -> list[Queue]:
        result: list[Queue] = self._once(("queues", tenant_id), lambda: list(selectors.queues_for_tenants([tenant_id])))
        return result

    def _stats(self, tenant_id: int) -> list[QueueStats]:
        result: list[QueueStats] = self._once(
            ("stats", tenant_id),
            lambda: queue_stats(
                queues=selectors.queues_for_tenants([tenant_id]),
                now=self.now,
                warning_fraction=settings.REVIEWQUEUE_SLA_WARNING_FRACTION,
            ),
        )
        return result

    def read(self, rule: AlertRule) -> Reading:
        kind = AlertKind(rule.kind)
        if kind in (AlertKind.BACKLOG_DEPTH, AlertKind.AT_RISK, AlertKind.OLDEST_AGE):
            return self._floor(rule, kind)
        if kind == AlertKind.SLA_BREACHES:
            return self._breaches(rule)
        if kind == AlertKind.DRIFT_PSI:
            return self._drift(rule)
        if kind == AlertKind.GOLDEN_REGRESSION:
            return self._golden_regression(rule)
        return self._scoring_failures(rule)

    def _floor(self, rule: AlertRule, kind: AlertKind) -> Reading:
        stats = [s for s in self._stats(rule.tenant_id) if rule.queue_id is None or s.queue.pk == rule.queue_id]
        if kind == AlertKind.OLDEST_AGE:
            aged = [(s.oldest_age, s) for s in stats if s.oldest_age is not None]
            if not aged:
                return Reading(None, "no open item")
            age, worst = max(aged, key=lambda pair: pair[0])
            return Reading(age / timedelta(minutes=1), f"oldest in {_name(worst.queue)}")
        per_queue = [(s.depth if kind == AlertKind.BACKLOG_DEPTH else s.near_breach, s.queue) for s in stats]
        parts = ", ".join(f"{_name(q)}: {n}" for n, q in per_queue if n)
        return Reading(float(sum(n for n, _ in per_queue)), parts or "none open")

    def _breaches(self, rule: AlertRule) -> Reading:
        queues = [q for q in self._queues(rule.tenant_id) if rule.queue_id is None or q.pk == rule.queue_id]

        def count() -> int:
            # limit=0: only the count (the page's list is not needed here).
            return selectors.breach_history(queues=queues, now=self.now, span=rule.window, limit=0)[1]

        total: int = self._once(("breaches", rule.tenant_id, rule.queue_id, rule.window_minutes), count)
        return Reading(float(total), f"in the last {_minutes(rule.window_minutes)}")

    def _drift(self, rule: AlertRule) -> Reading:
        rows: list[selectors.Drift] = self._once(
            ("drift", rule.tenant_id, rule.window_minutes),
            lambda: selectors.confidence_drift(tenant_ids=[rule.tenant_id], now=self.now, span=rule.window),
        )
        judged = [d for d in rows if d.enough and d.psi is not None]
        if not judged:
            return Reading(None, "too few drafts to judge")
        worst = max(judged, key=lambda d: d.psi or 0.0)
        assert worst.psi is not None
        return Reading(
            worst.psi,
            f"prompt {worst.prompt_version}, model {worst.generator_model}, last {_minutes(rule.window_minutes)} "
            "against the window before",
        )

    def _scoring_failures(self, rule: AlertRule) -> Reading:
        rows: list[selectors.RoutingRow] = self._once(
            ("routing", rule.tenant_id, rule.window_minutes),
            lambda: selectors.routing_mix(
                tenant_ids=[rule.tenant_id], now=self.now, span=rule.window, dimension=_ONE_VALUE_PER_DRAFT
            ),
        )
        scored = sum(r.scored for r in rows)  # a failed draft is scored too (scored_at is set)
        failures = sum(r.scoring_failures for r in rows)
        if not scored:
            return Reading(None, f"no draft scored in the last {_minutes(rule.window_minutes)}")
        return Reading(
            100 * failures / scored, f"{failures} of {scored} drafts in the last {_minutes(rule.window_minutes)}"
        )

    def _golden_regression(self, rule: AlertRule) -> Reading:
        """How many figures of the tenant's latest live golden run fell beyond its tolerance:
        the episode lasts until a later live run (the version-change job, the command or the
        page) is back within it. A rerun of the same versions keeps their first run's baseline
        (`golden.selectors.baseline_run`), so it does not clear the episode. Gate runs of
        candidates are not live and do not count here: the gate refuses those candidates itself."""
        run: GoldenRun | None = self._once(
            ("golden", rule.tenant_id), lambda: golden_selectors.latest_live_run(tenant=rule.tenant)
        )
        if run is None:
            return Reading(None, "no golden-set run yet")
        if not run.regression:
            return Reading(0.0, f"run {run.pk} ({run.combination}) within tolerance")
        worse = "; ".join(
            f"{r['metric']} {r['baseline']:.3f} → {r['candidate']:.3f} (tolerance {r['tolerance']:.3f})"
            for r in run.regression
        )
        return Reading(float(len(run.regression)), f"run {run.pk} ({run.combination}): {worse}")


def _name(queue: Queue) -> str:
    return queue.title or queue.name


def _minutes(n: int) -> str:
    if n % 1440 == 0 and n > 1440:
        return f"{n // 1440} d"
    if n % 60 == 0:
        return f"{n // 60} h"
    return f"{n} min"
