"""Find insurance: ask every payer whether it covers a person, by demographics, without a card.

From a patient's page (their details filled in; "Add this card" keeps a found coverage on their file)
or from New patient (enter the details; "Register with this card" opens New patient filled in). Each
payer's answer is shown: found with how sure the match is and what matched, not found, not
answering, or cannot search. Adding goes through addDiscoveredCoverage: a card already on file is
refused and the patient's page offered instead.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response
from starlette.routing import Route

from gateway.web.formats import us_date
from gateway.web.forms import GENERAL, FormErrors, field_errors, typed, us_date_field
from gateway.web.visit import Visit, page

FIELDS = ("firstName", "lastName", "birthDate", "gender", "postalCode")
LABELS = {
    "firstName": "First name",
    "lastName": "Last name",
    "birthDate": "Birth date",
    "gender": "Sex",
    "postalCode": "ZIP code",
    GENERAL: "This search",
}
OUTCOME_WORDS = {
    "FOUND": "Coverage found",
    "NOT_FOUND": "No coverage found",
    "NOT_ANSWERING": "Not answering just now: try again later",
    "CANNOT_SEARCH": "Cannot search without a member ID",
}
CONFIDENCE_WORDS = {
    "HIGH": "Sure match",
    "MEDIUM": "Likely match (check the card)",
    "LOW": "Weak match",
}
MATCH_WORDS = {
    "FIRST_NAME": "first name",
    "FIRST_NAME_VARIANT": "a variant of the first name",
    "LAST_NAME": "last name",
    "BIRTH_DATE": "birth date",
    "GENDER": "sex",
    "POSTAL_CODE": "ZIP code",
}


async def _searcher(visit: Visit) -> Response | None:
    frame = await visit.frame()
    if not {"eligibility:read", "phi:read"} <= frame["scopes"]:
        return visit.refusal(
            403,
            "You cannot search for insurance",
            "Your role cannot ask payers about patients. Ask your practice's administrator.",
        )
    return None


@page()
async def search_form(visit: Visit) -> Response:
    refused = await _searcher(visit)
    if refused is not None:
        return refused
    patient_id = visit.request.query_params.get("patient") or ""
    values = {name: "" for name in FIELDS}
    patient = None
    if patient_id:
        patient = (await visit.call("FindInsurancePatient", {"id": patient_id})).data.get("patient")
        if patient is None:
            return visit.refusal(
                404, "Patient not found", "There is no such patient in your practice."
            )
        values = _values_of(patient)
    return await _render(visit, values, FormErrors(), patient, None)


@page()
async def search(visit: Visit) -> Response:
    refused = await _searcher(visit)
    if refused is not None:
        return refused
    form = await visit.request.form()
    values = typed(form, FIELDS)
    patient_id = str(form.get("patientId") or "")
    patient = None
    if patient_id:
        patient = (await visit.call("FindInsurancePatient", {"id": patient_id})).data.get("patient")
        if patient is None:
            return visit.refusal(
                404, "Patient not found", "There is no such patient in your practice."
            )
    errors = FormErrors()
    born = us_date_field(values, "birthDate", errors, required=True)
    if errors:
        return await _render(visit, values, errors, patient, None, status=400)
    if patient is not None and values == _values_of(patient):
        variables: dict[str, Any] = {"patientId": patient_id}  # the API reads the record itself
    else:
        variables = {
            "who": {
                "firstName": values["firstName"],
                "lastName": values["lastName"],
                "birthDate": born,
                "gender": values["gender"] or None,
                "postalCode": values["postalCode"] or None,
            }
        }
    result = await visit.call("DiscoverCoverage", variables)
    found = result.data.get("discoverCoverage")
    if found is None:
        errors.add(GENERAL, "The payers could not be asked just now. Try again in a moment.")
        return await _render(visit, values, errors, patient, None, status=502)
    field_errors(found.get("errors") or (), FIELDS, errors)
    for problem in found.get("errors") or ():
        if problem.get("code") in ("RATE_LIMITED", "INVALID_INPUT", "NOT_FOUND"):
            errors.add(GENERAL, problem.get("message") or "The search was refused.")
    if errors:
        return await _render(visit, values, errors, patient, None, status=400)
    return await _render(visit, values, errors, patient, _results(found["payers"], values))


@page()
async def add(visit: Visit) -> Response:
    frame = await visit.frame()
    if not {"patients:write", "phi:read"} <= frame["scopes"]:
        return visit.refusal(
            403, "You cannot change patients", "Your role cannot add insurance cards."
        )
    form = await visit.request.form()
    patient_id = str(form.get("patientId") or "")
    card = {
        "patientId": patient_id,
        "payerId": str(form.get("payerId") or ""),
        "memberId": str(form.get("memberId") or ""),
    }
    for name in ("groupNumber", "planName"):
        if form.get(name):
            card[name] = str(form[name])
    result = await visit.call("AddDiscoveredCoverage", {"input": card})
    payload = result.data.get("addDiscoveredCoverage") or {}
    if payload.get("coverage"):
        return visit.redirect(f"/patients/{patient_id}")
    codes = {e.get("code") for e in payload.get("errors") or ()}
    if "DUPLICATE_COVERAGE" in codes:
        return visit.refusal(
            409,
            "This card is already on file",
            "The patient already has this card: see it on the patient's page.",
        )
    words = "; ".join(e.get("message") or "" for e in payload.get("errors") or ()) or (
        "It could not be saved just now. Try again in a moment."
    )
    return visit.refusal(400, "The card was not added", words)


def _values_of(patient: dict[str, Any]) -> dict[str, str]:
    return {
        "firstName": patient.get("firstName") or "",
        "lastName": patient.get("lastName") or "",
        "birthDate": us_date(patient.get("birthDate")),
        "gender": patient.get("gender") or "",
        "postalCode": (patient.get("address") or {}).get("postalCode") or "",
    }


def _results(payers: list[dict[str, Any]], values: dict[str, str]) -> list[dict[str, Any]]:
    shown = []
    for answer in payers:
        coverages = []
        for found in answer.get("coverages") or ():
            plan = found.get("plan") or {}
            person = found.get("person") or {}
            register = {
                "firstName": values["firstName"],
                "lastName": values["lastName"],
                "birthDate": values["birthDate"],
                "payerId": answer["payer"]["id"],
                "memberId": found["memberId"],
                "groupNumber": plan.get("groupNumber") or "",
                "planName": plan.get("name") or "",
            }
            coverages.append(
                {
                    **found,
                    "plan": plan,
                    "confidence_words": CONFIDENCE_WORDS.get(found["confidence"], ""),
                    "matched_words": ", ".join(MATCH_WORDS.get(m, m) for m in found["matchedOn"]),
                    "payer_name_of_person": " ".join(
                        p for p in (person.get("firstName"), person.get("lastName")) if p
                    ),
                    "register_link": "/patients/new?" + urlencode(register),
                }
            )
        shown.append(
            {
                **answer,
                "outcome_words": OUTCOME_WORDS.get(answer["outcome"], answer["outcome"]),
                "coverages": coverages,
            }
        )
    order = {"FOUND": 0, "NOT_FOUND": 1, "NOT_ANSWERING": 2, "CANNOT_SEARCH": 3}
    return sorted(shown, key=lambda a: order.get(a["outcome"], 9))


async def _render(
    visit: Visit,
    values: dict[str, str],
    errors: FormErrors,
    patient: dict[str, Any] | None,
    results: list[dict[str, Any]] | None,
    status: int = 200,
) -> Response:
    frame = await visit.frame()
    return await visit.page(
        "find_insurance.html",
        status=status,
        values=values,
        errors=errors,
        labels=LABELS,
        patient=patient,
        results=results,
        can_add={"patients:write", "phi:read"} <= frame["scopes"],
    )


ROUTES = [
    Route("/find-insurance", search_form, methods=["GET"]),
    Route("/find-insurance", search, methods=["POST"]),
    Route("/find-insurance/add", add, methods=["POST"]),
]
