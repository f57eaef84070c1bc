"""New patient, and a patient's insurance cards: add, correct, end.

Each form posts to the path it is served from (so a form sent as the session expired comes back filled
in after login). The API checks everything; its field errors are shown at the fields. A duplicate
patient or card is not just refused: the one already on file is offered as a link.
"""

from __future__ import annotations

from datetime import date
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


async def _filled(visit: Visit) -> dict[str, str] | None:
    """The form as posted when the session expired, if this is the page coming back after login."""
    resumed = await visit.resumed_form()
    return {k: v[0] for k, v in resumed.items() if v} if resumed else None


async def _writer(visit: Visit) -> set[str] | Response:
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


def _card_input(values: dict[str, str], errors: FormErrors) -> dict[str, Any]:
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
    scopes = await _writer(visit)
    if isinstance(scopes, Response):
        return scopes
    return await _patient_form(visit, await _filled(visit) or {"priority": "1"}, FormErrors())


@page()
async def register(visit: Visit) -> Response:
    scopes = await _writer(visit)
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
        patient["coverages"] = [{**_card_input(values, errors), "payerId": values["payerId"]}]
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


# ---- cards -------------------------------------------------------------------------------------


async def _patient_cards(visit: Visit) -> dict[str, Any] | Response:
    """The patient and their cards with member IDs (for the form and to find a duplicate card)."""
    patient_id = visit.request.path_params["patient_id"]
    result = await visit.call("PatientCards", {"id": patient_id})
    patient = result.data.get("patient")
    if patient is None:
        return visit.refusal(404, "Patient not found", "There is no such patient in your practice.")
    return {"patient": patient, "payers": result.data.get("payers") or []}


def _card(record: dict[str, Any], card_id: str) -> dict[str, Any] | None:
    return next((c for c in record["patient"]["coverages"] if c["id"] == card_id), None)


def _same_card(record: dict[str, Any], payer_id: str, member_id: str, not_id: str = "") -> Any:
    """The card on file that this one repeats (same payer and member ID), for the duplicate offer."""
    wanted = member_id.strip().upper()
    for card in record["patient"]["coverages"]:
        if card["id"] != not_id and card["payer"]["id"] == payer_id:
            if str(card.get("memberId") or "").strip().upper() == wanted:
                return card
    return None


def _card_values(card: dict[str, Any]) -> dict[str, str]:
    holder = card.get("subscriber") or {}
    return {
        "payerId": card["payer"]["id"],
        "memberId": card.get("memberId") or "",
        "groupNumber": card.get("groupNumber") or "",
        "planName": card.get("planName") or "",
        "priority": str(card.get("priority") or 1),
        "effectiveFrom": us_date(card.get("effectiveFrom")),
        "relation": card.get("relation") or "SELF",
        "subscriberFirstName": holder.get("firstName") or "",
        "subscriberLastName": holder.get("lastName") or "",
        "subscriberBirthDate": us_date(holder.get("birthDate")),
    }


@page()
async def card_form(visit: Visit) -> Response:
    scopes = await _writer(visit)
    if isinstance(scopes, Response):
        return scopes
    record = await _patient_cards(visit)
    if isinstance(record, Response):
        return record
    card_id = visit.request.path_params.get("card_id")
    card = _card(record, card_id) if card_id else None
    if card_id and card is None:
        return visit.refusal(404, "Card not found", "This patient has no such insurance card.")
    values = await _filled(visit) or (_card_values(card) if card else {"priority": "1"})
    return await _card_page(visit, record, card, values, FormErrors())


@page()
async def save_card(visit: Visit) -> Response:
    scopes = await _writer(visit)
    if isinstance(scopes, Response):
        return scopes
    record = await _patient_cards(visit)
    if isinstance(record, Response):
        return record
    card_id = visit.request.path_params.get("card_id")
    card = _card(record, card_id) if card_id else None
    if card_id and card is None:
        return visit.refusal(404, "Card not found", "This patient has no such insurance card.")
    values = typed(await visit.request.form(), CARD_FIELDS)
    errors = FormErrors()
    fields = _card_input(values, errors)
    patient_id = record["patient"]["id"]
    if card is None:
        if not values["payerId"]:
            errors.add("payerId", "Choose the insurance company on the card.")
    else:
        values["payerId"] = card["payer"]["id"]  # a card's payer cannot change
    if errors:
        return await _card_page(visit, record, card, values, errors)
    if card is None:
        coverage = {**fields, "payerId": values["payerId"]}
        variables = {"input": {"patientId": patient_id, "coverage": coverage}}
        result, name = await visit.call("AddCard", variables), "addCoverage"
    else:
        variables = {"input": {"id": card["id"], **fields}}
        result, name = await visit.call("CorrectCard", variables), "updateCoverage"
    payload = result.data.get(name) or {}
    codes = field_errors(payload.get("errors") or (), LABELS, errors)
    call_failed([] if payload else result.errors, errors)
    if not errors and payload.get("coverage"):
        return visit.redirect(f"/patients/{patient_id}#card-{payload['coverage']['id']}")
    duplicate = None
    if "DUPLICATE_COVERAGE" in codes:
        duplicate = _same_card(record, values["payerId"], values["memberId"], card_id or "")
    return await _card_page(visit, record, card, values, errors, duplicate)


async def _card_page(
    visit: Visit,
    record: dict[str, Any],
    card: dict[str, Any] | None,
    values: dict[str, str],
    errors: FormErrors,
    duplicate: Any = None,
) -> Response:
    return await visit.page(
        "card_form.html",
        status=400 if errors else 200,
        patient=record["patient"],
        payers=record["payers"],
        card=card,
        values=values,
        errors=errors,
        labels=LABELS,
        duplicate=duplicate,
    )


@page()
async def end_form(visit: Visit) -> Response:
    return await _end(visit, posted=False)


@page()
async def end_card(visit: Visit) -> Response:
    return await _end(visit, posted=True)


async def _end(visit: Visit, posted: bool) -> Response:
    scopes = await _writer(visit)
    if isinstance(scopes, Response):
        return scopes
    record = await _patient_cards(visit)
    if isinstance(record, Response):
        return record
    card = _card(record, visit.request.path_params["card_id"])
    if card is None:
        return visit.refusal(404, "Card not found", "This patient has no such insurance card.")
    errors = FormErrors()
    if posted:
        values = typed(await visit.request.form(), ("endDate",))
        ended = us_date_field(values, "endDate", errors, required=True)
        if ended:
            result = await visit.call("EndCard", {"id": card["id"], "endDate": ended})
            payload: dict[str, Any] = result.data.get("endCoverage") or {}
            field_errors(payload.get("errors") or (), ("endDate",), errors)
            call_failed([] if payload else result.errors, errors)
            if not errors:
                return visit.redirect(f"/patients/{record['patient']['id']}#card-{card['id']}")
    else:
        values = await _filled(visit) or {"endDate": date.today().strftime("%m/%d/%Y")}
    return await visit.page(
        "card_end.html",
        status=400 if errors else 200,
        patient=record["patient"],
        card=card,
        values=values,
        errors=errors,
        labels=LABELS,
    )


ROUTES = [
    Route("/patients/new", new_patient, methods=["GET"]),
    Route("/patients/new", register, methods=["POST"]),
    Route("/patients/{patient_id}/cards/new", card_form, methods=["GET"]),
    Route("/patients/{patient_id}/cards/new", save_card, methods=["POST"]),
    Route("/patients/{patient_id}/cards/{card_id}", card_form, methods=["GET"]),
    Route("/patients/{patient_id}/cards/{card_id}", save_card, methods=["POST"]),
    Route("/patients/{patient_id}/cards/{card_id}/end", end_form, methods=["GET"]),
    Route("/patients/{patient_id}/cards/{card_id}/end", end_card, methods=["POST"]),
]
