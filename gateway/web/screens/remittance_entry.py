"""A paper EOB typed in (``/remittances/enter``): the payment, one claim on it and up to three
service lines with their adjustments, posted as a fetched remittance is (once per trace number)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from gateway.web.forms import GENERAL, FormErrors, call_failed, typed, us_date_field
from gateway.web.screens.remittances import PAYMENTS_WRITE, refused
from gateway.web.visit import Visit, page

LINES = 3
ADJUSTMENTS = 2  # per line
METHODS = {"CHK": "Check", "ACH": "Electronic transfer (ACH)", "NON": "No payment"}
STATUSES = {
    "1": "Processed as primary",
    "2": "Processed as secondary",
    "4": "Denied",
    "22": "Reversal",
}
GROUPS = ("CO", "PR", "OA", "PI", "CR")
PAYMENT_FIELDS = ("payerId", "traceNumber", "paymentDate", "amount", "method")
CLAIM_FIELDS = (
    "controlNumber",
    "payerClaimId",
    "status",
    "charge",
    "paid",
    "patientResponsibility",
)
LINE_FIELDS = ("code", "charge", "allowed", "paid")
ADJUSTMENT_FIELDS = ("group", "reason", "amount")
LABELS = {
    "payerId": "Payer",
    "traceNumber": "Check or EFT number",
    "paymentDate": "Paid on",
    "amount": "Payment amount",
    "method": "How it was paid",
    "controlNumber": "Claim number on the EOB",
    "payerClaimId": "Payer's claim number",
    "status": "Payer's decision",
    "charge": "Claim charge",
    "paid": "Paid on the claim",
    "patientResponsibility": "Patient's part",
    GENERAL: "The EOB",
}


def _labels() -> dict[str, str]:
    labels = dict(LABELS)
    for n in range(1, LINES + 1):
        words = {"code": "procedure code", "charge": "charge", "allowed": "allowed", "paid": "paid"}
        labels.update({f"line{n}_{f}": f"Line {n} {w}" for f, w in words.items()})
        for a in range(1, ADJUSTMENTS + 1):
            labels[f"line{n}_adj{a}_reason"] = f"Line {n} adjustment {a} reason"
            labels[f"line{n}_adj{a}_amount"] = f"Line {n} adjustment {a} amount"
    return labels


def _names() -> list[str]:
    names = [*PAYMENT_FIELDS, *CLAIM_FIELDS]
    for n in range(1, LINES + 1):
        names += [f"line{n}_{f}" for f in LINE_FIELDS]
        for a in range(1, ADJUSTMENTS + 1):
            names += [f"line{n}_adj{a}_{f}" for f in ADJUSTMENT_FIELDS]
    return names


def _money(values: dict[str, str], name: str, errors: FormErrors, required: bool) -> str | None:
    text = values.get(name, "").replace("$", "").replace(",", "")
    if not text:
        if required:
            errors.add(name, "Enter the amount, e.g. 120.00.")
        return None
    try:
        float(text)  # only a syntax check: the API parses it as a decimal
    except ValueError:
        errors.add(name, "Write the amount as digits, e.g. 120.00.")
        return None
    return text


def _input(values: dict[str, str], errors: FormErrors) -> dict[str, Any]:
    """The API's EnterRemittanceInput from the form, with errors at the fields."""
    if not values["payerId"]:
        errors.add("payerId", "Choose the payer.")
    if not values["traceNumber"]:
        errors.add("traceNumber", "Enter the check or EFT number printed on the EOB.")
    lines = []
    for n in range(1, LINES + 1):
        key = f"line{n}_"
        if not any(values.get(f"{key}{f}") for f in LINE_FIELDS):
            continue
        if not values.get(f"{key}code"):
            errors.add(f"{key}code", "Enter the procedure code of the line.")
        adjustments = []
        for a in range(1, ADJUSTMENTS + 1):
            adj = f"{key}adj{a}_"
            if not values.get(f"{adj}reason") and not values.get(f"{adj}amount"):
                continue
            if not values.get(f"{adj}reason"):
                errors.add(f"{adj}reason", "Enter the reason code (CARC), e.g. 45.")
            adjustments.append(
                {
                    "group": values.get(f"{adj}group") or "CO",
                    "reason": values.get(f"{adj}reason", ""),
                    "amount": _money(values, f"{adj}amount", errors, True),
                }
            )
        lines.append(
            {
                "procedureCode": values.get(f"{key}code", "").upper(),
                "charge": _money(values, f"{key}charge", errors, True),
                "allowed": _money(values, f"{key}allowed", errors, False),
                "paid": _money(values, f"{key}paid", errors, True),
                "adjustments": adjustments,
            }
        )
    claim = {
        "controlNumber": values["controlNumber"] or None,
        "payerClaimId": values["payerClaimId"] or None,
        "status": values["status"] if values["status"] in STATUSES else "1",
        "charge": _money(values, "charge", errors, True),
        "paid": _money(values, "paid", errors, True),
        "patientResponsibility": _money(values, "patientResponsibility", errors, False),
        "lines": lines,
    }
    return {
        "payerId": values["payerId"],
        "traceNumber": values["traceNumber"],
        "paymentDate": us_date_field(values, "paymentDate", errors, required=True),
        "amount": _money(values, "amount", errors, True),
        "method": values["method"] if values["method"] in METHODS else "CHK",
        "claims": [claim],
    }


async def _form_page(
    visit: Visit, values: dict[str, str], errors: FormErrors, status: int = 200
) -> Response:
    frame = await visit.frame()
    if PAYMENTS_WRITE not in frame["scopes"]:
        return refused(visit, writing=True)
    result = await visit.call("RemittancePayers")
    return visit.html(
        "remittance_entry.html",
        status,
        **frame,
        payers=result.data.get("payers") or [],
        values=values,
        errors=errors,
        labels=_labels(),
        methods=METHODS,
        statuses=STATUSES,
        groups=GROUPS,
        lines=range(1, LINES + 1),
        adjustment_slots=range(1, ADJUSTMENTS + 1),
    )


@page()
async def entry_form(visit: Visit) -> Response:
    kept = await visit.resumed_form()
    values = typed({k: (v[0] if v else "") for k, v in (kept or {}).items()}, _names())
    values["method"] = values["method"] or "CHK"
    values["status"] = values["status"] or "1"
    return await _form_page(visit, values, FormErrors())


@page()
async def enter(visit: Visit) -> Response:
    values = typed(await visit.request.form(), _names())
    errors = FormErrors()
    variables = _input(values, errors)
    if errors:
        return await _form_page(visit, values, errors, 400)
    result = await visit.call("EnterRemittance", {"input": variables})
    payload = result.data.get("enterRemittance")
    if payload is None:
        call_failed(result.errors, errors)
    for problem in (payload or {}).get("errors") or ():
        path = [str(p) for p in problem.get("field") or ()]
        name = path[-1] if path and path[-1] in LABELS else GENERAL
        errors.add(name, str(problem.get("message") or "Check this."))
    if errors:
        return await _form_page(visit, values, errors, 400)
    remittances = (payload or {}).get("remittances") or []
    if remittances:
        return visit.redirect(f"/remittances/{remittances[0]['id']}")
    return visit.redirect("/remittances?posted=0")


ROUTES = [
    Route("/remittances/enter", entry_form, methods=["GET"]),
    Route("/remittances/enter", enter, methods=["POST"]),
]
