"""Estimate: what a planned visit will cost the patient, from the patient's page; and the good-faith
estimate to print and hand over (the No Surprises Act's contents as the reference).

The form works as New claim's does: buttons that change it post it back, code boxes suggest codes
as one types (htmx) or on "Look up codes". "Estimate" shows the breakdown under the form; "Print
estimate" posts the same form to the print view (PHI never goes in a URL).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from starlette.responses import Response
from starlette.routing import Route

from gateway.web.estimate_form import EstimateForm, label, looks_like_code
from gateway.web.visit import CSRF_FIELD, Visit, page

CHOICES = 8
DISPUTE_THRESHOLD = "400.00"
NETWORK_WORDS = {"IN_NETWORK": "in network", "OUT_OF_NETWORK": "out of network"}
SOURCE_WORDS = {
    "LEARNED_FROM_REMITTANCES": "from this payer's past payments",
    "FEE_SCHEDULE": "practice fee schedule",
    "CHARGE": "not known: the full charge",
}


def _patient_id(visit: Visit) -> str:
    return str(visit.request.path_params["patient_id"])


@page()
async def estimate_form(visit: Visit) -> Response:
    form = EstimateForm()
    resumed = await visit.resumed_form()
    if resumed is not None:
        form = EstimateForm.posted(resumed)
    return await _render(visit, form, fresh=resumed is None)


async def _posted(visit: Visit) -> EstimateForm:
    posted = await visit.request.form()
    fields: dict[str, list[str]] = {}
    for name, value in posted.multi_items():
        if name != CSRF_FIELD and isinstance(value, str):
            fields.setdefault(name, []).append(value)
    return EstimateForm.posted(fields)


@page()
async def post_estimate(visit: Visit) -> Response:
    form = await _posted(visit)
    action = form.values.pop("action", "")
    if visit.is_htmx and action == "suggest":
        name = visit.request.headers.get("hx-trigger-name", "")
        return visit.html(
            "_code_choices.html",
            name=name,
            choices=await _choices(visit, form.get(name)),
            searched=_words(form.get(name)),
        )
    if pick := form.values.pop("pick", ""):
        form.pick(pick)
    elif action == "add_line":
        form.add_line()
    elif action.startswith("remove_line:") and action[12:].isdigit():
        form.remove_line(int(action[12:]))
    elif action in ("estimate", "print"):
        return await _estimate(visit, form, printing=action == "print")
    return await _render(visit, form)


async def _estimate(visit: Visit, form: EstimateForm, *, printing: bool) -> Response:
    variables = form.to_variables(_patient_id(visit))
    if variables is None:
        return await _render(visit, form, status=422)
    result = await visit.call("PatientEstimate", variables)
    payload = result.data.get("estimate") or {}
    form.api_errors(payload.get("errors") or [])
    estimate = payload.get("estimate")
    if estimate is None and not form.errors:
        form.errors.add("form", "The estimate could not be made just now. Try again in a minute.")
    if form.errors or estimate is None:
        return await _render(visit, form, status=422)
    if printing:
        return await _print(visit, form, estimate)
    return await _render(visit, form, estimate=estimate)


async def _patient(visit: Visit) -> tuple[dict[str, Any] | None, dict[str, Any], Response | None]:
    result = await visit.call("EstimatePatient", {"id": _patient_id(visit)})
    patient = result.data.get("patient")
    if patient is None and not result.codes <= {"BAD_USER_INPUT", "NOT_FOUND"}:
        return None, {}, visit.refusal(502, "Could not open", "Try again in a minute.")
    if patient is None:
        return None, {}, visit.refusal(404, "Patient not found", "Open the patient again.")
    practice = (result.data.get("me") or {}).get("practice") or {}
    return patient, practice, None


def _today(visit: Visit) -> str:
    return (
        datetime.now(ZoneInfo(visit.portal.settings.portal_time_zone)).date().strftime("%m/%d/%Y")
    )


async def _render(
    visit: Visit,
    form: EstimateForm,
    *,
    status: int = 200,
    fresh: bool = False,
    estimate: dict[str, Any] | None = None,
) -> Response:
    patient, practice, refused = await _patient(visit)
    if refused is not None or patient is None:
        return refused  # type: ignore[return-value]
    if fresh:
        form.values.update(
            {"date": _today(visit), "providerNpi": practice.get("npi") or "", "lines.0.units": "1"}
        )
    boxes = [f"lines.{n}.code" for n in range(form.line_count) if form.get(f"lines.{n}.code")]
    suggestions = {n: await _choices(visit, form.get(n)) for n in boxes if _words(form.get(n))}
    return await visit.page(
        "estimate.html",
        status=status,
        form=form,
        patient=patient,
        cards=sorted(patient.get("coverages") or (), key=lambda c: c.get("priority") or 9),
        suggestions=suggestions,
        labels={name: label(name) for name in form.errors},
        estimate=estimate,
        payer_names=_payer_names(estimate),
        network_words=NETWORK_WORDS,
        source_words=SOURCE_WORDS,
    )


def _payer_names(estimate: dict[str, Any] | None) -> dict[str, str]:
    return {p["payer"]["id"]: p["payer"]["name"] for p in (estimate or {}).get("payers") or ()}


async def _print(visit: Visit, form: EstimateForm, estimate: dict[str, Any]) -> Response:
    patient, practice, refused = await _patient(visit)
    if refused is not None or patient is None:
        return refused  # type: ignore[return-value]
    insurance = [
        sum((Decimal(str(share["pays"])) for share in line["payers"]), Decimal("0.00"))
        for line in estimate["lines"]
    ]
    return await visit.page(
        "estimate_print.html",
        insurance=insurance,
        insurance_total=sum(insurance, Decimal("0.00")),
        patient=patient,
        practice=practice,
        estimate=estimate,
        diagnoses=form.diagnoses(),
        payer_names=_payer_names(estimate),
        network_words=NETWORK_WORDS,
        threshold=DISPUTE_THRESHOLD,
        issued=_today(visit),
    )


def _words(typed: str) -> bool:
    return len(typed) >= 2 and not looks_like_code(typed)


async def _choices(visit: Visit, typed: str) -> list[dict[str, str]]:
    if len(typed) < 2:
        return []
    result = await visit.call("EstimateCodes", {"search": typed[:80], "first": CHOICES})
    return [c for c in result.data.get("codes") or () if c["code"].upper() != typed.upper()]


ROUTES = [
    Route("/patients/{patient_id}/estimate", estimate_form, methods=["GET"]),
    Route("/patients/{patient_id}/estimate", post_estimate, methods=["POST"]),
]
