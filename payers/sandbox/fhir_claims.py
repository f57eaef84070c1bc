"""The FHIR sandbox payer's claims and payments as ExplanationOfBenefit (CARIN BB style).

One EOB per claim of the book (or received at run time): lines with CPT/HCPCS, modifiers, ICD-10-CM
pointers, place of service; when adjudicated, per line ``submitted``/``eligible``/``benefit`` and one
adjudication per CAS adjustment (category: the CARIN amount category where one exists -- deductible
PR 1, coinsurance PR 2, copay PR 3, prior payer paid OA 23 -- else ``adjustmentreason``, plus the X12
group code; reason: the CARC with its RARCs); claim-level RARCs as header adjudications; totals
``submitted``/``benefit``/``memberliability``; ``payment`` with the trace number, date, amount and
BPR04 method. The X12 277 status (category, status code, entity, date), which R4 has no element
for, travels in the :data:`~payers.fhir.terminology.CLAIM_STATUS_EXTENSION` extension;
``outcome`` says the same in FHIR's coarser terms. ClaimResponse and PaymentReconciliation (the
whole remittance) are in :mod:`payers.sandbox.fhir_responses`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from payers.fhir.claims import CONTROL_NUMBER_SYSTEM
from payers.fhir.terminology import (
    ADJUDICATION,
    CARC,
    CLAIM_STATUS_EXTENSION,
    CLAIM_TYPE,
    CPT,
    HCPCS,
    ICD10CM,
    PAYMENT_TYPE,
    PLACE_OF_SERVICE,
    X12_ADJUSTMENT_GROUP,
    X12_CLAIM_STATUS,
    X12_CLAIM_STATUS_CATEGORY,
    X12_ENTITY,
    X12_PAYMENT_METHOD,
)
from payers.model import (
    Adjustment,
    Claim,
    ClaimPayment,
    ClaimStatus,
    Payment,
    ServiceLinePayment,
)
from payers.sandbox.fhir_members import IDENTIFIER_TYPE, insurer, member_system, patient_id
from payers.sandbox.fhir_wire import (
    coding,
    concept,
    instant,
    money,
    npi_reference,
    of_code,
    validated,
)
from payers.sandbox.world import SandboxPayerBook

CARIN_ADJUDICATION = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudication"
CARIN_DISCRIMINATOR = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudicationDiscriminator"
CARIN_IDENTIFIER_TYPE = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBIdentifierType"
CARIN_CARE_TEAM_ROLE = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBClaimCareTeamRole"
RARC = "https://x12.org/codes/remittance-advice-remark-codes"
PAYEE_TYPE = "http://terminology.hl7.org/CodeSystem/payeetype"

_CATEGORIES = {
    ("PR", "1"): (ADJUDICATION, "deductible"),
    ("PR", "2"): (CARIN_ADJUDICATION, "coinsurance"),
    ("PR", "3"): (ADJUDICATION, "copay"),
    ("OA", "23"): (CARIN_ADJUDICATION, "priorpayerpaid"),
}
_OUTCOMES = {"A": "queued", "P": "partial", "R": "partial", "F": "complete", "E": "error"}

Settlement = tuple[Payment, ClaimPayment]


def settlements(payments: Iterable[Payment]) -> dict[str, Settlement]:
    """Each paid (or denied) claim's remittance by control number (the latest; reversals aside)."""
    return {
        claim.control_number: (payment, claim)
        for payment in payments
        for claim in payment.claims
        if claim.control_number and claim.status.code != "22"
    }


def reversed_claim(claim: Claim) -> Claim:
    """``claim`` as its reversal's EOB shows it: every charge negated (CLP02 22)."""
    return replace(
        claim,
        total_charge=-claim.total_charge,
        lines=tuple(replace(line, charge=-line.charge) for line in claim.lines),
    )


def claim_identifier(book: SandboxPayerBook, payer_claim_id: str) -> dict[str, Any]:
    return {
        "type": concept(coding(CARIN_IDENTIFIER_TYPE, "uc", "Unique Claim ID")),
        "system": f"urn:sandbox-payer:{book.key}:claim",
        "value": payer_claim_id,
    }


def status_extension(status: ClaimStatus) -> dict[str, Any]:
    """The 277 STC of ``status`` as the claim status extension."""
    parts: list[dict[str, Any]] = [
        {"url": "category", "valueCoding": of_code(X12_CLAIM_STATUS_CATEGORY, status.category)}
    ]
    if status.status is not None:
        parts.append({"url": "status", "valueCoding": of_code(X12_CLAIM_STATUS, status.status)})
    if status.entity is not None:
        parts.append({"url": "entity", "valueCoding": of_code(X12_ENTITY, status.entity)})
    if status.effective_date is not None:
        parts.append({"url": "effectiveDate", "valueDate": status.effective_date.isoformat()})
    return {"url": CLAIM_STATUS_EXTENSION, "extension": parts}


def outcome_of(status: ClaimStatus) -> str:
    if status.category.code[:1] == "A" and status.category.code not in ("A0", "A1", "A2"):
        return "error"
    return _OUTCOMES.get(status.category.code[:1], "queued")


def eob(
    book: SandboxPayerBook,
    claim: Claim,
    settled: Settlement | None,
    resource_id: str | None = None,
) -> dict[str, Any]:
    """The ExplanationOfBenefit of one claim (adjudicated when ``settled``)."""
    member = book.members[claim.member_id]
    status = claim.status
    created = status.effective_date or book.today
    if settled is not None and settled[0].payment_date is not None:
        created = settled[0].payment_date
    resource: dict[str, Any] = {
        "resourceType": "ExplanationOfBenefit",
        "id": resource_id or f"eob-{(claim.payer_claim_id or claim.control_number or '').lower()}",
        "meta": {"lastUpdated": instant(created)},
        "extension": [status_extension(status)],
        "identifier": [claim_identifier(book, claim.payer_claim_id or "")],
        "status": "active",
        "type": concept(coding(CLAIM_TYPE, claim.claim_type)),
        "use": "claim",
        "patient": {"reference": f"Patient/{patient_id(member)}"},
        "created": created.isoformat(),
        "insurer": insurer(book),
        "provider": npi_reference(claim.billing_provider_npi or ""),
        "outcome": outcome_of(status),
        "insurance": [
            {
                "focal": True,
                "coverage": {
                    "reference": f"Coverage/c-{member.member_id.lower()}",
                    "identifier": {
                        "type": concept(coding(IDENTIFIER_TYPE, "MB")),
                        "system": member_system(book),
                        "value": member.member_id,
                    },
                },
            }
        ],
        "diagnosis": [
            {
                "sequence": n,
                "diagnosisCodeableConcept": concept(of_code(ICD10CM, dx)),
            }
            for n, dx in enumerate(claim.diagnoses, start=1)
        ],
    }
    if claim.service_date_from:
        resource["billablePeriod"] = {
            "start": claim.service_date_from.isoformat(),
            "end": (claim.service_date_to or claim.service_date_from).isoformat(),
        }
    if claim.control_number:
        resource["claim"] = {
            "identifier": {"system": CONTROL_NUMBER_SYSTEM, "value": claim.control_number}
        }
    if claim.rendering_provider_npi:
        resource["careTeam"] = [
            {
                "sequence": 1,
                "provider": npi_reference(claim.rendering_provider_npi),
                "role": concept(coding(CARIN_CARE_TEAM_ROLE, "performing")),
            }
        ]
    if member.order is not None:
        resource["precedence"] = member.order
    if settled is not None and settled[1].remarks:
        # The payer's remark codes, printed for the provider as process notes.
        resource["processNote"] = [
            {"number": n, "type": "display", "text": remark.description}
            for n, remark in enumerate(settled[1].remarks, start=1)
        ]
    paid_lines = settled[1].lines if settled else ()
    resource["item"] = [
        _item(claim, n, paid_lines[n] if n < len(paid_lines) else None)
        for n in range(len(claim.lines))
    ]
    totals = [amount_of(ADJUDICATION, "submitted", claim.total_charge)]
    if settled is not None:
        payment, paid = settled
        totals.append(amount_of(ADJUDICATION, "benefit", paid.paid))
        if paid.patient_responsibility is not None:
            totals.append(
                amount_of(CARIN_ADJUDICATION, "memberliability", paid.patient_responsibility)
            )
        if paid.remarks:
            resource["adjudication"] = [
                {
                    "category": concept(coding(CARIN_DISCRIMINATOR, "adjustmentreason")),
                    "reason": concept(of_code(RARC, remark)),
                }
                for remark in paid.remarks
            ]
        resource["payee"] = {
            "type": concept(coding(PAYEE_TYPE, "provider")),
            "party": npi_reference(payment.payee_npi or ""),
        }
        resource["payment"] = {
            "type": concept(
                coding(PAYMENT_TYPE, "complete", "Complete"),
                of_code(X12_PAYMENT_METHOD, payment.method),
            ),
            "date": payment.payment_date.isoformat() if payment.payment_date else None,
            "amount": money(paid.paid),
            "identifier": {"value": payment.trace_number},
        }
    resource["total"] = totals
    return validated(without_none(resource))


def _item(claim: Claim, index: int, paid: ServiceLinePayment | None) -> dict[str, Any]:
    line = claim.lines[index]
    system = HCPCS if line.procedure.code[:1].isalpha() else CPT
    item: dict[str, Any] = {
        "sequence": line.line_number,
        "diagnosisSequence": list(line.diagnosis_pointers) or None,
        "productOrService": concept(of_code(system, line.procedure)),
        "modifier": [concept(coding(system, m)) for m in line.modifiers] or None,
        "servicedDate": line.service_date.isoformat() if line.service_date else None,
        "quantity": {"value": line.units},
        "net": money(line.charge),
    }
    if claim.rendering_provider_npi:
        item["careTeamSequence"] = [1]
    if claim.place_of_service is not None:
        item["locationCodeableConcept"] = concept(of_code(PLACE_OF_SERVICE, claim.place_of_service))
    if paid is not None:
        item["adjudication"] = [
            amount_of(ADJUDICATION, "submitted", paid.charge),
            amount_of(ADJUDICATION, "eligible", paid.allowed_amount),
            amount_of(ADJUDICATION, "benefit", paid.paid),
            *(_adjustment(a) for a in paid.adjustments),
        ]
    return item


def amount_of(system: str, code: str, amount: Any) -> dict[str, Any]:
    return {"category": concept(coding(system, code)), "amount": money(amount)}


def _adjustment(adjustment: Adjustment) -> dict[str, Any]:
    group, carc = adjustment.group.code, adjustment.reason.code
    system, category = _CATEGORIES.get((group, carc), (CARIN_DISCRIMINATOR, "adjustmentreason"))
    return {
        "category": concept(
            coding(system, category), of_code(X12_ADJUSTMENT_GROUP, adjustment.group)
        ),
        "reason": concept(
            of_code(CARC, adjustment.reason), *(of_code(RARC, r) for r in adjustment.remarks)
        ),
        "amount": money(adjustment.amount),
    }


def without_none(value: Any) -> Any:
    """The resource without ``None`` members (R4B rejects explicit nulls)."""
    if isinstance(value, dict):
        return {k: without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_none(v) for v in value]
    return value
