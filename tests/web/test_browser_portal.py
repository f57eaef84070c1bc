"""The portal in Chromium: login (first-login enrolment with recovery codes, normal, wrong code,
keyboard only), Today with badges (one payer failing), Payers with a payer down,
Today -> Patients -> a patient; no CSP violation,
no console error, and axe finds nothing serious or critical on any page."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest

from gateway.auth.accounts import create_user
from tests.gateway.people import PASSWORD, password_hash
from tests.web.browsing import Watched, axe_scan, login, screenshot
from tests.web.conftest import LivePortal

pytestmark = pytest.mark.browser


def test_first_login_enrols_the_authenticator_and_shows_recovery_codes_once(
    page: Watched, live_portal: LivePortal
) -> None:
    live = live_portal
    email = "newcomer@portal.example"
    live.run(
        create_user(
            live.gateway.services.database,
            practice_id=live.gateway.practice_id,
            email=email,
            name="Nia Newcomer",
            role="front_desk",
            password_hash=password_hash(),
            totp_secret=None,
        )
    )
    p = page.page
    p.goto(f"{live.url}/")
    p.wait_for_url("**/login")
    found = axe_scan(page, "login")
    screenshot(page, "login")
    p.fill("#email", email)
    p.fill("#password", PASSWORD)
    p.click("button:has-text('Continue')")
    p.wait_for_url("**/login/code")
    assert p.is_visible("img.qr") and p.eval_on_selector("img.qr", "i => i.naturalWidth") > 0
    secret = p.inner_text("code.secret").replace(" ", "")
    found += axe_scan(page, "enrolment")
    screenshot(page, "login-enrolment")
    p.fill("#code", pyotp.TOTP(secret).now())
    p.click("button:has-text('Sign in')")
    p.wait_for_url("**/login/recovery-codes")
    codes = p.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    assert p.is_visible("button[data-print]")
    found += axe_scan(page, "recovery codes")
    screenshot(page, "login-recovery-codes")
    p.click("text=I have kept them: continue")
    p.wait_for_url(f"{live.url}/")
    assert "Nia Newcomer" in p.inner_text("header")
    # No page copies in storage (htmx's history cache is off); htmx keeps only the current path,
    # which carries ids, never PHI.
    assert p.evaluate("Object.keys(localStorage)") == []
    assert set(p.evaluate("Object.keys(sessionStorage)")) <= {"htmx-current-path-for-history"}
    assert p.evaluate("document.cookie") == ""  # HttpOnly: script sees no cookie at all
    assert found == []


def test_a_wrong_code_is_explained_at_the_field(page: Watched, live_portal: LivePortal) -> None:
    person = live_portal.staff["biller"]
    p = page.page
    p.goto(f"{live_portal.url}/login")
    p.fill("#email", person.email)
    p.fill("#password", PASSWORD)
    p.click("button:has-text('Continue')")
    p.wait_for_url("**/login/code")
    p.fill("#code", "000000")
    p.click("button:has-text('Sign in')")
    p.wait_for_selector(".error-summary")
    assert "That code is not right" in p.inner_text("#code-error")
    assert p.get_attribute("#code", "aria-describedby") == "code-hint code-error"
    assert p.evaluate("document.activeElement.className") == "error-summary"
    found = axe_scan(page, "wrong code")
    screenshot(page, "login-wrong-code")
    assert found == []


def test_keyboard_only_login(page: Watched, live_portal: LivePortal) -> None:
    person = live_portal.staff["practice_admin"]
    p = page.page
    p.goto(f"{live_portal.url}/login")
    p.keyboard.press("Tab")  # the skip link comes first
    assert p.evaluate("document.activeElement.textContent") == "Skip to main content"
    p.keyboard.press("Tab")
    assert p.evaluate("document.activeElement.id") == "email"
    p.keyboard.type(person.email)
    p.keyboard.press("Tab")
    p.keyboard.type(PASSWORD)
    p.keyboard.press("Enter")
    p.wait_for_url("**/login/code")
    assert p.evaluate("document.activeElement.id") == "code"  # ready to type the code
    p.keyboard.type(person.code())
    p.keyboard.press("Enter")
    p.wait_for_url(f"{live_portal.url}/")
    assert "Admin" in p.inner_text("nav")


def test_today_shows_badges_and_a_failing_payer_as_not_answering(
    page: Watched, live_portal: LivePortal, world: Any
) -> None:
    live = live_portal
    gateway = live.gateway
    running = set(gateway.sandbox_apps)
    broken = "cascade" if "cascade" in running else sorted(running)[0]
    # A patient whose card nobody has checked yet (answers already checked may come from the cache,
    # which is right); registered last, so first on Today.
    registered = live.run(
        gateway.query(
            """mutation($input: RegisterPatientInput!) {
                 registerPatient(input: $input) { patient { id } errors { code } } }""",
            {
                "input": {
                    "firstName": "Abel",
                    "lastName": "Aaronson",
                    "birthDate": "1970-03-14",
                    "coverages": [{"payerId": broken, "memberId": "NEVERASKED01"}],
                }
            },
        )
    )
    assert registered["data"]["registerPatient"]["errors"] == [], registered
    live.run(gateway.faults(broken, error_rate=1.0))
    try:
        login(page, live, "front_desk")
        p = page.page
        p.wait_for_selector(".badges .badge")
        p.wait_for_load_state("networkidle")
        states = p.locator(".badges .badge").all_inner_texts()
        assert any("Active" in s for s in states), states
        assert any("Payer not answering" in s for s in states), states
        assert p.locator(".badges-slot a").count() == 0  # every card's link was replaced
        found = axe_scan(page, "today")
        screenshot(page, "today")

        p.click("nav >> text=Payers")
        p.wait_for_url("**/payers")
        banner = p.inner_text(".banner")
        assert "having trouble answering" in banner and "last error at" in banner
        assert p.locator("tbody tr .badge-down").count() >= 1
        found += axe_scan(page, "payers")
        screenshot(page, "payers")

        p.goto(f"{live.url}/no-such-page")
        assert "Page not found" in p.inner_text("main")
        page.expect_status(404)
        found += axe_scan(page, "404")
        assert found == []
    finally:
        live.run(gateway.faults(broken, error_rate=0.0))


def test_search_by_name_without_the_term_in_the_address(
    page: Watched, live_portal: LivePortal, world: Any
) -> None:
    login(page, live_portal, "biller")
    p = page.page
    last = next(iter(world.people.values())).last_name
    p.fill("#search", last)
    p.keyboard.press("Enter")
    p.wait_for_url("**/?search=*")
    assert last not in p.url
    assert last in p.inner_text(".cards")
    found = axe_scan(page, "search results")
    screenshot(page, "today-search")
    assert found == []


def test_today_to_patients_to_a_patient(page: Watched, live_portal: LivePortal) -> None:
    login(page, live_portal, "front_desk")
    p = page.page
    p.click("nav >> text=Patients")
    p.wait_for_url("**/patients")
    assert p.locator("tbody tr").count() >= 1
    found = axe_scan(page, "patients")
    screenshot(page, "patients")
    first = p.locator("tbody tr a").first
    name = first.inner_text()
    first.click()
    p.wait_for_url("**/patients/*")
    assert name.split(", ")[0] in p.inner_text("h1")
    assert found == []
