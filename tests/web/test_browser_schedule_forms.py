"""Browser: changing the schedule in Chromium: add (the API's error at its field first), edit, cancel,
import a CSV with one bad row, and a role without patients:write that is offered nothing and refused.
Axe clean; screenshots schedule-add-error, schedule-edit, schedule-cancel, schedule-import."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.schedule import practice_today
from gateway.schedule.demo_day import seed_demo_schedule
from tests.web.browsing import Watched, axe_scan, login, screenshot
from tests.web.conftest import LivePortal

pytestmark = pytest.mark.browser

DOCTOR_NPI = "1234567893"


def today(live: LivePortal) -> str:
    async def read() -> str:
        async with live.gateway.services.database.session() as session:
            return (await practice_today(session, live.gateway.practice_id)).isoformat()

    return str(live.run(read()))


def test_add_with_an_error_at_its_field_then_edit(page: Watched, live_portal: LivePortal) -> None:
    live, p = live_portal, page.page
    login(page, live, "front_desk")
    p.goto(f"{live.url}/schedule")
    p.click("text=Add an appointment")
    p.wait_for_url(f"{live.url}/schedule/new?date=*")
    p.select_option("#patientId", index=1)
    p.fill("#time", "07:15")
    p.fill("#providerNpi", "1234567890")  # a wrong check digit: the API's message at the field
    p.fill("#visitType", "Office visit")
    p.fill("#serviceTypes", "98")
    p.fill("#procedure-0-code", "99213")
    p.fill("#procedure-1-code", "97110")
    p.fill("#procedure-1-units", "2")
    p.click("button:has-text('Add appointment')")
    p.wait_for_selector("#providerNpi-error")
    page.expect_status(400)
    assert "wrong check digit" in p.inner_text("#providerNpi-error")
    assert p.get_attribute("#providerNpi", "aria-invalid") == "true"
    assert "wrong check digit" in p.inner_text(".error-summary")
    assert p.input_value("#procedure-1-units") == "2"  # the form comes back as typed
    assert axe_scan(page, "schedule-add-error") == []
    screenshot(page, "schedule-add-error")
    p.fill("#providerNpi", DOCTOR_NPI)
    p.click("button:has-text('Add appointment')")
    p.wait_for_url(f"{live.url}/schedule?date=*&done=added")
    assert "The appointment was added." in p.inner_text("[role=status]")
    row = p.locator("tbody tr", has_text="07:15")
    assert "97110" in row.inner_text() and "Booked" in row.inner_text()

    row.locator("a", has_text="Edit").click()
    p.wait_for_url(f"{live.url}/schedule/*/edit")
    assert p.input_value("#time") == "07:15" and p.input_value("#procedure-1-code") == "97110"
    p.fill("#time", "07:45")
    p.fill("#procedure-0-units", "2")
    p.select_option("#status", "ARRIVED")
    assert axe_scan(page, "schedule-edit") == []
    screenshot(page, "schedule-edit")
    p.click("button:has-text('Save changes')")
    p.wait_for_url(f"{live.url}/schedule?date=*&done=changed")
    row = p.locator("tbody tr", has_text="07:45")
    assert "Arrived" in row.inner_text() and "99213" in row.inner_text()
    assert p.locator("tbody tr", has_text="07:15").count() == 0


def test_cancel_from_the_day(page: Watched, live_portal: LivePortal) -> None:
    live, p = live_portal, page.page
    gateway = live.gateway
    live.run(
        seed_demo_schedule(
            gateway.services.database, gateway.practice_id, list(gateway.patient_ids.values())
        )
    )
    login(page, live, "biller")
    p.goto(f"{live.url}/schedule")
    row = p.locator("tbody tr", has_text="08:00")
    assert "Cancelled" not in row.inner_text()
    row.locator("a", has_text="Cancel").click()
    p.wait_for_url(f"{live.url}/schedule/*/cancel")
    assert axe_scan(page, "schedule-cancel") == []
    screenshot(page, "schedule-cancel")
    p.click("button:has-text('Cancel the appointment')")
    p.wait_for_url(f"{live.url}/schedule?date={today(live)}&done=cancelled")
    row = p.locator("tbody tr", has_text="08:00")
    assert "Cancelled" in row.inner_text()
    assert row.locator("a", has_text="Cancel").count() == 0  # already cancelled: edit only
    assert axe_scan(page, "schedule-day-actions") == []
    screenshot(page, "schedule-day-actions")


def test_import_reports_the_bad_row_and_keeps_the_good_ones(
    page: Watched, live_portal: LivePortal, tmp_path: Path
) -> None:
    live, p = live_portal, page.page
    first, second = list(live.gateway.patient_ids.values())[:2]
    day = today(live)
    csv = tmp_path / "schedule.csv"
    csv.write_text(
        "appointment_id,patient_id,date,time,provider_npi,location,visit_type,service_types,procedures\n"
        f"EHR-71,{first},{day},18:00,{DOCTOR_NPI},Main office,Office visit,98,99213\n"
        f"EHR-72,{second},{day},18:30,{DOCTOR_NPI},Main office,Office visit,98,99999\n"
        f"EHR-73,{second},{day},19:00,{DOCTOR_NPI},Therapy suite,Therapy,AE,97110:2\n"
    )
    login(page, live, "practice_admin")
    p.goto(f"{live.url}/schedule")
    p.click("text=Import a schedule file")
    p.wait_for_url(f"{live.url}/schedule/import")
    p.check("#format-CSV")
    p.set_input_files("#file", str(csv))
    p.click("button:has-text('Import')")
    p.wait_for_selector("#report-title")
    assert "2 added, 0 updated, 0 already on the schedule, 1 not imported." in p.inner_text(
        "[role=status]"
    )
    refused = p.locator("#refused-rows tbody tr")
    assert refused.count() == 1
    assert refused.first.locator("th").inner_text() == "3"
    assert "99999" in refused.first.inner_text()
    kept = p.locator("#kept-rows tbody tr")
    assert [kept.nth(i).locator("th").inner_text() for i in range(kept.count())] == ["2", "4"]
    assert "18:00" in kept.nth(0).inner_text() and "Therapy" in kept.nth(1).inner_text()
    assert axe_scan(page, "schedule-import") == []
    screenshot(page, "schedule-import")
    kept.nth(0).locator("a").click()
    p.wait_for_url(f"{live.url}/schedule?date={day}")
    assert p.locator("tbody tr", has_text="18:00").count() == 1
    assert p.locator("tbody tr", has_text="18:30").count() == 0


def test_a_role_without_patients_write_is_offered_nothing_and_refused(
    page: Watched, live_portal: LivePortal
) -> None:
    live, p = live_portal, page.page
    login(page, live, "analyst")
    p.goto(f"{live.url}/schedule")
    assert p.locator("text=Add an appointment").count() == 0
    assert p.locator("text=Import a schedule file").count() == 0
    assert p.locator("a[href$='/edit'], a[href$='/cancel']").count() == 0
    answer = p.goto(f"{live.url}/schedule/new")
    assert answer is not None and answer.status == 403
    page.expect_status(403)
    assert "You cannot change the schedule" in p.inner_text("h1")
    screenshot(page, "schedule-refused")
