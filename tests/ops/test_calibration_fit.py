"""Fitting from /ops/calibration/: the refusal (with how many labels are needed), the Celery
task's progress and report, the fitted calibrator stored inactive; the recalibrate command
says the same minimum."""

from __future__ import annotations

import math
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.urls import reverse

from reviewqueue.calibration import fitting
from reviewqueue.calibration.fitting import MIN_LABELS_PER_CLASS
from reviewqueue.calibration.label_sets import calibration_labels
from reviewqueue.policy.models import CalibrationRun, CalibratorVersion, RunStatus
from scoring import reliability
from scoring.calibration import Calibrator
from tests.policy.data import label_set

pytestmark = pytest.mark.django_db


def test_too_few_labels_is_refused_with_the_numbers(world, client_for) -> None:  # type: ignore[no-untyped-def]
    label_set(world, MIN_LABELS_PER_CLASS + 2, 3)
    client = client_for(world.lead)
    response = client.post(
        reverse("ops:calibration_fit"),
        {"tenant": world.tenant.slug, "method": "isotonic"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 409
    body = response.json()["error"]
    assert body["code"] == "too_few_labels"
    assert body["details"] == {"good": MIN_LABELS_PER_CLASS + 2, "bad": 3, "needed_per_class": MIN_LABELS_PER_CLASS}
    assert f"at least {MIN_LABELS_PER_CLASS} of each" in body["message"]
    html = client.post(reverse("ops:calibration_fit"), {"tenant": world.tenant.slug, "method": "platt"})
    assert html.status_code == 409 and f"at least {MIN_LABELS_PER_CLASS} of each" in html.content.decode()
    assert not CalibrationRun.objects.exists()


def test_recalibrate_command_says_the_minimum(world) -> None:  # type: ignore[no-untyped-def]
    label_set(world, 4, 2)
    out = StringIO()
    call_command("recalibrate", tenant=world.tenant.slug, stdout=out)
    assert f"4 good and 2 bad; at least {MIN_LABELS_PER_CLASS} of each are needed" in out.getvalue()
    assert not CalibratorVersion.objects.exists()


def test_fit_runs_as_a_task_and_reports_before_and_after(
    world, client_for, eager, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    label_set(world, 20, 20)
    client = client_for(world.lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("ops:calibration_fit"), {"tenant": world.tenant.slug, "method": "isotonic", "queue": world.queue.pk}
        )
    assert response.status_code == 302
    run = CalibrationRun.objects.get()
    assert run.status == RunStatus.DONE and run.progress == 100 and run.queue == world.queue
    row = run.calibrator
    assert row is not None and not row.is_active and row.queue == world.queue and row.labels_used == 40
    # The report's "after" figures are the out-of-fold predictions, computed the same way here.
    labels = calibration_labels(tenant=world.tenant, queue=world.queue)
    y = np.array(labels.labels, dtype=float)
    p = fitting.out_of_fold(labels, method="isotonic")
    assert math.isclose(run.report["after"]["ece"], reliability.ece(y, p))
    assert math.isclose(run.report["after"]["brier"], reliability.brier(y, p))
    live = np.array([r.confidence for r in labels.rows])
    assert math.isclose(run.report["before"]["brier"], reliability.brier(y, live))
    # The overconfident live scores are worse calibrated than the fit, out of fold too.
    assert run.report["after"]["brier"] < run.report["before"]["brier"]
    # The stored calibrator is the fit on every label.
    full = Calibrator.fit([r.raw_score for r in labels.rows], labels.labels, method="isotonic")
    assert Calibrator.from_dict(row.artefact).params == full.params
    page = client.get(reverse("ops:calibration") + f"?tenant={world.tenant.slug}&run={run.pk}").content.decode()
    for fragment in (
        'id="calibration-metrics"',
        'id="reliability-title"',
        'id="histogram-title"',
        'id="tradeoff-title"',
    ):
        assert fragment in page
    assert "data-live" not in page  # a finished run is not polled


def test_the_run_panel_polls_until_finished(world, client_for) -> None:  # type: ignore[no-untyped-def]
    label_set(world, 16, 16)
    client = client_for(world.lead)
    response = client.post(reverse("ops:calibration_fit"), {"tenant": world.tenant.slug, "method": "platt"})
    assert response.status_code == 302  # no worker ran: the run waits
    run = CalibrationRun.objects.get()
    url = reverse("ops:calibration_run", args=[run.pk])
    panel = client.get(url, HTTP_HX_REQUEST="true")
    assert panel.status_code == 200 and "data-live" in panel.content.decode() and 'value="0"' in panel.content.decode()
    seen: list[int] = []
    assert (
        fitting.calibration_run_execute(
            run.pk, progress=lambda r, pct, stage: (seen.append(pct), fitting._progress(r, pct, stage))
        )
        == "done"
    )
    assert seen == sorted(seen) and seen[-1] == 80
    done = client.get(url, HTTP_HX_REQUEST="true")
    assert done.status_code == 286  # stops htmx polling
    assert done["HX-Redirect"].endswith(f"run={run.pk}")
    assert fitting.calibration_run_execute(run.pk) == "not_pending"  # a second delivery does nothing


def test_labels_that_vanish_before_the_task_refuse_the_run(world, client_for) -> None:  # type: ignore[no-untyped-def]
    label_set(world, 16, 16)
    client_for(world.lead).post(reverse("ops:calibration_fit"), {"tenant": world.tenant.slug, "method": "platt"})
    run = CalibrationRun.objects.get()
    CalibrationRun.objects.filter(pk=run.pk).update(prompt_version="never-used")
    assert fitting.calibration_run_execute(run.pk) == "refused"
    run.refresh_from_db()
    assert run.status == RunStatus.REFUSED and "0 good and 0 bad" in run.message and run.calibrator is None
