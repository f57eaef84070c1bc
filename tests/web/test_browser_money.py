"""Money in Chromium: Money (receivables and denials) -> Denials (the worklist) -> the claim's money
section; axe on each, screenshots to look at."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest

from tests.ledger.api import payer_of
from tests.money.conftest import card, submitted
from tests.money.ledger_rows import adj, line, paid_claim, post
from tests.web.browsing import Watched, axe_scan, login, screenshot
from tests.web.conftest import LivePortal
from tests.web.test_money_remittances import SAMPLE_835

pytestmark = pytest.mark.browser


async def _ledger(live: LivePortal, world: Any, today: date) -> dict[str, Any]:
    gateway = live.gateway
    wanda, felix = await card(gateway, world, "wanda"), await card(gateway, world, "felix")
    paid = await submitted(gateway, world, wanda, today, days_ago=40)
    await post(
        gateway,
        paid.payer_id,
        paid_claim(
            paid,
            "187.00",
            "110.00",
            lines=(
                line(
                    "99213",
                    "145.00",
                    "80.00",
                    adj("CO", "45", "45.00"),
                    adj("PR", "2", "20.00"),
                    allowed="100.00",
                ),
                line("83036", "42.00", "30.00", adj("CO", "45", "12.00"), allowed="30.00"),
            ),
        ),
    )
    await submitted(gateway, world, felix, today, days_ago=70)  # still with the payer
    denied = await submitted(gateway, world, felix, today, days_ago=12)
    await post(
        gateway,
        denied.payer_id,
        paid_claim(
            denied,
            "187.00",
            "100.00",
            adjustments=(adj("CO", "45", "45.00"), adj("CO", "4", "42.00", "N519")),
        ),
        paid_on=today - timedelta(days=2),
    )
    return {"paid": paid, "denied": denied}


def test_money_then_denials_then_the_claim(
    page: Watched, live_portal: LivePortal, world: Any
) -> None:
    live, p = live_portal, page.page
    today = date.today()
    found = live.run(_ledger(live, world, today))
    login(page, live, "biller")
    p.click("nav >> text=Money")
    p.wait_for_url(f"{live.url}/money")
    assert p.locator("h1").inner_text() == "Money"
    table = p.locator("table", has_text="Open balances by payer and age")
    assert "$187.00" in table.inner_text() and "$20.00" in table.inner_text()
    assert "The procedure code is inconsistent with the modifier" in p.content()
    assert axe_scan(page, "money") == []
    screenshot(page, "money")
    p.fill("#asof", "13/45/2026")
    p.locator("form[aria-label='Choose the dates'] button").click()
    assert "Write the date as MM/DD/YYYY" in p.locator(".error-summary").inner_text()
    assert axe_scan(page, "money with an error") == []

    p.click("nav >> text=Denials")
    p.wait_for_url(f"{live.url}/denials")
    row = p.locator("tbody tr", has_text=found["denied"].control_number)
    assert "Correct and resubmit" in row.inner_text()
    assert "$42.00 of $187.00" in row.inner_text()
    assert found["paid"].control_number not in p.content()
    assert axe_scan(page, "denials") == []
    screenshot(page, "denials")

    row.locator("a", has_text=found["denied"].control_number).click()
    p.wait_for_url(f"{live.url}/claims/{found['denied'].id}")
    money = p.locator("dl.facts", has_text="Still open")
    assert "$100.00" in money.inner_text()  # paid
    assert "The procedure code is inconsistent with the modifier" in p.content()
    assert axe_scan(page, "claim money") == []
    screenshot(page, "claim-money")
    p.click("text=Void the claim")
    p.wait_for_url(f"{live.url}/claims/{found['denied'].id}/void")
    assert axe_scan(page, "void confirm") == []
    p.goto(f"{live.url}/claims/{found['denied'].id}/correct")
    assert "Correct claim" in p.locator("h1").inner_text()
    assert axe_scan(page, "correct a claim") == []
    screenshot(page, "claim-correct")


def test_remittances_upload_and_unmatched(page: Watched, live_portal: LivePortal) -> None:
    live, p = live_portal, page.page
    login(page, live, "biller")
    p.click("nav >> text=Remittances")
    p.wait_for_url(f"{live.url}/remittances")
    p.click("text=Upload an 835")
    assert axe_scan(page, "remittance upload") == []
    p.locator("button", has_text="Upload and post").click()
    assert "Choose the 835 file to upload." in p.locator(".error-summary").inner_text()
    page.expect_status(400)  # the form came back with its errors, on purpose
    p.select_option("#payerId", "cascade")
    p.set_input_files("#file", str(SAMPLE_835))
    p.locator("button", has_text="Upload and post").click()
    p.wait_for_url(lambda url: "/remittances?posted=" in url)
    assert axe_scan(page, "remittances") == []
    screenshot(page, "remittances")
    p.locator("tbody a").first.click()
    p.wait_for_selector("text=Claims in this payment")
    assert axe_scan(page, "remittance") == []
    screenshot(page, "remittance")
    p.goto(f"{live.url}/remittances/unmatched")
    assert axe_scan(page, "unmatched") == []
    screenshot(page, "remittances-unmatched")
    p.goto(f"{live.url}/remittances/enter")
    assert axe_scan(page, "paper eob") == []
    screenshot(page, "remittance-enter")


def test_fetch_now_posts_a_payer_s_remittances(page: Watched, live_portal: LivePortal) -> None:
    live, p = live_portal, page.page
    payer_id = payer_of(live.gateway, "rest")
    login(page, live, "biller")  # the third time in this module: a code of the next TOTP step
    p.goto(f"{live.url}/remittances")
    p.select_option("#payerId", payer_id)
    with p.expect_navigation(url=lambda url: "fetched_from=" in url):
        p.locator("button", has_text="Fetch now").click()
    notice = p.locator("p[role=status]", has_text="remittances fetched").inner_text()
    assert re.fullmatch(
        r"Lakeshore Health Plan: \d+ remittances fetched, [1-9]\d* new posted\.", notice
    )
    assert p.locator("tbody a").count() > 0
    assert axe_scan(page, "remittances fetched") == []
    screenshot(page, "remittances-fetched")
