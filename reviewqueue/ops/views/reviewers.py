"""/ops/reviewers/ — load and dispositions per reviewer over a window (`?range=`), each set
against the team: the spread across reviewers is the signal, not a ranking."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from reviewqueue.ops import charts, selectors, tallies
from reviewqueue.ops.access import lead_required, lead_tenants


@lead_required
@require_GET
def ops_reviewers(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    range_name, span = selectors.window_range(request.GET.get("range"))
    load = selectors.reviewer_load(
        queues=selectors.queues_for_tenants(lead_tenants(request)).select_related(None), now=now, span=span
    )
    team_share = load.team.share("approved")
    chart = charts.horizontal_bars(
        id="approve-chart",
        title=f"Share approved unchanged per reviewer, last {range_name}"
        + ("" if team_share is None else f" (team: {team_share * 100:.1f} %)"),
        x_label="Approved unchanged (% of the items each resolved)",
        y_label="Reviewer",
        rows=[
            (
                r.username,
                None if (s := r.share("approved")) is None else s * 100,
                "nothing resolved" if s is None else f"{s * 100:.1f} % of {r.resolved}",
            )
            for r in load.reviewers
        ],
        maximum=100,
    )
    spreads = {d: load.spread(d) for d in selectors.DISPOSITIONS}
    return render(
        request,
        "ops/reviewers.html",
        {
            "range_name": range_name,
            "ranges": list(selectors.RANGES),
            "percent_error": tallies.PERCENT_ERROR,
            "load": load,
            "chart": chart,
            "dispositions": selectors.DISPOSITIONS,
            "spreads": spreads,
        },
    )
