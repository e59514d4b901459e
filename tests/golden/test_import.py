"""Golden-set import in the shared data format: bad lines are named by number and nothing is
written; good files import whole; the command and the upload call the same service."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from reviewqueue.errors import InvalidInput
from reviewqueue.golden.models import GoldenEvent, GoldenRecord
from reviewqueue.golden.services import golden_import

pytestmark = pytest.mark.django_db

SMALL = Path(__file__).parent / "data" / "small.jsonl"


def good(i: int, **overrides: object) -> str:
    rec = {"id": f"r-{i}", "question": "q", "passages": [{"id": "p", "text": "t"}], "response": "r", "label": i % 2}
    rec.update(overrides)
    return json.dumps(rec)


def test_imports_the_shared_format(world) -> None:
    records = golden_import(tenant=world.tenant, lines=SMALL.read_bytes().splitlines(), now=timezone.now())
    assert len(records) == 6 and GoldenRecord.objects.filter(tenant=world.tenant).count() == 6
    first = GoldenRecord.objects.get(tenant=world.tenant, external_id="g-1")
    assert first.label == 0 and first.passages[0]["id"] == "kb-17" and first.source == "import"
    assert GoldenEvent.objects.get(tenant=world.tenant).type == "golden.imported"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("{not json", "line 2: not valid JSON"),
        ("[1, 2]", "line 2: not a JSON object"),
        (good(9, label=2), "line 2: `label` must be 0 (supported) or 1 (hallucinated)"),
        (good(9, label=True), "line 2: `label` must be 0"),
        (good(9, response=""), "line 2: `response` is required"),
        (good(9, passages="text"), "line 2: `passages` must be a list"),
        (good(9, id=7), "line 2: `id` must be a string"),
        (good(1), "line 2: id 'r-1' is also on line 1"),
    ],
)
def test_a_bad_line_is_named_and_nothing_is_written(world, bad: str, message: str) -> None:
    lines = [good(1), bad, "", good(3)]
    with pytest.raises(InvalidInput) as caught:
        golden_import(tenant=world.tenant, lines=lines, now=timezone.now())
    assert any(e.startswith(message) for e in caught.value.details["errors"]), caught.value.details
    assert not GoldenRecord.objects.exists() and not GoldenEvent.objects.exists()


def test_every_bad_line_is_reported_at_once(world) -> None:
    with pytest.raises(InvalidInput) as caught:
        golden_import(tenant=world.tenant, lines=["{", good(2), "[]", b"\xff\xfe"], now=timezone.now())
    assert [e.split(":")[0] for e in caught.value.details["errors"]] == ["line 1", "line 3", "line 4"]


def test_an_id_already_in_the_set_refuses_the_whole_file(world) -> None:
    golden_import(tenant=world.tenant, lines=[good(1)], now=timezone.now())
    with pytest.raises(InvalidInput, match="already in the golden set"):
        golden_import(tenant=world.tenant, lines=[good(2), good(1)], now=timezone.now())
    assert list(GoldenRecord.objects.values_list("external_id", flat=True)) == ["r-1"]
    # Another tenant has its own set: the same id is fine there.
    golden_import(tenant=world.other_tenant, lines=[good(1)], now=timezone.now())


def test_empty_and_oversized_files(world, settings) -> None:
    with pytest.raises(InvalidInput):
        golden_import(tenant=world.tenant, lines=["", "  "], now=timezone.now())
    settings.REVIEWQUEUE_GOLDEN_MAX_RECORDS = 2
    with pytest.raises(InvalidInput) as caught:
        golden_import(tenant=world.tenant, lines=[good(1), good(2), good(3)], now=timezone.now())
    assert "at most 2" in caught.value.details["errors"][0]
    assert not GoldenRecord.objects.exists()


def test_command_import_only_and_its_errors(world, tmp_path) -> None:
    out = StringIO()
    call_command("golden_eval", tenant=world.tenant.slug, import_path=str(SMALL), import_only=True, stdout=out)
    assert "imported 6 golden records" in out.getvalue()
    bad = tmp_path / "bad.jsonl"
    bad.write_text(good(10) + "\n{oops\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 2: not valid JSON"):
        call_command("golden_eval", tenant=world.tenant.slug, import_path=str(bad), import_only=True)
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("golden_eval", tenant=world.tenant.slug, import_path=str(tmp_path / "missing.jsonl"))
    with pytest.raises(CommandError, match="No tenant"):
        call_command("golden_eval", tenant="nope")
    assert GoldenRecord.objects.count() == 6


def test_command_without_records_says_so(world) -> None:
    with pytest.raises(CommandError, match="no golden records"):
        call_command("golden_eval", tenant=world.tenant.slug)


def test_upload_on_the_page(world, client_for) -> None:
    client = client_for(world.lead)
    url = reverse("ops:golden_upload")
    bad = SimpleUploadedFile("bad.jsonl", (good(1) + "\n{x\n").encode(), content_type="application/jsonl")
    response = client.post(url, {"tenant": world.tenant.slug, "file": bad})
    assert response.status_code == 400
    html = response.content.decode()
    assert "nothing was imported" in html and "line 2: not valid JSON" in html
    assert not GoldenRecord.objects.exists()
    assert client.post(url, {"tenant": world.tenant.slug}).status_code == 400  # no file
    upload = SimpleUploadedFile("small.jsonl", SMALL.read_bytes(), content_type="application/jsonl")
    response = client.post(url, {"tenant": world.tenant.slug, "file": upload})
    assert response.status_code == 302
    assert GoldenRecord.objects.filter(tenant=world.tenant).count() == 6
    # Naming another tenant's slug finds nothing: the lead's tenants only.
    upload = SimpleUploadedFile("small.jsonl", SMALL.read_bytes(), content_type="application/jsonl")
    assert client.post(url, {"tenant": world.other_tenant.slug, "file": upload}).status_code == 404
    assert not GoldenRecord.objects.filter(tenant=world.other_tenant).exists()
