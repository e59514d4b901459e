"""The Content-Security-Policy in a real browser: the flows in test_review_flow.py run under it
(new_page fails a test on any violation Chromium reports); this checks that such a report is
really seen, so a silent pass cannot come from a listener that hears nothing."""

from __future__ import annotations

import pytest

from tests.browser.conftest import VIEWPORT

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_an_inline_style_or_script_is_refused_and_reported(browser, live_server) -> None:
    context = browser.new_context(viewport=VIEWPORT, base_url=live_server.url)
    try:
        page = context.new_page()
        messages: list[str] = []
        page.on("console", lambda message: messages.append(message.text))
        response = page.goto("/login/")
        assert response is not None and "script-src 'self'" in response.headers["content-security-policy"]
        page.evaluate(
            """() => {
                document.body.setAttribute("style", "background: red");
                const s = document.createElement("script");
                s.textContent = "window.__inline_ran = true";
                document.body.appendChild(s);
            }"""
        )
        page.wait_for_timeout(200)
        assert page.evaluate("() => window.__inline_ran === undefined")  # the inline script never ran
        refused = [m for m in messages if "Content Security Policy" in m]
        assert any("style" in m for m in refused) and any("script" in m for m in refused), messages
    finally:
        context.close()
