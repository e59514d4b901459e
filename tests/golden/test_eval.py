"""golden_eval with the real scorer on a handful of records: the stored figures agree with
`python -m scoring evaluate` on the same file, a run is stored per version combination, a
version change triggers a run and a regression raises the alert; the promotion gate blocks a
regressing candidate and allows an equal one."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from reviewqueue.alerts.models import AlertEvent
from reviewqueue.alerts.services import alert_rule_create, alert_rules_evaluate
from reviewqueue.errors import InvalidInput, NotFound
from reviewqueue.golden import services
from reviewqueue.golden.models import GoldenEvent, GoldenRun, GoldenScore
from reviewqueue.golden.tasks import golden_check
from reviewqueue.policy.models import CalibratorVersion, RoutingPolicyVersion
from reviewqueue.policy.services import policy_publish
from scoring.calibration import Calibrator
from scoring.evaluate import run_evaluation
from scoring.policy import RoutingPolicy

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

SMALL = Path(__file__).parent / "data" / "small.jsonl"


def imported(world) -> None:
    services.golden_import(tenant=world.tenant, lines=SMALL.read_bytes().splitlines(), now=timezone.now())


def flat_calibrator(tenant, *, active: bool) -> CalibratorVersion:
    """Every draft the same confidence: it ranks nothing, so AUROC falls to 0.5."""
    artefact = Calibrator("isotonic", {"x": [0.0, 1.0], "y": [0.5, 0.5]}, "flat-1").to_dict()
    return CalibratorVersion.objects.create(
        tenant=tenant, version="flat-1", artefact=artefact, is_active=active, created_at=timezone.now()
    )


def test_golden_eval_stores_the_figures_scoring_evaluate_reports(world, real_scorer) -> None:
    out = StringIO()
    call_command("golden_eval", tenant=world.tenant.slug, import_path=str(SMALL), stdout=out)
    run = GoldenRun.objects.get(tenant=world.tenant)
    # The same file through the scoring library's own evaluation (its default calibrator and
    # policy: what a tenant with neither fitted nor published runs live).
    rows = StringIO()
    expected = run_evaluation(SMALL, scorer=real_scorer, policy=RoutingPolicy.default(), out=rows, progress=None)
    decisions = [json.loads(line) for line in rows.getvalue().splitlines()]
    auto = [d for d in decisions if d["decision"] == "auto_send"]
    assert run.n == 6 and run.n_bad == 3
    assert run.auroc == pytest.approx(expected["overall"].auroc)
    assert run.auto_sent == len(auto) and run.bad_auto_sent == sum(d["label"] for d in auto)
    assert run.auto_send_share == pytest.approx(len(auto) / 6)
    assert run.escape_rate == pytest.approx(sum(d["label"] for d in auto) / len(auto) if auto else 0.0)
    assert (run.model, run.fusion) == (real_scorer.model_version, real_scorer.fusion.version)
    assert run.calibrator == real_scorer.calibrator.version and run.policy == RoutingPolicy.default().version
    assert run.live and run.trigger == "command" and run.regression == [] and run.baseline == {}
    assert f"golden run {run.pk}" in out.getvalue()
    # Each record scored once for this model and fusion.
    assert GoldenScore.objects.filter(record__tenant=world.tenant).count() == 6


def test_a_version_change_triggers_a_run_and_a_regression_raises_the_alert(
    world, real_scorer, django_capture_on_commit_callbacks, client_for
) -> None:
    imported(world)
    assert golden_check(world.tenant.pk).startswith("golden runs: 1")
    assert golden_check(world.tenant.pk) == "golden runs: 0"  # same versions: nothing to do
    # Publishing a policy asks for a check once the publish commits.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        config = {**RoutingPolicy.default().to_dict(), "version": "same-rules-2"}
        policy_publish(tenant=world.tenant, config=config, now=timezone.now())
    assert len(callbacks) == 1
    golden_check(world.tenant.pk)
    first, second = GoldenRun.objects.filter(tenant=world.tenant).order_by("pk")
    assert second.policy == "same-rules-2" and second.trigger == "version_change"
    assert second.regression == [] and second.baseline["combination"]["policy"] == first.policy
    assert GoldenScore.objects.count() == 6  # the new policy reused the stored scores

    rule = alert_rule_create(
        acting_user=world.lead,
        tenant_id=world.tenant.pk,
        values={"name": "Golden", "kind": "golden_regression", "threshold": 1.0},
        now=timezone.now(),
    )
    assert alert_rules_evaluate(now=timezone.now()).moved == 0  # within tolerance so far
    flat_calibrator(world.tenant, active=True)
    golden_check(world.tenant.pk)
    third = GoldenRun.objects.filter(tenant=world.tenant).order_by("pk").last()
    assert third.calibrator == "flat-1" and third.auroc == pytest.approx(0.5)
    assert "auroc" in [r["metric"] for r in third.regression]
    alert = GoldenEvent.objects.get(tenant=world.tenant, type="golden.regression")
    assert alert.run == third
    # The alert rule reads the same run the page flags, and fires (delivery: tests/alerts).
    assert alert_rules_evaluate(now=timezone.now()).moved == 1
    fired = AlertEvent.objects.get(rule=rule, type="alert.fired")
    assert fired.data["value"] == len(third.regression) and f"run {third.pk}" in fired.data["detail"]
    html = client_for(world.lead).get(reverse("ops:golden")).content.decode()
    assert 'id="golden-regression"' in html and f"run #{third.pk}" in html


def test_the_gate_blocks_a_regressing_candidate_and_allows_an_equal_one(world, real_scorer) -> None:
    imported(world)
    now = timezone.now()
    regressing = flat_calibrator(world.tenant, active=False)
    blocked = services.golden_gate(tenant=world.tenant, now=now, calibrator_version=regressing, actor=world.lead)
    assert not blocked.allowed and blocked.reason.startswith("Blocked")
    assert blocked.candidate is not None and blocked.baseline is not None
    assert blocked.candidate.auroc == pytest.approx(0.5) and blocked.baseline.auroc > 0.5
    assert blocked.regressions[0]["metric"] == "auroc"
    assert blocked.run is not None and not blocked.run.live and blocked.run.trigger == "gate"
    assert GoldenEvent.objects.filter(type="golden.gate.blocked", run=blocked.run).exists()
    assert not GoldenEvent.objects.filter(type="golden.regression").exists()  # a candidate is no live alert

    same = RoutingPolicyVersion.objects.create(
        tenant=world.tenant,
        version="same-rules-3",
        config={**RoutingPolicy.default().to_dict(), "version": "same-rules-3"},
        created_at=now,
    )
    allowed = services.golden_gate(tenant=world.tenant, now=now, policy_version=same)
    assert allowed.allowed and allowed.regressions == []
    assert allowed.candidate is not None and allowed.baseline is not None
    assert allowed.candidate.to_dict() | {"combination": None} == allowed.baseline.to_dict() | {"combination": None}
    assert allowed.candidate.combination.policy == "same-rules-3"
    # A tighter tolerance than zero change does not turn an equal candidate into a regression.
    services.golden_tolerance_set(
        acting_user=world.lead, tenant=world.tenant, max_auroc_drop=0.0, max_escape_rise=0.0, now=now
    )
    assert services.golden_gate(tenant=world.tenant, now=now, policy_version=same).allowed


def test_gate_inputs(world) -> None:
    now = timezone.now()
    with pytest.raises(InvalidInput):
        services.golden_gate(tenant=world.tenant, now=now)
    theirs = flat_calibrator(world.other_tenant, active=False)
    with pytest.raises(NotFound):
        services.golden_gate(tenant=world.tenant, now=now, calibrator_version=theirs)
    # No golden set: allowed, and it says why (no model is loaded for that).
    mine = flat_calibrator(world.tenant, active=False)
    decision = services.golden_gate(tenant=world.tenant, now=now, calibrator_version=mine)
    assert decision.allowed and "No golden set" in decision.reason and decision.run is None


def test_a_rerun_of_regressed_versions_stays_flagged_until_the_versions_change(world, real_scorer, client_for) -> None:
    """Issue 14: a rerun of the same (regressed) versions is judged against the versions live
    before them, not against its own regressed run, so neither the page nor the alert clears
    with nothing fixed; the gate judges the live versions as a candidate the same way. Going
    back to the earlier versions clears it."""
    imported(world)
    golden_check(world.tenant.pk)
    rule = alert_rule_create(
        acting_user=world.lead,
        tenant_id=world.tenant.pk,
        values={"name": "Golden", "kind": "golden_regression", "threshold": 1.0},
        now=timezone.now(),
    )
    flat = flat_calibrator(world.tenant, active=True)
    golden_check(world.tenant.pk)
    first, regressed = GoldenRun.objects.filter(tenant=world.tenant).order_by("pk")
    assert regressed.regression and alert_rules_evaluate(now=timezone.now()).moved == 1

    rerun = services.golden_eval(tenant=world.tenant, now=timezone.now(), trigger="command", scorer=real_scorer)
    assert rerun is not None and rerun.calibrator == "flat-1"
    assert rerun.baseline["combination"]["calibrator"] == first.calibrator
    assert rerun.regression == regressed.regression
    assert alert_rules_evaluate(now=timezone.now()).moved == 0  # still firing: not cleared
    rule.refresh_from_db()
    assert rule.last_value == len(rerun.regression)
    html = client_for(world.lead).get(reverse("ops:golden")).content.decode()
    assert 'id="golden-regression"' in html and f"run #{rerun.pk}" in html
    # The gate, asked about the live (regressed) calibrator itself, compares it the same way.
    gate = services.golden_gate(tenant=world.tenant, now=timezone.now(), calibrator_version=flat)
    assert not gate.allowed and gate.baseline is not None
    assert gate.baseline.combination.calibrator == first.calibrator

    # The fix: the flat calibrator retired, the shipped one live again: judged against the
    # flat run (the versions live before), within tolerance, and the episode clears.
    CalibratorVersion.objects.filter(pk=flat.pk).update(is_active=False)
    golden_check(world.tenant.pk)
    fixed = GoldenRun.objects.filter(tenant=world.tenant).order_by("pk").last()
    assert fixed.calibrator == first.calibrator and fixed.baseline["combination"]["calibrator"] == "flat-1"
    assert fixed.regression == []
    assert alert_rules_evaluate(now=timezone.now()).moved == 1
    assert AlertEvent.objects.filter(rule=rule, type="alert.cleared").exists()
    assert 'id="golden-regression"' not in client_for(world.lead).get(reverse("ops:golden")).content.decode()
