"""New claim and Claims in Chromium: codes picked by words, a claim sent and its status changing on
the open page without a reload, edit errors at their fields, a double click making one claim, and a
session that expires mid-form coming back filled after login; axe on every state."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from gateway.storage.claims_tables import SubmittedClaim
from gateway.web.session import COOKIE, SessionSeal
from tests.claims.conftest import billed
from tests.gateway.people import PASSWORD
from tests.web.browsing import Watched, axe_scan, login, screenshot
from tests.web.conftest import LivePortal

pytestmark = pytest.mark.browser

CLAIMS = "{ claims(first: 50) { edges { node { id } } } }"


def _patient(live: LivePortal, world: Any) -> str:
    database = live.gateway.services.database
    return str(live.run(billed(database, live.gateway.patient_ids, world, "lakeshore")).patient_id)


def _claim_count(live: LivePortal) -> int:
    return len(live.run(live.gateway.query(CLAIMS))["data"]["claims"]["edges"])


def _box(name: str) -> str:
    return f'[id="{name}"]'


def _pick(page: Watched, name: str, words: str, code: str) -> None:
    """Type words into a code box and pick the suggested code (htmx asks as one types)."""
    p = page.page
    p.locator(_box(name)).fill("")
    p.locator(_box(name)).press_sequentially(words, delay=20)
    choice = p.locator(f'[data-pick-for="{name}"][data-code="{code}"]')
    choice.wait_for()
    choice.click()
    assert p.locator(_box(name)).input_value() == code


def _status_from_payer(live: LivePortal, claim_id: str, control_number: str) -> None:
    """The sandbox payer pays the claim, and the gateway's poller asks it now (not in minutes)."""
    claims = live.gateway.services.claims
    assert claims is not None

    async def change() -> None:
        answer = await live.gateway.sandbox("lakeshore").put(
            f"/_control/claims/{control_number}/status",
            json={"category": "F1", "status": "65", "paid_amount": "145.00"},
        )
        assert answer.status_code == 200, answer.text
        async with live.gateway.services.database.transaction() as session:
            await session.execute(
                update(SubmittedClaim)
                .where(SubmittedClaim.id == claim_id)
                .values(next_poll_at=datetime.now(UTC) - timedelta(seconds=1))
            )
        await claims.poller.run_once()

    live.run(change())


def test_a_claim_picked_by_words_is_sent_and_its_status_changes_on_the_open_page(
    page: Watched, live_portal: LivePortal, world: Any
) -> None:
    live, p = live_portal, page.page
    login(page, live, "biller")
    p.goto(f"{live.url}/claims/new")
    found = axe_scan(page, "claim patients")
    screenshot(page, "claim-choose-patient")
    p.goto(f"{live.url}/claims/new?patient={_patient(live, world)}")
    found += axe_scan(page, "new claim")
    screenshot(page, "claim-new")
    # Keyboard only: type words, Tab to the wanted code, Enter picks it.
    p.locator(_box("diagnoses.0")).press_sequentially("type 2 diabetes", delay=20)
    p.locator('[data-pick-for="diagnoses.0"][data-code="E11.9"]').wait_for()
    for _ in range(10):
        p.keyboard.press("Tab")
        if p.evaluate("document.activeElement.dataset.code") == "E11.9":
            break
    p.keyboard.press("Enter")
    assert p.locator(_box("diagnoses.0")).input_value() == "E11.9"
    assert p.evaluate("document.activeElement.id") == "diagnoses.0"  # back in its box
    assert "diabetes" in p.inner_text('[data-picked="diagnoses.0"]')
    p.locator(_box("lines.0.procedureCode")).press_sequentially("office visit est", delay=20)
    p.locator('[data-pick-for="lines.0.procedureCode"]').first.wait_for()
    found += axe_scan(page, "code choices")
    screenshot(page, "claim-code-choices")
    p.locator('[data-pick-for="lines.0.procedureCode"][data-code="99213"]').click()
    p.fill(_box("lines.0.modifiers"), "25")
    p.fill(_box("lines.0.diagnosisPointers"), "1")
    p.fill(_box("lines.0.charge"), "145.00")
    p.click("button:has-text('Add a line')")  # the form comes back with one more line
    p.locator(_box("lines.1.procedureCode")).wait_for()
    assert p.locator(_box("lines.0.procedureCode")).input_value() == "99213"
    _pick(page, "lines.1.procedureCode", "hemoglobin", "83036")
    p.fill(_box("lines.1.diagnosisPointers"), "1")
    p.fill(_box("lines.1.charge"), "42")
    p.click("button:has-text('Send claim')")
    p.wait_for_url("**/claims/*?sent=new")
    assert "Claim sent" in p.inner_text("main")
    assert "$187.00" in p.inner_text(".facts")
    found += axe_scan(page, "claim sent")
    screenshot(page, "claim-sent")

    claim_id = p.url.split("/claims/")[1].split("?")[0]
    control = p.inner_text("h1").removeprefix("Claim ").strip()
    p.evaluate("window.__same_page = true")  # gone if the page reloads
    claims = live.gateway.services.claims
    assert claims is not None
    live.run(claims.dispatcher.run_once())  # the claim goes to the payer, which acknowledges it
    p.locator(".timeline", has_text="Acknowledged by the payer").wait_for(timeout=15_000)
    _status_from_payer(live, claim_id, control)
    p.locator(".status-now", has_text="Finished: paid").wait_for(timeout=15_000)
    assert p.evaluate("window.__same_page") is True
    found += axe_scan(page, "claim paid")
    screenshot(page, "claim-status-timeline")

    p.goto(f"{live.url}/claims")
    assert control in p.inner_text("table")
    found += axe_scan(page, "claims worklist")
    screenshot(page, "claims-worklist")
    p.select_option("#status", "DENIED")
    p.click("button:has-text('Show claims')")
    p.locator(".empty", has_text="No claim matches").wait_for()
    found += axe_scan(page, "claims worklist empty")
    screenshot(page, "claims-worklist-filtered")
    assert found == []


def test_edit_errors_show_at_their_fields_and_a_double_click_makes_one_claim(
    page: Watched, live_portal: LivePortal, world: Any
) -> None:
    live, p = live_portal, page.page
    login(page, live, "biller")
    p.goto(f"{live.url}/claims/new?patient={_patient(live, world)}")
    npi = p.locator(_box("billingProvider.npi")).input_value()
    p.fill(_box("billingProvider.npi"), "1234567890")
    p.fill(_box("lines.0.procedureCode"), "99213")
    p.fill(_box("lines.0.diagnosisPointers"), "1")
    p.fill(_box("lines.0.charge"), "a lot")
    p.click("button:has-text('Send claim')")
    p.locator(".error-summary").wait_for()
    page.expect_status(422)
    assert "check digit" in p.inner_text(_box("billingProvider.npi-error"))
    assert "dollars" in p.inner_text(_box("lines.0.charge-error"))
    assert "diagnosis" in p.inner_text(_box("diagnoses.0-error")).lower()
    assert p.evaluate("document.activeElement.className") == "error-summary"
    found = axe_scan(page, "claim edit errors")
    screenshot(page, "claim-edit-errors")

    before = _claim_count(live)
    p.fill(_box("billingProvider.npi"), npi)
    p.fill(_box("diagnoses.0"), "E11.9")
    p.fill(_box("lines.0.charge"), "145.00")
    p.dblclick("button:has-text('Send claim')")
    p.wait_for_url("**/claims/*?sent=*")
    time.sleep(0.5)  # let a second request, if any, land
    assert _claim_count(live) == before + 1
    assert found == []


def _expire(page: Watched, live: LivePortal) -> None:
    """As if the person had left the form open past the idle timeout: the session's last request
    is moved back two hours in the real sealed cookie."""
    seal = SessionSeal(live.gateway.services.settings)
    context = page.page.context
    (cookie,) = [c for c in context.cookies() if c["name"] == COOKIE]
    value = seal.open(cookie["value"])
    assert value is not None
    value["seen"] = time.time() - 7200
    context.add_cookies([{**cookie, "value": seal.seal(value)}])


def test_a_session_that_expires_mid_form_comes_back_filled_after_login(
    page: Watched, live_portal: LivePortal, world: Any
) -> None:
    live, p = live_portal, page.page
    login(page, live, "front_desk")
    p.goto(f"{live.url}/claims/new?patient={_patient(live, world)}")
    typed = {"diagnoses.0": "J01.90", "lines.0.procedureCode": "99213", "lines.0.charge": "163.00"}
    for name, value in typed.items():
        p.fill(_box(name), value)
    key = p.locator("input[name=claim_key]").input_value()
    _expire(page, live)
    before = _claim_count(live)
    p.click("button:has-text('Send claim')")
    p.wait_for_url("**/login?expired=1")
    found = axe_scan(page, "login after expiry")
    screenshot(page, "claim-session-expired")
    person = live.staff["front_desk"]
    p.fill("#email", person.email)
    p.fill("#password", PASSWORD)
    p.click("button:has-text('Continue')")
    p.wait_for_url("**/login/code")
    p.fill("#code", person.code())
    p.click("button:has-text('Sign in')")
    p.wait_for_url("**/claims/new?resume=*")
    assert "as you left it" in p.inner_text("main")
    for name, value in typed.items():
        assert p.locator(_box(name)).input_value() == value
    assert p.locator("input[name=claim_key]").input_value() == key
    assert _claim_count(live) == before  # nothing was sent while signed out
    found += axe_scan(page, "claim resumed")
    screenshot(page, "claim-resumed")
    assert found == [], json.dumps(found)
