"""Payments: pick a patient, then see each remittance of theirs -- the claims it paid, every
adjustment in words with its reason code and the payer's explanation -- and what the patient owes."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from gateway.web.api import PAYER_DOWN_CODES
from gateway.web.visit import Visit, page

PAYMENTS_READ = "payments:read"
PICKER_SIZE = 20

#: CAS claim adjustment group codes, as a front desk says them.
GROUP_WORDS = {
    "CO": "Contractual obligation",
    "PR": "Patient responsibility",
    "OA": "Other adjustment",
    "PI": "Payer-initiated reduction",
    "CR": "Correction or reversal",
}


def _refused(visit: Visit) -> Response:
    return visit.refusal(
        403,
        "You cannot see payments",
        "Your role does not include payments. Ask your practice's administrator if you need them.",
    )


@page()
async def patients(visit: Visit) -> Response:
    frame = await visit.frame()
    if PAYMENTS_READ not in frame["scopes"]:
        return _refused(visit)
    result = await visit.call("PaymentsPatients", {"first": PICKER_SIZE})
    return visit.html("payments.html", **frame, patients=result.data.get("recentPatients") or [])


@page()
async def patient_payments(visit: Visit) -> Response:
    frame = await visit.frame()
    if PAYMENTS_READ not in frame["scopes"]:
        return _refused(visit)
    result = await visit.call("PatientPayments", {"id": visit.request.path_params["patient_id"]})
    patient = result.data.get("patient")
    if patient is None:
        return visit.refusal(404, "Patient not found", "There is no such patient in your practice.")
    groups = [g for g in patient.get("payments") or () if g]
    names = {c["payer"]["id"]: c["payer"]["name"] for c in patient.get("coverages") or ()}
    unanswered = sorted(
        {
            names.get(e.payer or "", "A payer")
            for e in result.errors_under("patient", "payments")
            if e.code in PAYER_DOWN_CODES or e.payer
        }
    )
    return visit.html(
        "payments_patient.html",
        **frame,
        patient=patient,
        groups=groups,
        unanswered=unanswered,
        owes=patient_owes(groups),
        group_words=GROUP_WORDS,
    )


def patient_owes(groups: list[dict[str, Any]]) -> Decimal:
    """What the patient owes over every claim paid: the payer's patient responsibility for each claim
    (the PR adjustments where the payer did not state it)."""
    total = Decimal("0")
    for group in groups:
        for payment in group.get("payments") or ():
            for claim in payment.get("claims") or ():
                total += claim_owes(claim)
    return total


def claim_owes(claim: dict[str, Any]) -> Decimal:
    """One claim's patient responsibility."""
    stated = _amount(claim.get("patientResponsibility"))
    if stated is not None:
        return stated
    adjustments = list(claim.get("adjustments") or ())
    for line in claim.get("lines") or ():
        adjustments.extend(line.get("adjustments") or ())
    return sum(
        (
            _amount(a.get("amount")) or Decimal("0")
            for a in adjustments
            if a["group"]["code"] == "PR"
        ),
        Decimal("0"),
    )


def _amount(value: Any) -> Decimal | None:
    try:
        return None if value in (None, "") else Decimal(str(value))
    except InvalidOperation:
        return None


ROUTES = [
    Route("/payments", patients, methods=["GET"]),
    Route("/payments/{patient_id}", patient_payments, methods=["GET"]),
]
