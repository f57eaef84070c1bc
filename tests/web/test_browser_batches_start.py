"""Browser: the desk checks tomorrow's schedule from Schedule and /batches, watches the batch finish
(the page asks again by itself) and finds the work it left; axe on each page, screenshots."""

from __future__ import annotations

import re

import pytest

from tests.web.batch_day import book_tomorrow
from tests.web.browsing import Watched, axe_scan, login, screenshot
from tests.web.conftest import LivePortal

pytestmark = pytest.mark.browser


def test_the_desk_checks_tomorrow_and_watches_it_finish(
    page: Watched, live_portal: LivePortal
) -> None:
    live, p = live_portal, page.page
    tomorrow = live.run(book_tomorrow(live.gateway))
    login(page, live, "front_desk")
    p.click("nav >> text=Schedule")
    p.wait_for_url(f"{live.url}/schedule")
    p.click("text=Check tomorrow's schedule")
    p.wait_for_url(f"{live.url}/batches?date={tomorrow.isoformat()}")
    assert p.locator("h1").inner_text() == "Batch eligibility"
    assert p.locator("nav a[aria-current=page]").inner_text() == "Batches"
    assert p.input_value("#date") == tomorrow.isoformat()
    assert "No batches yet." in p.locator("main").inner_text()
    assert axe_scan(page, "batches, none yet") == []
    screenshot(page, "batches-start")

    # Every payer takes 1.9 s to answer (under the 2 s timeout), so the batch is still running when
    # its page opens: the page must ask again by itself to see it finish.
    payers = list(live.gateway.sandbox_apps)
    for payer in payers:
        live.run(live.gateway.faults(payer, latency_ms=1900))
    try:
        p.click("button:has-text('Check the schedule')")
        p.wait_for_url(re.compile(r".*/batches/[0-9a-f-]{36}\?started=new$"))
        assert "The check was started." in p.locator("main").inner_text()
        assert p.locator("#batch-live[hx-get]").count() == 1  # running: it asks again
        assert "Finished" not in p.locator("#batch-live .badge").inner_text()
        screenshot(page, "batches-running")
        with p.expect_request(lambda r: r.headers.get("hx-request") == "true"):
            pass  # the page's own request, every few seconds
        p.locator("#batch-live .badge", has_text="Finished").wait_for(timeout=90_000)
    finally:
        for payer in payers:
            live.run(live.gateway.faults(payer, latency_ms=0))
    assert p.locator("#batch-live[hx-get]").count() == 0  # finished: no more asking
    main = p.locator("main").inner_text()
    checks = re.search(r"(\d+) of (\d+) insurance checks done", main)
    assert checks and checks.group(1) == checks.group(2), main
    headings = [h.split(" (")[0] for h in p.locator("h3").all_inner_texts()]
    assert {"Coverage ended", "Member not found", "Prior authorization needed"} <= set(headings)
    for kind, name in (
        ("coverage_ended", "Nocard, Hank"),
        ("member_not_found", "Standin, Dario"),
        ("auth_required", "Pretend, Petra"),
    ):
        section = p.locator(f"section[aria-labelledby=kind-{kind}]")
        assert name in section.inner_text(), (kind, section.inner_text())
    assert p.locator("table.batch-payers tbody tr").count() >= 1
    assert axe_scan(page, "batch finished") == []
    screenshot(page, "batches-finished")

    p.click("text=All batches")
    p.wait_for_url(f"{live.url}/batches")
    row = p.locator("table.batches tbody tr").first
    assert "Finished" in row.inner_text()
    assert f"Schedule of {tomorrow.strftime('%m/%d/%Y')}" in row.inner_text()
    assert p.input_value("#date") == tomorrow.isoformat()  # tomorrow by default
    assert axe_scan(page, "batches list") == []
    screenshot(page, "batches-list")
