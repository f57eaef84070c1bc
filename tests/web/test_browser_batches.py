"""The batch worklist in Chromium: grouped by kind, a patient link, "Mark done"; axe on the page,
screenshots to look at."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.browsing import Watched, axe_scan, login, screenshot
from tests.web.conftest import LivePortal
from tests.worklist.batches import seed_batch

pytestmark = pytest.mark.browser


def test_the_desk_works_the_batch_worklist(
    page: Watched, live_portal: LivePortal, world: Any
) -> None:
    live, p = live_portal, page.page
    batch = live.run(seed_batch(live.gateway, world))
    login(page, live, "front_desk")
    p.goto(f"{live.url}/batches/{batch}")
    assert p.locator("h1").inner_text() == "Batch worklist"
    assert p.locator("h3").all_inner_texts()[:4] == [
        "Coverage ended (1 to do)",
        "Member not found (1 to do)",
        "Prior authorization needed (1 to do)",
        "Deductible left (1 to do)",
    ]
    assert axe_scan(page, "batch worklist") == []
    screenshot(page, "batch-worklist")

    row = p.locator("tbody tr", has_text="Nocard, Hank")
    assert "Coverage ended on" in row.inner_text()
    row.locator("button", has_text="Mark done").click()
    p.wait_for_url(lambda url: "?done=" in url)
    row = p.locator("tbody tr", has_text="Nocard, Hank")
    assert "Done" in row.inner_text() and "Open again" in row.inner_text()
    assert "3 to do, 1 done." in p.locator("main").inner_text()
    assert axe_scan(page, "batch worklist, one done") == []
    screenshot(page, "batch-worklist-done")

    p.locator("tbody tr", has_text="Exemplar, Elsie").locator("a").click()
    p.wait_for_url(lambda url: "/patients/" in url)
    assert "Exemplar" in p.locator("h1").inner_text()
