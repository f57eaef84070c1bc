"""Estimate in Chromium: from the patient's page, procedures picked by words, the breakdown with its
steps, and the good-faith estimate in a new tab, shown as printed; axe on every state."""

from __future__ import annotations

import pytest

from tests.web.browsing import Watched, axe_scan, login, screenshot
from tests.web.conftest import LivePortal

pytestmark = pytest.mark.browser

FEES = """mutation($entries: [FeeScheduleEntryInput!]!) {
  setFeeScheduleEntries(entries: $entries) { errors { code } } }"""


def _pick(page: Watched, name: str, words: str, code: str) -> None:
    p = page.page
    box = p.locator(f'[id="{name}"]')
    box.fill("")
    box.press_sequentially(words, delay=20)
    choice = p.locator(f'[data-pick-for="{name}"][data-code="{code}"]')
    choice.wait_for()
    choice.click()
    assert box.input_value() == code


def test_an_estimate_from_the_patient_page_and_its_printed_good_faith_estimate(
    page: Watched, live_portal: LivePortal
) -> None:
    live, p = live_portal, page.page
    entries = [
        {
            "payerId": "lakeshore",
            "code": "99213",
            "allowedAmount": "89.90",
            "effectiveFrom": "2020-01-01",
        },
        {
            "payerId": "lakeshore",
            "code": "83036",
            "allowedAmount": "26.04",
            "effectiveFrom": "2020-01-01",
        },
    ]
    answer = live.run(live.gateway.query(FEES, {"entries": entries}))
    assert answer["data"]["setFeeScheduleEntries"]["errors"] == []
    quinn = live.gateway.patient_ids["quinn"]
    login(page, live, "front_desk")
    p.goto(f"{live.url}/patients/{quinn}")
    p.click("a:has-text('Estimate')")
    p.wait_for_url(f"**/patients/{quinn}/estimate")
    found = axe_scan(page, "estimate form")

    _pick(page, "lines.0.code", "established patient office visit low", "99213")
    p.fill('[id="lines.0.charge"]', "145.00")
    p.click("button:has-text('Add a service')")
    p.wait_for_load_state("load")
    _pick(page, "lines.1.code", "hemoglobin a1c", "83036")
    p.fill('[id="lines.1.charge"]', "42.00")
    p.fill("#diagnoses", "E11.9, Z79.84")
    p.click("button:has-text('Estimate')")
    p.wait_for_load_state("load")
    assert "The patient will owe about $51.04" in p.inner_text("#estimate-heading")
    assert "$26.04 goes to the deductible, $1,500.00 left before." in p.inner_text(".estimate")
    found += axe_scan(page, "estimate breakdown")
    screenshot(page, "estimate")

    with p.context.expect_page() as opened:
        p.click("button:has-text('Print estimate for the patient')")
    printed = Watched(opened.value)
    printed.page.wait_for_load_state("load")
    text = printed.page.inner_text("main")
    assert "Good Faith Estimate" in text and "Placeholder, Quinn" in text
    assert "E11.9, Z79.84" in text and "$51.04" in text
    found += axe_scan(printed, "good faith estimate")
    screenshot(printed, "estimate-print-screen")
    printed.page.emulate_media(media="print")
    assert not printed.page.is_visible(".site-nav")
    screenshot(printed, "estimate-print")
    printed.check()
    assert found == []
