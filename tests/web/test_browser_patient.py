"""The Patient screen in Chromium: register a patient with a card, correct it, end it, a duplicate
patient and card offered; a demo patient's benefits at two payers in words, one payer made to fail;
the analyst's pseudonymous view. No CSP violation, no console error, nothing serious for axe."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.web.browsing import Watched, axe_scan, login, screenshot
from tests.web.conftest import LivePortal

pytestmark = pytest.mark.browser


def _fill(page: Watched, fields: dict[str, str]) -> None:
    for name, value in fields.items():
        if page.page.locator(f"select#{name}").count():
            page.page.select_option(f"#{name}", value)
        else:
            page.page.fill(f"#{name}", value)


def _submit(page: Watched, label: str, status: int | None = None) -> None:
    page.page.click(f"button:has-text('{label}')")
    page.page.wait_for_load_state("load")
    if status is not None:
        page.expect_status(status)


def test_register_a_patient_with_a_card_then_correct_and_end_the_card(
    page: Watched, live_portal: LivePortal
) -> None:
    live = live_portal
    payers = sorted(live.gateway.sandbox_apps)
    login(page, live, "front_desk")
    p = page.page
    p.click("a:has-text('New patient')")
    p.wait_for_url("**/patients/new")
    found = axe_scan(page, "new patient")
    screenshot(page, "patient-new")

    _fill(page, {"firstName": "Mara", "lastName": "Lindqvist", "birthDate": "1984-13-02"})
    _fill(page, {"memberId": "LIND0001"})
    _submit(page, "Register patient", 400)
    assert p.is_visible(".error-summary")
    assert "MM/DD/YYYY" in p.inner_text("#birthDate-error")
    assert "Choose the insurance company" in p.inner_text("#payerId-error")
    assert p.input_value("#firstName") == "Mara"  # what was typed stays
    found += axe_scan(page, "new patient errors")
    screenshot(page, "patient-new-errors")

    _fill(page, {"birthDate": "02/13/1984", "payerId": payers[0]})
    _submit(page, "Register patient")
    p.wait_for_url(re.compile(r".*/patients/[0-9a-f-]+$"))
    assert "Lindqvist, Mara" in p.inner_text("h1")
    assert "Member ID LIND0001" in p.inner_text(".cards")
    patient_url = p.url
    p.wait_for_selector(".card .badge")
    found += axe_scan(page, "patient registered")
    screenshot(page, "patient-registered")
    p.click("a:has-text('Correct details')")
    p.wait_for_url("**/details")
    assert p.input_value("#birthDate") == "02/13/1984"
    found += axe_scan(page, "correct details")
    screenshot(page, "patient-details")
    _fill(page, {"phone": "614-555-0142"})
    _submit(page, "Save the details")
    p.wait_for_url(patient_url)
    assert "(614) 555-0142" in p.inner_text(".facts")

    # Add a second card, then try the first one again: the one on file is offered.
    p.click("a:has-text('Add a card')")
    _fill(page, {"payerId": payers[1], "memberId": "LIND0002", "priority": "2"})
    _submit(page, "Add the card")
    p.wait_for_url(f"{patient_url}#card-*")
    p.click("a:has-text('Add a card')")
    _fill(page, {"payerId": payers[0], "memberId": "lind0001", "priority": "2"})
    _submit(page, "Add the card", 400)
    assert "already on file" in p.inner_text("#duplicate")
    found += axe_scan(page, "duplicate card")
    screenshot(page, "patient-card-duplicate")
    p.click("#duplicate >> text=correct it")
    p.wait_for_url(re.compile(r".*/cards/[0-9a-f-]+$"))
    assert p.input_value("#memberId") == "LIND0001"
    found += axe_scan(page, "correct card")
    screenshot(page, "patient-card-correct")
    _fill(page, {"memberId": "LIND0009", "groupNumber": "GRP-44"})
    _submit(page, "Save the correction")
    p.wait_for_url(f"{patient_url}#card-*")
    assert "Member ID LIND0009 · Group GRP-44" in p.inner_text(".cards")

    p.locator(".card", has_text="LIND0009").locator("a:has-text('End')").click()
    p.wait_for_url("**/end")
    found += axe_scan(page, "end card")
    screenshot(page, "patient-card-end")
    _fill(page, {"endDate": "not a date"})
    _submit(page, "End the card", 400)
    assert "MM/DD/YYYY" in p.inner_text("#endDate-error")
    _fill(page, {"endDate": "01/31/2026"})
    _submit(page, "End the card")
    p.wait_for_url(f"{patient_url}#card-*")
    assert "Ended 01/31/2026" in p.inner_text(".cards")
    found += axe_scan(page, "card ended")
    screenshot(page, "patient-card-ended")
    assert found == []


def test_a_duplicate_patient_is_offered_as_the_existing_one(
    page: Watched, live_portal: LivePortal
) -> None:
    login(page, live_portal, "biller")
    p = page.page
    person = {"firstName": "Otto", "lastName": "Brandvold", "birthDate": "05/06/1977"}
    for attempt in range(2):
        p.goto(f"{live_portal.url}/patients/new")
        _fill(page, person)
        _submit(page, "Register patient", 400 if attempt else None)
    assert "may already be registered" in p.inner_text("#duplicate")
    found = axe_scan(page, "duplicate patient")
    screenshot(page, "patient-duplicate")
    p.click("#duplicate a")
    p.wait_for_url(re.compile(r".*/patients/[0-9a-f-]+$"))
    assert "Brandvold, Otto" in p.inner_text("h1")
    assert found == []


def test_benefits_in_words_at_two_payers_and_a_payer_not_answering(
    page: Watched, live_portal: LivePortal, world: Any
) -> None:
    live = live_portal
    gateway = live.gateway
    running = set(gateway.sandbox_apps)
    person = next(
        key
        for key in world.people
        if len({m.payer_key for m in world.coverages_of(key) if m.payer_key in running}) >= 2
    )
    patient_url = f"{live.url}/patients/{gateway.patient_ids[person]}"
    login(page, live, "biller")
    p = page.page
    p.goto(patient_url)
    lists = p.locator(".benefits").all_inner_texts()
    assert len(lists) >= 2, lists
    for text in lists:
        assert re.search(r"Office visit: \$[\d.]+( or \$[\d.]+)? copay in network", text)
        assert re.search(r"Deductible: \$[\d,.]+ of \$[\d,.]+ left", text)
        assert "coinsurance after the deductible" in text
    found = axe_scan(page, "patient benefits")
    screenshot(page, "patient-benefits")

    broken = next(m.payer_key for m in world.coverages_of(person) if m.payer_key in running)
    name = gateway.services.payers.get(broken).settings.name  # type: ignore[union-attr]
    live.run(gateway.faults(broken, error_rate=1.0))
    try:
        p.click("text=Check insurance again")
        p.wait_for_load_state("load")
        wording = re.compile(
            rf"{re.escape(name)} is not answering; last good answer at \d{{1,2}}:\d\d [AP]M"
        )
        assert wording.search(p.inner_text(".cards")), p.inner_text(".cards")
        found += axe_scan(page, "patient payer stale")
        screenshot(page, "patient-payer-stale")
        p.goto(f"{live.url}/patients/new")  # a card the payer never answered for
        _fill(page, {"firstName": "Pia", "lastName": "Unasked", "birthDate": "09/09/1999"})
        _fill(page, {"payerId": broken, "memberId": "NEVERASKED03"})
        _submit(page, "Register patient")
        p.wait_for_url(re.compile(r".*/patients/[0-9a-f-]+$"))
        assert p.is_visible(".badge-down") and wording.search(p.inner_text(".cards"))
        found += axe_scan(page, "patient payer down")
        screenshot(page, "patient-payer-down")
    finally:
        live.run(gateway.faults(broken, error_rate=0.0))

    assert found == []


def test_an_analyst_sees_a_pseudonym_and_no_edit_forms(
    page: Watched, live_portal: LivePortal, world: Any
) -> None:
    live = live_portal
    person = next(iter(world.people))
    login(page, live, "analyst")
    p = page.page
    p.goto(f"{live.url}/patients/{live.gateway.patient_ids[person]}")
    assert world.people[person].last_name not in p.inner_text("main")
    assert p.inner_text("h1").startswith("Patient ")
    assert p.locator("a:has-text('Add a card'), a:has-text('New claim')").count() == 0
    found = axe_scan(page, "patient analyst")
    screenshot(page, "patient-analyst")
    assert found == []
