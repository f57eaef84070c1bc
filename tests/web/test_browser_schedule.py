"""Browser: the Schedule screen in Chromium (axe clean, screenshots schedule-today, schedule-next)."""

from __future__ import annotations

import pytest

from gateway.schedule.demo_day import seed_demo_schedule
from tests.web.browsing import Watched, axe_scan, login, screenshot
from tests.web.conftest import LivePortal

pytestmark = pytest.mark.browser


def test_schedule_day_view_and_next_day(page: Watched, live_portal: LivePortal) -> None:
    live, p = live_portal, page.page
    gateway = live.gateway
    live.run(
        seed_demo_schedule(
            gateway.services.database, gateway.practice_id, list(gateway.patient_ids.values())
        )
    )
    login(page, live, "front_desk")
    p.click("nav >> text=Schedule")
    p.wait_for_url(f"{live.url}/schedule")
    assert "(today)" in p.locator("h1").inner_text()
    rows = p.locator("tbody tr")
    assert rows.count() == 12
    assert rows.first.locator("th").inner_text() == "08:00"
    assert "Cancelled" in p.locator("table").inner_text()
    assert axe_scan(page, "schedule") == []
    screenshot(page, "schedule-today")
    p.click("text=Next day")
    p.wait_for_url(f"{live.url}/schedule?date=*")
    assert "(today)" not in p.locator("h1").inner_text()
    assert p.locator("tbody tr").count() == 12
    screenshot(page, "schedule-next")
    p.locator("tbody tr a").first.click()
    p.wait_for_url(f"{live.url}/patients/*")
