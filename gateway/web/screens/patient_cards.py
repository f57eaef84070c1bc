"""A patient's insurance cards: add, correct, end (the same posting rules as every patient form).

A card that repeats one on file (same payer and member ID) is answered DUPLICATE_COVERAGE by the API;
the form then offers the card on file, to open or to correct.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from gateway.web.formats import us_date
from gateway.web.forms import FormErrors, call_failed, field_errors, typed, us_date_field
from gateway.web.screens.patient_forms import CARD_FIELDS, LABELS, card_input, filled, writer
from gateway.web.visit import Visit, page


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
    scopes = await writer(visit)
    if isinstance(scopes, Response):
        return scopes
    record = await _patient_cards(visit)
    if isinstance(record, Response):
        return record
    card_id = visit.request.path_params.get("card_id")
    card = _card(record, card_id) if card_id else None
    if card_id and card is None:
        return visit.refusal(404, "Card not found", "This patient has no such insurance card.")
    values = await filled(visit) or (_card_values(card) if card else {"priority": "1"})
    return await _card_page(visit, record, card, values, FormErrors())


@page()
async def save_card(visit: Visit) -> Response:
    scopes = await writer(visit)
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
    fields = card_input(values, errors)
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
    scopes = await writer(visit)
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
        values = await filled(visit) or {"endDate": date.today().strftime("%m/%d/%Y")}
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
    Route("/patients/{patient_id}/cards/new", card_form, methods=["GET"]),
    Route("/patients/{patient_id}/cards/new", save_card, methods=["POST"]),
    Route("/patients/{patient_id}/cards/{card_id}", card_form, methods=["GET"]),
    Route("/patients/{patient_id}/cards/{card_id}", save_card, methods=["POST"]),
    Route("/patients/{patient_id}/cards/{card_id}/end", end_form, methods=["GET"]),
    Route("/patients/{patient_id}/cards/{card_id}/end", end_card, methods=["POST"]),
]
