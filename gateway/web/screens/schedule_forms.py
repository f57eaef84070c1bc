"""Schedule changes at the front desk: add, edit and cancel an appointment, import a day's schedule.

Every change is the API's (createAppointment, updateAppointment, cancelAppointment, importSchedule,
each needing patients:write): its field errors are shown at the fields. A viewer without
patients:write (and phi:read, since the form names patients) is refused here too, not only by the
API. Forms post to the path they are served from, so one sent as the session expired comes back
filled in after login. The import answers its report on the page (importing the same file again
changes nothing, so a reload is harmless).
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.datastructures import UploadFile
from starlette.responses import Response
from starlette.routing import Route

from gateway.web.appointment_form import STATUSES, AppointmentForm
from gateway.web.forms import GENERAL, FormErrors, call_failed, field_errors
from gateway.web.screens.schedule import STATUS_WORDS
from gateway.web.visit import Visit, page

WRITE_SCOPES = frozenset({"patients:write", "phi:read"})
PATIENT_PAGES = 5  # up to 500 patients in the picker (the API answers 100 at a time)
MAX_UPLOAD_BYTES = 200_000  # the API's limit on a schedule file (gateway/schedule/limits.py)
KEPT_READS = 12  # API calls that read the kept rows back for the report
FORMATS = {"CSV": "CSV file", "FHIR_BUNDLE": "FHIR Appointment bundle (JSON)"}
OUTCOME_WORDS = {
    "created": "Added",
    "updated": "Updated",
    "unchanged": "Already on the schedule",
    "refused": "Not imported",
}


async def writer(visit: Visit) -> dict[str, Any] | Response:
    """The page's frame, or a refusal when the viewer may not change the schedule."""
    frame = await visit.frame()
    if not WRITE_SCOPES <= frame["scopes"]:
        return visit.refusal(
            403,
            "You cannot change the schedule",
            "Your role can look at the schedule but not add, change, cancel or import "
            "appointments. Ask your practice's administrator if you need to.",
        )
    return frame


def back_to_day(day: str | None, done: str) -> str:
    return f"/schedule?date={day}&done={done}" if day else f"/schedule?done={done}"


# ---- add and edit ------------------------------------------------------------------------------


@page()
async def new_form(visit: Visit) -> Response:
    frame, choices = await asyncio.gather(writer(visit), _choices(visit))
    if isinstance(frame, Response):
        return frame
    resumed = await visit.resumed_form()
    if resumed is not None:
        form = AppointmentForm.posted({k: v[0] for k, v in resumed.items() if v})
    else:
        asked = visit.request.query_params.get("date", "")
        form = AppointmentForm({"date": asked[:10], "status": "BOOKED"})
    return _form_page(visit, frame, form, None, choices)


@page()
async def create(visit: Visit) -> Response:
    frame = await writer(visit)
    if isinstance(frame, Response):
        return frame
    form = AppointmentForm.posted(await visit.request.form())
    appointment = form.to_input()
    if appointment is not None:
        result = await visit.call("BookAppointment", {"input": appointment})
        payload = result.data.get("createAppointment") or {}
        form.api_errors(payload.get("errors") or ())
        call_failed([] if payload else result.errors, form.errors)
        booked = payload.get("appointment")
        if booked and not form.errors:
            return visit.redirect(back_to_day(booked.get("localDate"), "added"))
    return _form_page(visit, frame, form, None, await _choices(visit), status=400)


@page()
async def edit_form(visit: Visit) -> Response:
    # One round: the viewer, the appointment and the picker's choices are asked for together.
    frame, found, choices = await asyncio.gather(
        writer(visit), _appointment(visit), _choices(visit)
    )
    if isinstance(frame, Response):
        return frame
    if found is None:
        return _not_found(visit)
    resumed = await visit.resumed_form()
    form = (
        AppointmentForm.posted({k: v[0] for k, v in resumed.items() if v})
        if resumed is not None
        else AppointmentForm.of_appointment(found)
    )
    return _form_page(visit, frame, form, found, choices)


@page()
async def change(visit: Visit) -> Response:
    frame = await writer(visit)
    if isinstance(frame, Response):
        return frame
    found = await _appointment(visit)
    if found is None:
        return _not_found(visit)
    form = AppointmentForm.posted(await visit.request.form())
    appointment = form.to_input()
    if appointment is not None:
        result = await visit.call(
            "ChangeAppointment", {"input": {"id": found["id"], "appointment": appointment}}
        )
        payload = result.data.get("updateAppointment") or {}
        form.api_errors(payload.get("errors") or ())
        call_failed([] if payload else result.errors, form.errors)
        changed = payload.get("appointment")
        if changed and not form.errors:
            return visit.redirect(back_to_day(changed.get("localDate"), "changed"))
    return _form_page(visit, frame, form, found, await _choices(visit), status=400)


async def _appointment(visit: Visit) -> dict[str, Any] | None:
    appointment_id = visit.request.path_params["appointment_id"]
    result = await visit.call("ScheduleAppointment", {"id": appointment_id})
    found = result.data.get("appointment")
    return found if isinstance(found, dict) else None


def _not_found(visit: Visit) -> Response:
    return visit.refusal(
        404, "Appointment not found", "There is no such appointment in your practice's schedule."
    )


async def _patients(visit: Visit) -> list[dict[str, Any]]:
    """The practice's patients by name for the picker (up to PATIENT_PAGES pages of 100)."""
    patients: list[dict[str, Any]] = []
    after = None
    for _ in range(PATIENT_PAGES):
        result = await visit.call("SchedulePatients", {"first": 100, "after": after})
        connection = result.data.get("patients") or {}
        patients.extend(edge["node"] for edge in connection.get("edges") or ())
        info = connection.get("pageInfo") or {}
        if not info.get("hasNextPage"):
            break
        after = info.get("endCursor")
    return patients


async def _choices(visit: Visit) -> tuple[list[dict[str, Any]], str]:
    """The picker's patients and the practice's time zone."""
    patients, clock = await asyncio.gather(_patients(visit), visit.call("ScheduleClock"))
    zone = ((clock.data.get("me") or {}).get("practice") or {}).get("timeZone")
    return patients, str(zone or "America/New_York")


def _form_page(
    visit: Visit,
    frame: dict[str, Any],
    form: AppointmentForm,
    found: dict[str, Any] | None,
    choices: tuple[list[dict[str, Any]], str],
    status: int = 200,
) -> Response:
    patients, zone = list(choices[0]), choices[1]
    current = (found or {}).get("patient")
    if current and all(p["id"] != current["id"] for p in patients):
        patients.insert(0, current)  # beyond the picker's pages: still offered as it is
    return visit.html(
        "schedule_form.html",
        status,
        **frame,
        form=form,
        values=form.values,
        errors=form.errors,
        labels=form.labels(),
        appointment=found,
        patients=patients,
        zone=zone,
        statuses=[s for s in STATUSES if s != "CANCELLED" or form.values.get("status") == s],
        status_words=STATUS_WORDS,
    )


# ---- cancel ------------------------------------------------------------------------------------


@page()
async def cancel_confirm(visit: Visit) -> Response:
    frame = await writer(visit)
    if isinstance(frame, Response):
        return frame
    found = await _appointment(visit)
    if found is None:
        return _not_found(visit)
    return visit.html("schedule_cancel.html", **frame, appointment=found, errors=FormErrors())


@page()
async def cancel(visit: Visit) -> Response:
    frame = await writer(visit)
    if isinstance(frame, Response):
        return frame
    found = await _appointment(visit)
    if found is None:
        return _not_found(visit)
    result = await visit.call("CancelAppointment", {"input": {"id": found["id"]}})
    payload = result.data.get("cancelAppointment") or {}
    errors = FormErrors()
    field_errors(payload.get("errors") or (), (), errors)
    call_failed([] if payload else result.errors, errors)
    if not errors:
        return visit.redirect(back_to_day(found.get("localDate"), "cancelled"))
    return visit.html("schedule_cancel.html", 400, **frame, appointment=found, errors=errors)


# ---- import ------------------------------------------------------------------------------------


@page()
async def import_form(visit: Visit) -> Response:
    frame = await writer(visit)
    if isinstance(frame, Response):
        return frame
    return _import_page(visit, frame, {"format": "CSV"}, FormErrors())


@page()
async def import_file(visit: Visit) -> Response:
    posted = await visit.request.form()  # read once (the CSRF check did); closed whatever happens
    try:
        frame = await writer(visit)
        if isinstance(frame, Response):
            return frame
        errors = FormErrors()
        chosen = {"format": str(posted.get("format") or "")}
        text = await _file_text(posted.get("file"), errors)
    finally:
        await posted.close()  # the uploaded file's temporary copy
    if chosen["format"] not in FORMATS:
        errors.add("format", "Choose what kind of file it is.")
    if errors:
        return _import_page(visit, frame, chosen, errors, status=400)
    result = await visit.call(
        "ImportSchedule", {"input": {"format": chosen["format"], "content": text}}
    )
    report = result.data.get("importSchedule")
    if report is None:
        call_failed(result.errors, errors)
        return _import_page(visit, frame, chosen, errors, status=400)
    field_errors(report.get("errors") or (), (), errors)
    if errors:  # the file as a whole could not be read: its problem belongs to the file field
        errors.add("file", errors.pop(GENERAL))
        return _import_page(visit, frame, chosen, errors, status=400)
    kept = await _kept(visit, report.get("rows") or [])
    return _import_page(visit, frame, chosen, errors, report=report, kept=kept)


async def _kept(visit: Visit, rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The kept rows' appointments as they now stand, by id. A file is mostly one day: one kept
    appointment names its day and that day's schedule brings the others, so a few calls (at most
    KEPT_READS, well inside one person's rate limit) show them; any left are offered as links."""
    found: dict[str, dict[str, Any]] = {}
    days: set[str] = set()
    reads = 0
    for appointment_id in (r["appointmentId"] for r in rows if r.get("appointmentId")):
        if appointment_id in found:
            continue
        if reads + 2 > KEPT_READS:
            break
        reads += 1
        one = (await visit.call("ScheduleAppointment", {"id": appointment_id})).data
        appointment = one.get("appointment")
        if not isinstance(appointment, dict):
            continue
        found[appointment_id] = appointment
        day = str(appointment.get("localDate"))
        if day not in days:
            days.add(day)
            reads += 1
            schedule = (await visit.call("ScheduleDay", {"date": day})).data
            for other in schedule.get("appointments") or ():
                found.setdefault(other["id"], other)
    return found


def _import_page(
    visit: Visit,
    frame: dict[str, Any],
    chosen: dict[str, str],
    errors: FormErrors,
    status: int = 200,
    report: dict[str, Any] | None = None,
    kept: dict[str, dict[str, Any]] | None = None,
) -> Response:
    return visit.html(
        "schedule_import.html",
        status,
        **frame,
        chosen=chosen,
        errors=errors,
        labels={"format": "Kind of file", "file": "Schedule file", GENERAL: "The import"},
        formats=FORMATS,
        report=report,
        kept=kept or {},
        outcome_words=OUTCOME_WORDS,
        status_words=STATUS_WORDS,
    )


async def _file_text(sent: Any, errors: FormErrors) -> str:
    if not isinstance(sent, UploadFile) or not sent.filename:
        errors.add("file", "Choose the schedule file to import.")
        return ""
    body = await sent.read(MAX_UPLOAD_BYTES + 1)
    if len(body) > MAX_UPLOAD_BYTES:
        errors.add("file", "The file is larger than 200 kB; import the day in two files.")
        return ""
    try:
        return body.decode("utf-8-sig")  # a BOM from a spreadsheet's "CSV UTF-8" is not a column
    except UnicodeDecodeError:
        errors.add("file", "The file is not UTF-8 text: save it as CSV UTF-8 or JSON.")
        return ""


ROUTES = [
    Route("/schedule/new", new_form, methods=["GET"]),
    Route("/schedule/new", create, methods=["POST"]),
    Route("/schedule/import", import_form, methods=["GET"]),
    Route("/schedule/import", import_file, methods=["POST"]),
    Route("/schedule/{appointment_id}/edit", edit_form, methods=["GET"]),
    Route("/schedule/{appointment_id}/edit", change, methods=["POST"]),
    Route("/schedule/{appointment_id}/cancel", cancel_confirm, methods=["GET"]),
    Route("/schedule/{appointment_id}/cancel", cancel, methods=["POST"]),
]
