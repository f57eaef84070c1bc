"""The FHIR sandbox payer's answers about claims and remittances: ClaimResponse (claim status and
the answer to ``Claim/$submit``) and PaymentReconciliation (one remittance: the amount sent and its
PLB provider-level adjustments, identified by the trace number).

A rejected submission's ClaimResponse has ``outcome = error``, the 277 category and status codes as
``error`` codes and no identifier (the payer kept no claim); an accepted duplicate repeats the first
answer with CARC 18 as its only ``error``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from payers.fhir.claims import CONTROL_NUMBER_SYSTEM
from payers.fhir.terminology import (
    ADJUDICATION,
    CARC,
    CLAIM_TYPE,
    PAYMENT_TYPE,
    X12_CLAIM_STATUS,
    X12_CLAIM_STATUS_CATEGORY,
    X12_PLB_REASON,
)
from payers.model import ClaimStatus, Code, Payment, SubmissionAck
from payers.sandbox.fhir_claims import (
    amount_of,
    claim_identifier,
    outcome_of,
    status_extension,
    without_none,
)
from payers.sandbox.fhir_members import insurer, patient_id
from payers.sandbox.fhir_wire import coding, concept, money, of_code, validated
from payers.sandbox.world import SandboxPayerBook

RECONCILIATION_PAYMENT_TYPE = "http://terminology.hl7.org/CodeSystem/payment-type"


def claim_response(
    book: SandboxPayerBook,
    status: ClaimStatus,
    *,
    member_id: str,
    control_identifier: Mapping[str, Any] | None = None,
    reasons: tuple[Code, ...] = (),
    duplicate: bool = False,
) -> dict[str, Any]:
    """A ClaimResponse stating a claim's status (also the answer to ``Claim/$submit``)."""
    member = book.members.get(member_id)
    control = control_identifier or (
        {"system": CONTROL_NUMBER_SYSTEM, "value": status.control_number}
        if status.control_number
        else None
    )
    created = status.effective_date or book.today
    resource: dict[str, Any] = {
        "resourceType": "ClaimResponse",
        "extension": [status_extension(status)],
        "status": "active",
        "type": concept(coding(CLAIM_TYPE, "professional")),
        "use": "claim",
        "patient": {"reference": f"Patient/{patient_id(member)}"}
        if member
        else {"display": "unmatched member"},
        "created": created.isoformat(),
        "insurer": insurer(book),
        "outcome": outcome_of(status),
    }
    if status.payer_claim_id:
        resource["id"] = f"cr-{status.payer_claim_id.lower()}"
        resource["identifier"] = [claim_identifier(book, status.payer_claim_id)]
    if control is not None:
        resource["request"] = {"identifier": dict(control)}
    totals = []
    if status.total_charge is not None:
        totals.append(amount_of(ADJUDICATION, "submitted", status.total_charge))
    if status.paid_amount is not None:
        totals.append(amount_of(ADJUDICATION, "benefit", status.paid_amount))
        resource["payment"] = {
            "type": concept(coding(PAYMENT_TYPE, "complete", "Complete")),
            "date": status.effective_date.isoformat() if status.effective_date else None,
            "amount": money(status.paid_amount),
        }
    if totals:
        resource["total"] = totals
    errors = [r for r in reasons if r.system in ("claim-status-category", "claim-status")]
    codes = [
        of_code(
            X12_CLAIM_STATUS_CATEGORY if r.system == "claim-status-category" else X12_CLAIM_STATUS,
            r,
        )
        for r in errors
    ]
    if duplicate:
        codes.append(coding(CARC, "18", "Exact duplicate claim/service"))
    if codes:
        resource["error"] = [{"code": concept(c)} for c in codes]
    return validated(without_none(resource))


def submission_response(
    book: SandboxPayerBook, ack: SubmissionAck, member_id: str, control: Mapping[str, Any]
) -> dict[str, Any]:
    """The ClaimResponse answering ``Claim/$submit``."""
    if ack.status is None:  # the intake always states one; keep the answer valid if not
        raise ValueError("acknowledgment without a status")
    return claim_response(
        book,
        ack.status,
        member_id=member_id,
        control_identifier=control,
        reasons=ack.reasons,
        duplicate=ack.duplicate,
    )


def reconciliation(book: SandboxPayerBook, payment: Payment) -> dict[str, Any]:
    """The PaymentReconciliation of one remittance: amount sent and provider-level adjustments."""
    paid_on = payment.payment_date or book.today
    return validated(
        without_none(
            {
                "resourceType": "PaymentReconciliation",
                "id": f"pr-{payment.trace_number.lower()}",
                "identifier": [
                    {"system": f"urn:sandbox-payer:{book.key}:trace", "value": payment.trace_number}
                ],
                "status": "active",
                "created": paid_on.isoformat(),
                "paymentIssuer": insurer(book),
                "outcome": "complete",
                "paymentDate": paid_on.isoformat(),
                "paymentAmount": money(payment.amount),
                "paymentIdentifier": {"value": payment.trace_number},
                "detail": [
                    {
                        "identifier": {"value": a.reference} if a.reference else None,
                        "type": concept(
                            coding(RECONCILIATION_PAYMENT_TYPE, "adjustment", "Adjustment"),
                            of_code(X12_PLB_REASON, a.reason),
                        ),
                        "amount": money(a.amount),
                    }
                    for a in payment.provider_adjustments
                ]
                or None,
            }
        )
    )
