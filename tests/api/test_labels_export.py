"""GET /api/v1/labels and `manage.py export_labels`: the same rows, streamed, paged, filtered,
for a service key or a lead's session; and the file feeds the scoring CLI's fits."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from reviewqueue.calibration.export import LABEL_FIELDS
from reviewqueue.calibration.services import draft_feedback_record
from reviewqueue.review.models import Decision, Queue
from reviewqueue.tenancy.models import Tenant
from reviewqueue.tenancy.selectors import reviewer_ref
from scoring import cli as scoring_cli
from scoring.calibration import Calibrator
from scoring.evaluate import record_to_draft
from tests.api.conftest import assert_error, service_client, session_client
from tests.calibration.helpers import held, open_item, resolve, routed
from tests.factories import World, make_queue, make_user

pytestmark = pytest.mark.django_db


def body(response: Any) -> str:
    assert response.status_code == 200, response.content
    assert response.streaming
    return b"".join(response.streaming_content).decode()


def jsonl(response: Any) -> list[dict[str, Any]]:
    return [json.loads(line) for line in body(response).splitlines()]


@pytest.fixture
def labelled(world: World) -> dict[str, int]:
    """Five labelled drafts of every source, one unlabelled, one of another tenant."""
    Queue.objects.filter(pk=world.queue.pk).update(audit_share=1.0)
    faq = make_queue(world.tenant, "faq", group=world.queue.reviewer_group)
    ids: dict[str, int] = {}
    ids["approved"] = resolve(held(world, raw=0.8), world.reviewer, "approved").draft_id
    ids["edited"] = resolve(held(world, raw=0.3, model="m2"), world.reviewer, "edited", final_text="Fixed.").draft_id
    ids["rejected"] = resolve(held(world, raw=0.2, queue=faq, prompt_version="v9"), world.reviewer, "rejected").draft_id
    audited = routed(world, Decision.AUTO_SEND, raw=0.9, fusion="f2")
    ids["audited"] = resolve(open_item(audited, audit=True), world.other_reviewer, "approved").draft_id
    reported = routed(world, Decision.AUTO_SEND, raw=0.85, queue=faq)
    draft_feedback_record(client=world.client, draft_id=reported.pk, kind="complained", now=timezone.now())
    ids["reported"] = reported.pk
    ids["unlabelled"] = held(world).draft_id
    return ids


def test_rows_carry_everything_and_the_label(world: World, labelled: dict[str, int]) -> None:
    rows = {r["draft_id"]: r for r in jsonl(service_client(world.api_key).get("/api/v1/labels"))}
    assert set(rows) == {labelled[k] for k in ("approved", "edited", "rejected", "audited", "reported")}
    assert all(list(r) == list(LABEL_FIELDS) for r in rows.values())
    approved = rows[labelled["approved"]]
    assert (approved["verdict"], approved["label"], approved["label_source"], approved["weight"]) == (
        "good",
        0,
        "review",
        1.0,
    )
    assert approved["queue"] == "billing" and approved["decision"] == "queue_for_review"
    assert approved["raw_score"] == 0.8 and approved["features"] == {"nli_support": 0.8, "guardrail_hits": 0.0}
    assert (approved["model"], approved["fusion"]) == ("m1", "f1")
    assert approved["reviewer"] == reviewer_ref(world.reviewer, tenant=world.tenant)
    assert approved["reviewer"].startswith("rvw_")
    assert approved["response"] and approved["passages"][0]["id"] == "kb-17" and approved["spans"] == []
    assert approved["created_at"] and approved["labelled_at"] and approved["decided_at"]
    edited = rows[labelled["edited"]]
    assert (edited["label"], edited["disposition"], edited["edit"]) == (1, "edited", "Fixed.")
    rejected = rows[labelled["rejected"]]
    assert (rejected["reason_code"], rejected["queue"], rejected["prompt_version"]) == ("factually_wrong", "faq", "v9")
    audited = rows[labelled["audited"]]
    assert (audited["label_source"], audited["sampling_probability"], audited["decision"]) == (
        "audit",
        1.0,
        "auto_send",
    )
    reported = rows[labelled["reported"]]
    assert (reported["label_source"], reported["label"], reported["feedback"], reported["reviewer"]) == (
        "feedback",
        1,
        ["complained"],
        None,
    )
    # The tenant turned reviewer names on: usernames instead.
    Tenant.objects.filter(pk=world.tenant.pk).update(expose_reviewer_names=True)
    again = {r["draft_id"]: r for r in jsonl(service_client(world.api_key).get("/api/v1/labels"))}
    assert again[labelled["approved"]]["reviewer"] == world.reviewer.username


def test_csv_and_jsonl_hold_the_same_rows_and_the_command_writes_the_same_bytes(
    world: World, labelled: dict[str, int], tmp_path: Path
) -> None:
    api = service_client(world.api_key)
    as_jsonl = body(api.get("/api/v1/labels"))
    response = api.get("/api/v1/labels", {"format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    as_csv = body(response)
    rows = [json.loads(line) for line in as_jsonl.splitlines()]
    table = list(csv.DictReader(io.StringIO(as_csv)))
    assert len(table) == len(rows) == 5
    for row, cells in zip(rows, table, strict=True):
        assert list(cells) == list(LABEL_FIELDS)
        for name, value in row.items():
            cell = cells[name]
            # Strings as they are, null as an empty cell, anything else as its JSON.
            expected = (
                value
                if isinstance(value, str)
                else ("" if value is None else json.dumps(value, separators=(",", ":"), ensure_ascii=False))
            )
            assert cell == expected, name
    for fmt, streamed in (("jsonl", as_jsonl), ("csv", as_csv)):
        out = tmp_path / f"labels.{fmt}"
        err = io.StringIO()
        call_command("export_labels", "--tenant", world.tenant.slug, "--format", fmt, "--out", str(out), stderr=err)
        assert out.read_text(encoding="utf-8") == streamed
        assert "Exported 5 labelled drafts" in err.getvalue()
    stdout = io.StringIO()
    call_command("export_labels", "--tenant", world.tenant.slug, "--queue", "faq", stdout=stdout, stderr=io.StringIO())
    assert stdout.getvalue() == body(api.get("/api/v1/labels", {"queue": "faq"}))


def test_pages_follow_the_next_link_and_cover_everything_once(world: World, labelled: dict[str, int]) -> None:
    api = service_client(world.api_key)
    everything = [r["draft_id"] for r in jsonl(api.get("/api/v1/labels"))]
    seen: list[int] = []
    response = api.get("/api/v1/labels", {"limit": 2})
    pages = 0
    while True:
        pages += 1
        seen += [r["draft_id"] for r in jsonl(response)]
        link = response.get("Link")
        if link is None:
            break
        assert link.endswith('>; rel="next"') and response["X-Next-Cursor"]
        query = parse_qs(urlsplit(link[1 : link.index(">")]).query)
        assert query["limit"] == ["2"] and query["cursor"] == [response["X-Next-Cursor"]]
        response = api.get("/api/v1/labels", {"limit": 2, "cursor": query["cursor"][0]})
    assert seen == everything and pages == 3  # 6 candidate drafts read 2 at a time


def test_filters(world: World, labelled: dict[str, int]) -> None:
    api = service_client(world.api_key)

    def ids(**query: Any) -> set[int]:
        return {r["draft_id"] for r in jsonl(api.get("/api/v1/labels", query))}

    assert ids(queue="faq") == {labelled["rejected"], labelled["reported"]}
    assert ids(prompt_version="v9") == {labelled["rejected"]}
    assert ids(model="m2") == {labelled["edited"]}
    assert ids(fusion="f2") == {labelled["audited"]}
    later = (timezone.now() + timedelta(hours=1)).isoformat()
    assert ids(since=later) == set()
    assert len(ids(until=later)) == 5
    assert jsonl(service_client(world.other_api_key).get("/api/v1/labels")) == []


def test_a_lead_session_exports_a_reviewer_session_does_not(world: World, labelled: dict[str, int]) -> None:
    assert len(jsonl(session_client(world.lead).get("/api/v1/labels"))) == 5
    for user in (world.reviewer, world.outsider, world.stranger):
        assert_error(session_client(user).get("/api/v1/labels"), 403, "forbidden")
    anonymous = service_client("x")
    anonymous.credentials()
    assert_error(anonymous.get("/api/v1/labels"), 401, "not_authenticated")
    # A lead of this tenant naming another: 404; a service naming another tenant: 404.
    other = world.other_tenant.slug
    assert_error(session_client(world.lead).get("/api/v1/labels", {"tenant": other}), 404, "not_found")
    assert_error(service_client(world.api_key).get("/api/v1/labels", {"tenant": other}), 404, "not_found")
    assert len(jsonl(service_client(world.api_key).get("/api/v1/labels", {"tenant": world.tenant.slug}))) == 5
    # A lead of two tenants names one.
    both = make_user("lead-of-two", world.tenant, role="lead")
    from reviewqueue.tenancy.services import membership_grant

    membership_grant(user=both, tenant=world.other_tenant, role="lead")
    assert_error(session_client(both).get("/api/v1/labels"), 400, "invalid")
    assert jsonl(session_client(both).get("/api/v1/labels", {"tenant": other})) == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "ZHJhZnRzfDEy"}, "cursor"),  # base64 of "drafts|12": another endpoint's shape
        ({"format": "xml"}, "format"),
        ({"queue": "nope"}, "queue"),
        ({"since": "yesterday"}, "since"),
        ({"since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"}, "until"),
        ({"limit": "0"}, "limit"),
        ({"limit": "100000"}, "limit"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_queries_are_400_with_the_stable_body(world: World, query: dict[str, str], field: str) -> None:
    error = assert_error(service_client(world.api_key).get("/api/v1/labels", query), 400, "invalid")
    assert field in error["details"]["fields"]


def test_the_command_refuses_bad_arguments(world: World, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No tenant 'nope'"):
        call_command("export_labels", "--tenant", "nope")
    with pytest.raises(CommandError, match="No queue 'nope'"):
        call_command("export_labels", "--tenant", world.tenant.slug, "--queue", "nope")
    with pytest.raises(CommandError, match="not an ISO date"):
        call_command("export_labels", "--tenant", world.tenant.slug, "--until", "soon")
    with pytest.raises(CommandError, match="later than --since"):
        call_command("export_labels", "--tenant", world.tenant.slug, "--since", "2026-02-01", "--until", "2026-01-01")
    with pytest.raises(CommandError, match="No directory"):
        call_command("export_labels", "--tenant", world.tenant.slug, "--out", str(tmp_path / "no" / "x.jsonl"))


def test_the_file_feeds_the_scoring_cli_fits(world: World, tmp_path: Path) -> None:
    """`python -m scoring calibrate --weighted` and `fit-fusion` read the export as it is, and so
    does `evaluate` (its records are the shared data format)."""
    Queue.objects.filter(pk=world.queue.pk).update(audit_share=0.5)
    for n in range(12):
        raw = (n + 0.5) / 12
        resolve(held(world, raw=raw), world.reviewer, "approved" if n % 3 else "rejected")
    out = tmp_path / "labels.jsonl"
    call_command("export_labels", "--tenant", world.tenant.slug, "--out", str(out), stderr=io.StringIO())
    cal_path = tmp_path / "cal.json"
    assert scoring_cli.main(["calibrate", str(out), "--out", str(cal_path), "--weighted"]) == 0
    cal = Calibrator.load(cal_path)
    assert cal.n_samples == 12 and cal.meta["model"] == "m1" and cal.meta["fusion"] == "f1"
    assert scoring_cli.main(["fit-fusion", str(out), "--out", str(tmp_path / "fusion.json")]) == 0
    record = json.loads(out.read_text().splitlines()[0])
    draft = record_to_draft(record)
    assert draft.draft == record["response"] and draft.passages[0].id == "kb-17"
