"""New patient and correcting a patient's details, and what every patient form shares.

Each form posts to the path it is served from (so a form sent as the session expired comes back filled
in after login). The API checks everything; its field errors are shown at the fields. A duplicate
patient or card is not just refused: the one already on file is offered as a link.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from gateway.web.formats import us_date
from gateway.web.forms import GENERAL, FormErrors, call_failed, field_errors, typed, us_date_field
from gateway.web.visit import Visit, page

PATIENT_FIELDS = ("firstName", "lastName", "birthDate", "phone")
SUBSCRIBER_FIELDS = ("subscriberFirstName", "subscriberLastName", "subscriberBirthDate")
CARD_FIELDS = (
    "payerId",
    "memberId",
    "groupNumber",
    "planName",
    "priority",
    "effectiveFrom",
    "relation",
    *SUBSCRIBER_FIELDS,
)
RELATIONS = ("SELF", "SPOUSE", "CHILD", "OTHER")
LABELS = {
    "firstName": "First name",
    "lastName": "Last name",
    "birthDate": "Birth date",
    "phone": "Phone",
    "payerId": "Insurance company",
    "memberId": "Member ID",
    "groupNumber": "Group number",
    "planName": "Plan",
    "priority": "Order",
    "effectiveFrom": "Covered from",
    "relation": "Card holder",
    "subscriberFirstName": "Card holder's first name",
    "subscriberLastName": "Card holder's last name",
    "subscriberBirthDate": "Card holder's birth date",
    "endDate": "Last day covered",
    GENERAL: "This form",
}


async def filled(visit: Visit) -> dict[str, str] | None:
    """The form as posted when the session expired, if this is the page coming back after login."""
    resumed = await visit.resumed_form()
    return {k: v[0] for k, v in resumed.items() if v} if resumed else None


async def writer(visit: Visit) -> set[str] | Response:
    """The viewer's scopes, or a refusal when they may not change patients (names are PHI too)."""
    frame = await visit.frame()
    if not {"patients:write", "phi:read"} <= frame["scopes"]:
        return visit.refusal(
            403,
            "You cannot change patients",
            "Your role can look patients up but not register them or change their cards. Ask "
            "your practice's administrator if you need to.",
        )
    return set(frame["scopes"])


def card_input(values: dict[str, str], errors: FormErrors) -> dict[str, Any]:
    card: dict[str, Any] = {"memberId": values.get("memberId", "")}
    for name in ("groupNumber", "planName"):
        if values.get(name):
            card[name] = values[name]
    card["priority"] = int(values["priority"]) if values.get("priority") in {"1", "2", "3"} else 1
    started = us_date_field(values, "effectiveFrom", errors)
    if started:
        card["effectiveFrom"] = started
    relation = values.get("relation") if values.get("relation") in RELATIONS else "SELF"
    card["relation"] = relation
    if relation != "SELF":  # a dependent's card: the payer matches on the card holder too
        if not values.get("subscriberFirstName"):
            errors.add("subscriberFirstName", "Enter the card holder's first name.")
        if not values.get("subscriberLastName"):
            errors.add("subscriberLastName", "Enter the card holder's last name.")
        born = us_date_field(values, "subscriberBirthDate", errors, required=True)
        card["subscriber"] = {
            "firstName": values.get("subscriberFirstName", ""),
            "lastName": values.get("subscriberLastName", ""),
            "birthDate": born,
        }
    return card


# ---- new patient -------------------------------------------------------------------------------


@page()
async def new_patient(visit: Visit) -> Response:
    scopes = await writer(visit)
    if isinstance(scopes, Response):
        return scopes
    # Find insurance's "Register with this card" opens this form filled in with what was found.
    given = visit.request.query_params
    found = {name: given[name] for name in (*PATIENT_FIELDS, *CARD_FIELDS) if given.get(name)}
    values = {"priority": "1", **found}
    return await _patient_form(visit, await filled(visit) or values, FormErrors())


@page()
async def register(visit: Visit) -> Response:
    scopes = await writer(visit)
    if isinstance(scopes, Response):
        return scopes
    form = await visit.request.form()
    values = typed(form, (*PATIENT_FIELDS, *CARD_FIELDS))
    errors = FormErrors()
    born = us_date_field(values, "birthDate", errors, required=True)
    patient: dict[str, Any] = {
        "firstName": values["firstName"],
        "lastName": values["lastName"],
        "birthDate": born,
        "allowDuplicate": form.get("allowDuplicate") == "yes",
    }
    if values["phone"]:
        patient["phone"] = values["phone"]
    if values["payerId"] or values["memberId"]:
        if not values["payerId"]:
            errors.add("payerId", "Choose the insurance company on the card.")
        if not values["memberId"]:
            errors.add("memberId", "Enter the member ID from the card.")
        patient["coverages"] = [{**card_input(values, errors), "payerId": values["payerId"]}]
    if errors:  # the API is asked only once the dates and the card's two parts are there
        return await _patient_form(visit, values, errors)
    result = await visit.call("RegisterPatient", {"input": patient})
    payload = result.data.get("registerPatient") or {}
    codes = field_errors(payload.get("errors") or (), LABELS, errors)
    call_failed([] if payload else result.errors, errors)
    if not errors and payload.get("patient"):
        return visit.redirect(f"/patients/{payload['patient']['id']}")
    existing = payload.get("existingPatient") if "DUPLICATE_PATIENT" in codes else None
    if existing:
        errors.pop(GENERAL, None)  # the notice below says it, with the way forward
    return await _patient_form(visit, values, errors, existing)


async def _patient_form(
    visit: Visit, values: dict[str, str], errors: FormErrors, existing: Any = None
) -> Response:
    frame_payers = await visit.call("PayerChoices")
    return await visit.page(
        "patient_new.html",
        status=400 if errors or existing else 200,
        values=values,
        errors=errors,
        labels=LABELS,
        existing=existing,
        payers=frame_payers.data.get("payers") or [],
    )


# ---- correct the patient's details --------------------------------------------------------------


@page()
async def details_form(visit: Visit) -> Response:
    return await _details(visit, posted=False)


@page()
async def correct_details(visit: Visit) -> Response:
    return await _details(visit, posted=True)


async def _details(visit: Visit, posted: bool) -> Response:
    scopes = await writer(visit)
    if isinstance(scopes, Response):
        return scopes
    patient_id = visit.request.path_params["patient_id"]
    found = (await visit.call("PatientDetails", {"id": patient_id})).data.get("patient")
    if found is None:
        return visit.refusal(404, "Patient not found", "There is no such patient in your practice.")
    errors, existing = FormErrors(), None
    if not posted:
        values = await filled(visit) or {
            "firstName": found.get("firstName") or "",
            "lastName": found.get("lastName") or "",
            "birthDate": us_date(found.get("birthDate")),
            "phone": found.get("phone") or "",
        }
    else:
        form = await visit.request.form()
        values = typed(form, PATIENT_FIELDS)
        born = us_date_field(values, "birthDate", errors, required=True)
        if not errors:
            change = {
                "id": patient_id,
                "firstName": values["firstName"],
                "lastName": values["lastName"],
                "birthDate": born,
                "phone": values["phone"] or None,
                "allowDuplicate": form.get("allowDuplicate") == "yes",
            }
            result = await visit.call("CorrectPatient", {"input": change})
            payload = result.data.get("updatePatient") or {}
            codes = field_errors(payload.get("errors") or (), LABELS, errors)
            call_failed([] if payload else result.errors, errors)
            if not errors and payload.get("patient"):
                return visit.redirect(f"/patients/{patient_id}")
            if "DUPLICATE_PATIENT" in codes and payload.get("existingPatient"):
                existing = payload["existingPatient"]
                errors.pop(GENERAL, None)  # the notice says it, with the way forward
    return await visit.page(
        "patient_details.html",
        status=400 if errors or existing else 200,
        patient=found,
        values=values,
        errors=errors,
        labels=LABELS,
        existing=existing,
    )


ROUTES = [
    Route("/patients/new", new_patient, methods=["GET"]),
    Route("/patients/new", register, methods=["POST"]),
    Route("/patients/{patient_id}/details", details_form, methods=["GET"]),
    Route("/patients/{patient_id}/details", correct_details, methods=["POST"]),
]
