"""Schedule changes from the portal (no browser): add, edit, cancel, import; the API's field errors
at their fields; roles without patients:write see no buttons and are refused by the server."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date, timedelta

import httpx
from sqlalchemy import select

from gateway.schedule import practice_today
from gateway.schedule.demo_day import seed_demo_schedule
from gateway.storage.schedule_tables import Appointment
from tests.gateway.people import PASSWORD
from tests.schedule.test_imports import fhir_bundle, patients
from tests.web.conftest import CSRF, Portal

DOCTOR_NPI = "1234567893"  # a valid check digit
CSV_HEADER = (
    "appointment_id,patient_id,date,time,provider_npi,location,visit_type,service_types,procedures"
)


async def today(portal: Portal) -> date:
    async with portal.gateway.services.database.session() as session:
        return await practice_today(session, portal.gateway.practice_id)


async def appointments(portal: Portal) -> list[Appointment]:
    async with portal.gateway.services.database.session() as session:
        return list(await session.scalars(select(Appointment).order_by(Appointment.starts_at)))


def form_of(page: httpx.Response, **fields: str) -> dict[str, str]:
    token = CSRF.search(page.text)
    assert token, page.text
    return {"csrf_token": token.group(1), **fields}


def visit_fields(patient_id: str, day: date, **changes: str) -> dict[str, str]:
    fields = {
        "patientId": patient_id,
        "date": day.isoformat(),
        "time": "09:30",
        "providerNpi": DOCTOR_NPI,
        "location": "Main office",
        "visitType": "Office visit",
        "serviceTypes": "98",
        "status": "BOOKED",
        "procedure-0-code": "99213",
        "procedure-0-units": "1",
        "procedure-1-code": "",
    }
    return {**fields, **changes}


def error_at(page: httpx.Response, name: str) -> str:
    found = re.search(rf'<p class="error" id="{re.escape(name)}-error">([^<]*)</p>', page.text)
    return found.group(1) if found else ""


async def test_add_shows_the_api_errors_at_their_fields_then_books(portal: Portal) -> None:
    day = await today(portal) + timedelta(days=1)
    patient_id = next(iter(portal.gateway.patient_ids.values()))
    await portal.login("front_desk")
    schedule = await portal.client.get(f"/schedule?date={day.isoformat()}")
    assert f'href="/schedule/new?date={day.isoformat()}"' in schedule.text
    assert 'href="/schedule/import"' in schedule.text
    blank = await portal.client.get(f"/schedule/new?date={day.isoformat()}")
    assert blank.status_code == 200
    assert f'<option value="{patient_id}"' in blank.text
    assert f'value="{day.isoformat()}"' in blank.text

    bad = visit_fields(
        patient_id,
        day,
        providerNpi="1234567890",
        serviceTypes="QQ",
        **{
            "procedure-0-code": "",
            "procedure-0-units": "",
            "procedure-1-code": "99999",
            "procedure-1-units": "2",
        },
    )
    refused = await portal.client.post("/schedule/new", data=form_of(blank, **bad))
    assert refused.status_code == 400
    assert "wrong check digit" in error_at(refused, "providerNpi")
    assert error_at(refused, "serviceTypes")
    # the second row was the first one sent: its error is at the second row, as typed
    assert error_at(refused, "procedure-1-code") and not error_at(refused, "procedure-0-code")
    assert 'value="99999"' in refused.text and 'value="1234567890"' in refused.text
    assert await appointments(portal) == []

    no_patient = await portal.client.post(
        "/schedule/new", data=form_of(blank, **visit_fields("", day))
    )
    assert error_at(no_patient, "patientId") == "Choose the patient."

    booked = await portal.client.post(
        "/schedule/new", data=form_of(blank, **visit_fields(patient_id, day))
    )
    assert booked.status_code == 303
    assert booked.headers["location"] == f"/schedule?date={day.isoformat()}&done=added"
    shown = await portal.client.get(booked.headers["location"])
    assert "The appointment was added." in shown.text and ">09:30<" in shown.text
    [row] = await appointments(portal)
    assert row.patient_id == patient_id and row.status == "booked"

    twice = await portal.client.post(
        "/schedule/new", data=form_of(blank, **visit_fields(patient_id, day))
    )
    assert (
        twice.status_code == 400
        and "already" in error_at(twice, "time").lower() + twice.text.lower()
    )


async def test_edit_and_cancel(portal: Portal) -> None:
    day = await today(portal) + timedelta(days=2)
    patient_id = next(iter(portal.gateway.patient_ids.values()))
    await portal.login("front_desk")
    blank = await portal.client.get("/schedule/new")
    booked = await portal.client.post(
        "/schedule/new", data=form_of(blank, **visit_fields(patient_id, day))
    )
    assert booked.status_code == 303
    [row] = await appointments(portal)

    editing = await portal.client.get(f"/schedule/{row.id}/edit")
    assert editing.status_code == 200
    assert 'value="09:30"' in editing.text and 'value="99213"' in editing.text
    changed = visit_fields(
        patient_id, day, time="14:15", status="ARRIVED", **{"procedure-0-units": "2"}
    )
    bad = await portal.client.post(
        f"/schedule/{row.id}/edit", data=form_of(editing, **{**changed, "procedure-0-units": "two"})
    )
    assert bad.status_code == 400 and error_at(bad, "procedure-0-units")
    saved = await portal.client.post(f"/schedule/{row.id}/edit", data=form_of(editing, **changed))
    assert saved.status_code == 303 and saved.headers["location"].endswith("done=changed")
    [row] = await appointments(portal)
    assert row.status == "arrived"
    day_page = await portal.client.get(saved.headers["location"])
    assert ">14:15<" in day_page.text and "Arrived" in day_page.text

    confirm = await portal.client.get(f"/schedule/{row.id}/cancel")
    assert confirm.status_code == 200 and "Cancel the appointment?" in confirm.text
    cancelled = await portal.client.post(f"/schedule/{row.id}/cancel", data=form_of(confirm))
    assert cancelled.status_code == 303 and cancelled.headers["location"].endswith("done=cancelled")
    [row] = await appointments(portal)
    assert row.status == "cancelled"
    missing = await portal.client.get("/schedule/00000000-0000-0000-0000-000000000000/edit")
    assert missing.status_code == 404


async def test_import_reports_the_bad_row_and_keeps_the_good_ones(portal: Portal) -> None:
    day = await today(portal) + timedelta(days=3)
    first, second = list(portal.gateway.patient_ids.values())[:2]
    csv = "\n".join(
        [
            CSV_HEADER,
            f"EHR-1,{first},{day.isoformat()},08:30,{DOCTOR_NPI},Main office,Office visit,98,99213",
            f"EHR-2,{second},{day.isoformat()},09:00,1234567890,Main office,Office visit,98,99213",
            f"EHR-3,{second},{day.isoformat()},10:00,{DOCTOR_NPI},,Chiropractic,33,98941",
            f"EHR-4,{first},{(day + timedelta(days=1)).isoformat()},11:00,{DOCTOR_NPI},,ECG,98,93000",
        ]
    )
    await portal.login("biller")
    blank = await portal.client.get("/schedule/import")
    assert blank.status_code == 200
    answer = await portal.client.post(
        "/schedule/import",
        data=form_of(blank, format="CSV"),
        files={"file": ("day.csv", csv.encode(), "text/csv")},
    )
    assert answer.status_code == 200, answer.text
    assert "3 added, 0 updated, 0 already on the schedule, 1 not imported." in answer.text
    refused = answer.text.split('id="refused-rows"')[1].split("</table>")[0]
    assert '<th scope="row">3</th>' in refused and "wrong check digit" in refused
    kept = answer.text.split('id="kept-rows"')[1].split("</table>")[0]
    assert '<th scope="row">2</th>' in kept and '<th scope="row">4</th>' in kept
    assert "08:30" in kept and "Chiropractic" in kept
    assert "11:00" in kept and "ECG" in kept  # a row of another day is shown too
    assert len(await appointments(portal)) == 3

    empty = await portal.client.post(
        "/schedule/import",
        data=form_of(blank, format="CSV"),
        files={"file": ("x.csv", b"", "text/csv")},
    )
    assert empty.status_code == 400 and error_at(empty, "file")


async def test_roles_without_patients_write_see_no_buttons_and_are_refused(portal: Portal) -> None:
    await portal.login("analyst")
    schedule = await portal.client.get("/schedule")
    assert "/schedule/new" not in schedule.text and "/schedule/import" not in schedule.text
    token = await portal.csrf("/schedule")
    for path in ("/schedule/new", "/schedule/import"):
        assert (await portal.client.get(path)).status_code == 403
    patient_id = next(iter(portal.gateway.patient_ids.values()))
    posted = await portal.client.post(
        "/schedule/new",
        data={"csrf_token": token, **visit_fields(patient_id, await today(portal))},
    )
    assert posted.status_code == 403 and "You cannot change the schedule" in posted.text
    imported = await portal.client.post(
        "/schedule/import",
        data={"csrf_token": token, "format": "CSV"},
        files={"file": ("day.csv", b"x", "text/csv")},
    )
    assert imported.status_code == 403
    assert await appointments(portal) == []
    gateway = portal.gateway
    await seed_demo_schedule(
        gateway.services.database, gateway.practice_id, list(gateway.patient_ids.values())
    )
    booked = next(a for a in await appointments(portal) if a.status == "booked")
    for path in (f"/schedule/{booked.id}/edit", f"/schedule/{booked.id}/cancel"):
        assert (await portal.client.get(path)).status_code == 403
        sent = await portal.client.post(path, data={"csrf_token": token, "status": "NOSHOW"})
        assert sent.status_code == 403
    assert {a.id: a.status for a in await appointments(portal)}[booked.id] == "booked"


async def test_a_change_without_the_csrf_token_is_refused(portal: Portal) -> None:
    await portal.login("front_desk")
    patient_id = next(iter(portal.gateway.patient_ids.values()))
    answer = await portal.client.post(
        "/schedule/new", data=visit_fields(patient_id, await today(portal))
    )
    assert answer.status_code == 403 and await appointments(portal) == []


async def test_import_a_fhir_bundle_reports_entries_and_a_second_import_changes_nothing(
    portal: Portal,
) -> None:
    day = await today(portal) + timedelta(days=1)
    bundle = json.dumps(fhir_bundle(await patients(portal.gateway), day)).encode()
    await portal.login("front_desk")
    blank = await portal.client.get("/schedule/import")
    sent = {"file": ("day.json", bundle, "application/fhir+json")}
    answer = await portal.client.post(
        "/schedule/import", data=form_of(blank, format="FHIR_BUNDLE"), files=sent
    )
    assert answer.status_code == 200, answer.text
    assert "2 added, 0 updated, 0 already on the schedule, 3 not imported." in answer.text
    refused = answer.text.split('id="refused-rows"')[1].split("</table>")[0]
    assert ">Entry<" in refused
    assert [f'<th scope="row">{n}</th>' in refused for n in (5, 6, 7)] == [True] * 3
    kept = answer.text.split('id="kept-rows"')[1].split("</table>")[0]
    assert kept.count("Added") == 2 and "Office visit" in kept
    again = await portal.client.post(
        "/schedule/import", data=form_of(blank, format="FHIR_BUNDLE"), files=sent
    )
    assert "0 added, 0 updated, 2 already on the schedule, 3 not imported." in again.text
    as_csv = await portal.client.post(
        "/schedule/import", data=form_of(blank, format="CSV"), files=sent
    )
    assert as_csv.status_code == 400 and error_at(as_csv, "file")
    assert len(await appointments(portal)) == 2


async def test_an_appointment_posted_as_the_session_expired_comes_back_filled_in(
    short_idle: Portal,
    idle_out: Callable[[], None],
) -> None:
    portal = short_idle
    patient_id = next(iter(portal.gateway.patient_ids.values()))
    await portal.login("front_desk")
    blank = await portal.client.get("/schedule/new")
    idle_out()
    typed = visit_fields(patient_id, await today(portal), time="16:40", visitType="Recheck")
    posted = await portal.client.post("/schedule/new", data=form_of(blank, **typed))
    assert posted.status_code == 303 and posted.headers["location"] == "/login?expired=1"
    person = portal.staff["front_desk"]
    token = await portal.csrf("/login")
    await portal.client.post(
        "/login", data={"email": person.email, "password": PASSWORD, "csrf_token": token}
    )
    token = await portal.csrf("/login/code")
    done = await portal.client.post(
        "/login/code", data={"code": person.code(), "csrf_token": token}
    )
    assert done.headers["location"].startswith("/schedule/new?resume=")
    back = await portal.client.get(done.headers["location"])
    assert 'value="16:40"' in back.text and 'value="Recheck"' in back.text
    assert f'<option value="{patient_id}" selected' in back.text
    assert await appointments(portal) == []  # kept, not sent: the person sends it again
