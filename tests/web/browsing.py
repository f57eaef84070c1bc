"""Browser helpers for the portal's tests: Chromium pages that fail on CSP violations and console
errors, the real two-step login, axe scans and screenshots."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.gateway.people import PASSWORD

if TYPE_CHECKING:
    from tests.web.conftest import LivePortal

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).with_name("screenshots")

# Recorded before any script of the page runs, so no violation is missed.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {reason}: the browser tests cannot run", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Debian's Chromium through Playwright (Playwright cannot download its own browsers here)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (pip install -e '.[test]')")
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield browser
        finally:
            browser.close()


class Watched:
    """A page whose CSP violations, console errors and failed requests are collected."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.problems: list[str] = []
        page.on(
            "console",
            lambda m: (
                self.problems.append(f"console {m.type}: {m.text}")
                if m.type in {"error", "warning"}
                else None
            ),
        )
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on(
            "response",
            lambda r: self.problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )

    def expect_status(self, status: int) -> None:
        """The page just loaded answered ``status`` on purpose (a 404 page): not a problem."""
        self.problems = [p for p in self.problems if not p.startswith(f"{status} ")]
        self.problems = [p for p in self.problems if f"status of {status}" not in p]

    def check(self) -> None:
        """Fail on any CSP violation or console error seen so far."""
        violations = self.page.evaluate("window.__violations || []")
        assert violations == [] and self.problems == [], (violations, self.problems)


@pytest.fixture
def page(chromium: Any) -> Iterator[Watched]:
    """A fresh browser context (no cookies) and a watched page; checked again at the end."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(RECORD_VIOLATIONS)
    watched = Watched(context.new_page())
    try:
        yield watched
        watched.check()
    finally:
        context.close()


def login(page: Watched, live: LivePortal, role: str) -> None:
    """Sign in through the two pages as a person of ``role`` (pyotp computes their code)."""
    person = live.staff[role]
    page.page.goto(f"{live.url}/login")
    page.page.fill("#email", person.email)
    page.page.fill("#password", PASSWORD)
    page.page.click("button:has-text('Continue')")
    page.page.wait_for_url("**/login/code")
    page.page.fill("#code", person.code())
    page.page.click("button:has-text('Sign in')")
    page.page.wait_for_url(lambda url: "/login" not in url)


def axe_scan(page: Watched, name: str) -> list[str]:
    """Serious or critical axe-core violations of the page as it is now (run after the CSP check:
    injecting axe is the test's own script, not the page's)."""
    from axe_playwright_python.sync_playwright import Axe

    page.check()
    results = Axe().run(page.page)
    return [
        f"{name}: {v['id']} ({v['impact']}): {v['help']}"
        for v in results.response["violations"]
        if v.get("impact") in {"serious", "critical"}
    ]


def screenshot(page: Watched, screen: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{screen}.png"
    page.page.screenshot(path=str(path), full_page=True)
    return path
