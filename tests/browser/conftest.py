"""Real Chromium (Debian's /usr/bin/chromium, never a downloaded browser) against a live server
on the test database. One browser per session; one context per scenario (or per reviewer)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make to set
# up data would otherwise be refused as "async unsafe".
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # see tests/web/conftest.py

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(settings.BASE_DIR) / "build" / "screenshots"
VIEWPORT = {"width": 1280, "height": 800}


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-dev-shm-usage",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch: pytest.MonkeyPatch) -> None:
    # Enqueue dispatches to Celery on commit; these tests build scored items themselves and must
    # not hand drafts to a worker some other test run may have listening on the same broker.
    from reviewqueue.intake import services

    monkeypatch.setattr(services, "draft_dispatch", lambda *, draft_id, expires: True)


@pytest.fixture
def new_page(browser, live_server) -> Iterator[Callable[..., object]]:
    """new_page(viewport=...) → a page in a fresh context (its own cookies), closed afterwards.
    Any JavaScript dialog (alert/confirm) fails the test: nothing here should open one, and so
    does any Content-Security-Policy violation Chromium reports on the console."""
    contexts = []
    dialogs: list[str] = []
    violations: list[str] = []

    def on_console(message) -> None:  # type: ignore[no-untyped-def]
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    def make(viewport: dict[str, int] | None = None):
        context = browser.new_context(viewport=viewport or VIEWPORT, base_url=live_server.url)
        context.set_default_timeout(8_000)
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("console", on_console)
        return page

    yield make
    for context in contexts:
        context.close()
    assert not dialogs, f"unexpected JavaScript dialogs: {dialogs}"
    assert not violations, f"Content-Security-Policy violations: {violations}"


def sign_in(page, user) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(user.get_username())
    page.get_by_label("Password").fill(f"pw-{user.get_username()}-123!")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"^http://[^/]+/$"))


def shot(page, name: str, *, full_page: bool = True) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)
