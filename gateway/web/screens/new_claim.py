"""New claim: pick the card, providers, place of service, diagnoses and lines; send it once.

One idempotency key is made when the form is first shown and rides in it (hidden) through every
re-render, so a double click or a resubmitted page answers the claim already made (the API's
``replayed``). Buttons that change the form (add a line, look up codes, pick a code) post it back
and the server answers it re-rendered, so all of it works without script; with htmx the code boxes
also suggest codes as one types. A form posted as the session expired comes back after login.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from starlette.responses import Response
from starlette.routing import Route

from gateway.web.claim_form import KEY_FIELD, ClaimForm, code_system, label, looks_like_code
from gateway.web.visit import CSRF_FIELD, Visit, page

CHOICES = 8  # codes offered for what was typed
PATIENTS = 20


@page()
async def new_claim(visit: Visit) -> Response:
    resumed = await visit.resumed_form()
    if resumed is not None:
        form = ClaimForm.posted(resumed)
        return await _render(visit, form, resumed=True)
    patient_id = visit.request.query_params.get("patient", "")
    if not patient_id:
        result = await visit.call("ClaimPatients", {"first": PATIENTS})
        return await visit.page(
            "claim_patients.html", patients=result.data.get("recentPatients") or []
        )
    form = ClaimForm(values={KEY_FIELD: str(uuid.uuid4()), "patientId": patient_id})
    return await _render(visit, form, fresh=True)


@page()
async def post_claim(visit: Visit) -> Response:
    posted = await visit.request.form()
    fields: dict[str, list[str]] = {}
    for name, value in posted.multi_items():
        if name != CSRF_FIELD and isinstance(value, str):
            fields.setdefault(name, []).append(value)
    form = ClaimForm.posted(fields)
    action = form.values.pop("action", "")
    if visit.is_htmx and action == "suggest":
        name = visit.request.headers.get("hx-trigger-name", "")
        return visit.html(
            "_code_choices.html",
            name=name,
            choices=await _choices(visit, form, name),
            searched=_words(form, name),
        )
    if pick := form.values.pop("pick", ""):
        form.pick(pick)
    elif action == "add_line":
        form.add_line()
    elif action == "add_diagnosis":
        form.add_diagnosis()
    elif action.startswith("remove_line:") and action[12:].isdigit():
        form.remove_line(int(action[12:]))
    elif action == "send":
        return await _send(visit, form)
    return await _render(visit, form)


async def _send(visit: Visit, form: ClaimForm) -> Response:
    claim_input = form.to_input()
    result = await visit.call("SubmitClaim", {"key": form.key, "input": claim_input})
    payload = result.data.get("submitClaim") or {}
    claim = payload.get("claim")
    if claim and not payload.get("errors"):
        return visit.redirect(
            f"/claims/{claim['id']}?sent={'again' if payload.get('replayed') else 'new'}"
        )
    form.api_errors(payload.get("errors") or [])
    if not payload and result.errors:
        form.errors.setdefault(
            KEY_FIELD,
            "The claim could not be sent just now. Nothing was sent; try again in a minute.",
        )
    return await _render(visit, form, status=422)


async def _render(
    visit: Visit, form: ClaimForm, *, status: int = 200, fresh: bool = False, resumed: bool = False
) -> Response:
    result = await visit.call("ClaimFormPatient", {"id": form.get("patientId")})
    patient = result.data.get("patient")
    if patient is None and not result.codes <= {"BAD_USER_INPUT", "NOT_FOUND"}:
        return visit.refusal(
            502, "Could not open the form", "The patient could not be read; try again soon."
        )
    if patient is None:
        return visit.refusal(404, "Patient not found", "Pick the patient again from New claim.")
    cards = [
        c
        for c in patient.get("coverages") or ()
        if "CLAIM_SUBMISSION" in c["payer"]["capabilities"]
    ]
    if fresh:
        _prefill(visit, form, result.data, cards)
    boxes = [name for name in _code_inputs(form) if form.get(name)]
    suggestions = {name: await _choices(visit, form, name) for name in boxes if _words(form, name)}
    picked = await _descriptions(visit, form, [n for n in boxes if n not in suggestions])
    return await visit.page(
        "claim_new.html",
        status=status,
        form=form,
        patient=patient,
        cards=cards,
        other_cards=[c for c in patient.get("coverages") or () if c not in cards],
        suggestions=suggestions,
        picked=picked,
        labels={name: label(name) for name in form.errors},
        label=label,
        resumed=resumed,
    )


def _prefill(
    visit: Visit, form: ClaimForm, data: dict[str, Any], cards: list[dict[str, Any]]
) -> None:
    """A new form: the practice bills, the primary card, an office visit today."""
    practice = (data.get("me") or {}).get("practice") or {}
    today = datetime.now(ZoneInfo(visit.portal.settings.portal_time_zone)).date()
    primary = sorted(cards, key=lambda c: c.get("priority") or 9)
    form.values.update(
        {
            "billingProvider.name": practice.get("name") or "",
            "billingProvider.npi": practice.get("npi") or "",
            "billingProvider.taxId": practice.get("taxId") or "",
            "coverageId": primary[0]["id"] if primary else "",
            "placeOfService": "11",
            "lines.0.serviceDate": today.strftime("%m/%d/%Y"),
            "lines.0.units": "1",
        }
    )


async def _descriptions(visit: Visit, form: ClaimForm, names: list[str]) -> dict[str, str]:
    """What each typed code means, so the person sees what they picked (codes our tables lack
    can still be billed: they just get no description)."""
    found: dict[str, str] = {}
    for name in names:
        typed = form.get(name).upper()
        result = await visit.call(
            "ClaimCodes", {"system": code_system(name), "search": typed, "first": 1}
        )
        for code in result.data.get("codes") or ():
            if code["code"].upper().replace(".", "") == typed.replace(".", ""):
                found[name] = code["description"]
    return found


def _words(form: ClaimForm, name: str) -> bool:
    """Whether input ``name`` holds words to look up rather than a code."""
    typed = form.get(name)
    system = code_system(name)
    return system is not None and len(typed) >= 2 and not looks_like_code(system, typed)


def _code_inputs(form: ClaimForm) -> list[str]:
    return (
        ["placeOfService"]
        + [f"diagnoses.{i}" for i in range(form.diagnosis_count)]
        + [f"lines.{i}.procedureCode" for i in range(form.line_count)]
    )


async def _choices(visit: Visit, form: ClaimForm, name: str) -> list[dict[str, str]]:
    """Codes matching what was typed in input ``name`` (by code or by words)."""
    system = code_system(name)
    typed = form.get(name)
    if system is None or len(typed) < 2:
        return []
    result = await visit.call(
        "ClaimCodes", {"system": system, "search": typed[:80], "first": CHOICES}
    )
    return [c for c in result.data.get("codes") or () if c["code"].upper() != typed.upper()]


ROUTES = [
    Route("/claims/new", new_claim, methods=["GET"]),
    Route("/claims/new", post_claim, methods=["POST"]),
]
