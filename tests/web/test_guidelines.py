"""Per-queue guidelines: Markdown a lead writes in the queue settings, rendered sanitised beside
the draft. Every XSS attempt below must come out inert."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from reviewqueue.markdown import render_markdown
from reviewqueue.ops.models import QueueSettingsChange
from reviewqueue.review.models import Queue
from tests.web.helpers import body

pytestmark = pytest.mark.django_db

ATTACKS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '[t](https://ok.example "x\\" onmouseover=\\"alert(1))',
    "<a href='javascript:alert(1)'>x</a>",
    '<svg onload="alert(1)">',
    "<iframe src=https://evil.example></iframe>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    "![x](https://evil.example/track.png)",
    "<!-- <script>alert(1)</script> -->",
]


class Elements(HTMLParser):
    """Every element and attribute in the HTML, as a browser would parse them (escaped text is
    text, whatever it says)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Elements()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("attack", ATTACKS)
def test_attacks_are_rendered_inert(attack: str) -> None:
    html = str(render_markdown(f"Be kind.\n\n{attack}\n"))
    assert "<p>Be kind.</p>" in html
    for tag, attrs in elements(html):
        assert tag in {"p", "a", "em", "strong", "code"}, (attack, html)
        assert set(attrs) <= {"href", "title", "rel"}, (attack, html)
        href = (attrs.get("href") or "https:").strip().lower()
        assert href.startswith(("https:", "http:", "mailto:")), (attack, html)
    assert "<!--" not in html


def test_markdown_is_rendered() -> None:
    html = str(
        render_markdown("# Refunds\n\n* **Never** promise a date\n* See [policy](https://kb.example/refunds)\n\n`code`")
    )
    assert "<h1>Refunds</h1>" in html and "<strong>Never</strong>" in html and "<code>code</code>" in html
    assert '<a href="https://kb.example/refunds" rel="noopener noreferrer nofollow">policy</a>' in html


def _settings_form(queue: Queue, **overrides: str) -> dict[str, str]:
    data = {
        "title": "Billing",
        "sla_minutes": "60",
        "lease_seconds": "120",
        "reviewer_group": str(queue.reviewer_group_id),
        "fallback_action": "block",
        "fallback_text": queue.fallback_text,
        "escalation_queue": "",
        "reject_reasons": "\n".join(queue.reject_reasons),
        "business_value": "1",
        "guidelines": "",
    }
    data.update(overrides)
    return data


def test_a_lead_edits_guidelines_and_reviewers_see_them_beside_the_draft(world, client_for, claimed_item) -> None:
    guidelines = (
        "## Refunds\n\n* Check the **order date** first\n\n<script>alert('x')</script>\n[x](javascript:alert(1))"
    )
    url = reverse("ops:queue_settings", args=[world.queue.pk])
    lead = client_for(world.lead)
    assert 'name="guidelines"' in body(lead.get(url))
    response = lead.post(url, _settings_form(world.queue, guidelines=guidelines, follow_up_on_block="on"))
    assert response.status_code == 302
    queue = Queue.objects.get(pk=world.queue.pk)
    assert queue.guidelines == guidelines and queue.follow_up_on_block
    change = QueueSettingsChange.objects.get(queue=queue)
    assert change.after["guidelines"] == guidelines and change.after["follow_up_on_block"] is True
    preview = body(lead.get(url))
    assert 'id="guidelines-preview"' in preview and "<h2>Refunds</h2>" in preview

    html = body(client_for(world.reviewer).get(reverse("web:item", args=[claimed_item.pk])))
    section = html.split('id="guidelines"', 1)[1].split("</details>", 1)[0]
    assert "<h2>Refunds</h2>" in section and "<strong>order date</strong>" in section
    assert "<script>" not in section and "&lt;script&gt;" in section
    assert all(not (a.get("href") or "").startswith("javascript") for _, a in elements(section))
    # Beside the draft: in the side column, before the tabs.
    assert html.index('id="guidelines"') < html.index('role="tablist"')


def test_no_guidelines_no_section(world, client_for, claimed_item) -> None:
    html = body(client_for(world.reviewer).get(reverse("web:item", args=[claimed_item.pk])))
    assert 'id="guidelines"' not in html


def test_guidelines_too_long_is_a_field_error(world, client_for) -> None:
    url = reverse("ops:queue_settings", args=[world.queue.pk])
    response = client_for(world.lead).post(url, _settings_form(world.queue, guidelines="x" * 20_001))
    assert response.status_code == 400
    block = body(response).split('data-field="guidelines"', 1)[1].split('<div class="field', 1)[0]
    assert "at most 20000 characters" in block
    assert Queue.objects.get(pk=world.queue.pk).guidelines == ""
