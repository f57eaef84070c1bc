"""Find insurance in Chromium: from a patient's page (their details, per-payer results with how
sure each match is and what matched, "Add this card"), from New patient (enter details, "Register
with this card"), and the other coverage a payer reported shown on the patient with a way to add it.
No CSP violation, no console error, nothing serious for axe."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.web.browsing import Watched, axe_scan, login, screenshot
from tests.web.conftest import LivePortal

pytestmark = pytest.mark.browser


def test_find_a_patients_insurance_and_add_the_card(page: Watched, live_portal: LivePortal) -> None:
    live = live_portal
    p = page.page
    login(page, live, "front_desk")
    patient_url = f"{live.url}/patients/{live.gateway.patient_ids['quincy']}"
    p.goto(patient_url)
    assert "No insurance card on file" in p.inner_text("main")
    p.click("a:has-text('Find insurance')")
    p.wait_for_url("**/find-insurance?patient=*")
    assert p.input_value("#firstName") == "Quincy" and p.input_value("#postalCode") == "43999"
    found = axe_scan(page, "find insurance")
    p.click("button:has-text('Search all payers')")
    p.wait_for_selector("#results-title")
    page.expect_status(200)
    northwind = p.inner_text("#payer-northwind")
    assert "Coverage found" in northwind and "NWB361905528" in northwind
    assert "Sure match" in northwind and "ZIP code" in northwind
    assert "No coverage found" in p.inner_text("#payer-lakeshore")
    found += axe_scan(page, "find insurance results")
    screenshot(page, "find-insurance-results")
    p.click("#payer-northwind button:has-text('Add this card')")
    p.wait_for_url(patient_url)
    assert "Member ID NWB361905528" in p.inner_text(".cards")
    assert found == []


def test_from_new_patient_find_twins_and_register_with_a_card(
    page: Watched, live_portal: LivePortal, world: Any
) -> None:
    live = live_portal
    p = page.page
    login(page, live, "front_desk")
    p.goto(f"{live.url}/patients/new")
    p.click("a:has-text('Find their insurance')")
    p.wait_for_url("**/find-insurance")
    p.fill("#firstName", "Jordan")
    p.fill("#lastName", "Lookalike")
    p.fill("#birthDate", "13/45/2001")
    p.click("button:has-text('Search all payers')")
    p.wait_for_load_state("load")
    page.expect_status(400)
    assert "MM/DD/YYYY" in p.inner_text("#birthDate-error")
    found = axe_scan(page, "find insurance errors")
    screenshot(page, "find-insurance-errors")
    born = f"{world.people['jordan'].birth_date:%m/%d/%Y}"
    p.fill("#birthDate", born)
    p.fill("#postalCode", "43998")
    p.click("button:has-text('Search all payers')")
    p.wait_for_selector("#results-title")
    lakeshore = p.inner_text("#payer-lakeshore")
    assert "Sure match" in lakeshore and "Likely match (check the card)" in lakeshore
    assert "a variant of the first name" in lakeshore and "Jordyn Lookalike" in lakeshore
    found += axe_scan(page, "find insurance twins")
    screenshot(page, "find-insurance-twins")
    p.click("#payer-summit a:has-text('Register with this card')")
    p.wait_for_url(re.compile(r".*/patients/new\?.*"))
    assert p.input_value("#firstName") == "Jordan" and p.input_value("#memberId") == "SHA640552817"
    assert found == []


def test_other_coverage_a_payer_reported_is_shown_and_added(
    page: Watched, live_portal: LivePortal
) -> None:
    live = live_portal
    p = page.page
    login(page, live, "front_desk")
    p.goto(f"{live.url}/patients/{live.gateway.patient_ids['olive']}")
    p.wait_for_selector(".card .badge")
    p.reload()  # the first visit's eligibility check stored the hint
    hint = p.inner_text(".hints")
    assert "Other coverage found: Cascade Mutual Insurance" in hint
    assert "reported by Summit Health Alliance on" in hint
    found = axe_scan(page, "patient with other coverage")
    screenshot(page, "patient-other-coverage")
    p.click(".hints button:has-text('Add it as a card')")
    p.wait_for_url(re.compile(r".*/patients/[0-9a-f-]+$"))
    assert "Member ID CMI8842017701" in p.inner_text(".cards")
    assert found == []
