"""The earlier payers' adjudication on a FHIR R4 Claim, for a secondary or tertiary claim.

``Claim.insurance`` lists every coverage in order of responsibility: sequence 1 the primary, 2 the
secondary, 3 the tertiary. The payer billed is the ``focal`` entry; each earlier payer's entry
(``focal`` false) names a contained Coverage (its member id and the payer) and, in ``claimResponse``,
a contained ClaimResponse with what that payer decided: per item ``submitted``/``eligible``/
``benefit`` and one adjudication per CAS adjustment (category: ``deductible``/``copay`` or CARIN's
``coinsurance``/``adjustmentreason``, plus the X12 group code; reason: the CARC; ``value``: its
quantity), claim-level adjustments in ``adjudication``, totals ``benefit`` and ``memberliability``,
``payment`` (amount and date: the adjudication date) and the payer's claim number as ``identifier``.
Paid units travel as an adjudication of category :data:`PAID_UNITS` (R4 has no element for them).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from payers.fhir.terminology import (
    ADJUDICATION,
    CARC,
    CLAIM_TYPE,
    SUBSCRIBER_RELATIONSHIP,
    X12_ADJUSTMENT_GROUP,
)
from payers.model import Adjustment, ClaimLine, ClaimSubmission, PriorPayerAdjudication

CARIN_ADJUDICATION = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudication"
CARIN_DISCRIMINATOR = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudicationDiscriminator"
PAYER_ID_SYSTEM = "urn:payer-gateway:payer-id"
PRIOR_CLAIM_SYSTEM = "urn:payer-gateway:prior-payer-claim-number"
GATEWAY_ADJUDICATION = "urn:payer-gateway:adjudication"
PAID_UNITS = "paidunits"
RESPONSIBILITY_ORDER = "PST"  # insurance sequence 1, 2, 3

#: Adjustments FHIR has a category of its own for (the rest are CARIN ``adjustmentreason``).
CATEGORIES = {
    ("PR", "1"): (ADJUDICATION, "deductible"),
    ("PR", "2"): (CARIN_ADJUDICATION, "coinsurance"),
    ("PR", "3"): (ADJUDICATION, "copay"),
}


def sequence_of(responsibility: str) -> int:
    """Claim.insurance sequence of a payer with SBR01 ``responsibility`` (P 1, S 2, T 3)."""
    return RESPONSIBILITY_ORDER.index(responsibility) + 1


def insurance_entries(
    claim: ClaimSubmission, contained: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The Claim's insurance list; adds each earlier payer's Coverage and ClaimResponse to
    ``contained``."""
    entries = [
        {
            "sequence": sequence_of(claim.responsibility),
            "focal": True,
            "coverage": {"reference": "#coverage"},
        }
    ]
    charges = {line.line_number: line for line in claim.lines}
    for n, prior in enumerate(claim.prior_payers, start=1):
        coverage_id, response_id = f"prior-coverage-{n}", f"prior-response-{n}"
        contained.append(_coverage(coverage_id, prior))
        contained.append(_claim_response(response_id, prior, charges))
        entries.append(
            {
                "sequence": sequence_of(prior.responsibility),
                "focal": False,
                "coverage": {"reference": f"#{coverage_id}"},
                "claimResponse": {"reference": f"#{response_id}"},
            }
        )
    return sorted(entries, key=lambda entry: entry["sequence"])


def payer_reference(prior: PriorPayerAdjudication) -> dict[str, Any]:
    return {
        "identifier": {"system": PAYER_ID_SYSTEM, "value": prior.payer_id},
        "display": prior.payer_name,
    }


def _coverage(resource_id: str, prior: PriorPayerAdjudication) -> dict[str, Any]:
    return {
        "resourceType": "Coverage",
        "id": resource_id,
        "status": "active",
        "subscriberId": prior.member_id,
        "beneficiary": {"reference": "#patient"},
        "relationship": {"coding": [{"system": SUBSCRIBER_RELATIONSHIP, "code": "self"}]},
        "payor": [payer_reference(prior)],
    }


def _claim_response(
    resource_id: str, prior: PriorPayerAdjudication, lines: dict[int, ClaimLine]
) -> dict[str, Any]:
    day = prior.adjudication_date.isoformat()
    response: dict[str, Any] = {
        "resourceType": "ClaimResponse",
        "id": resource_id,
        "status": "active",
        "type": {"coding": [{"system": CLAIM_TYPE, "code": "professional"}]},
        "use": "claim",
        "patient": {"reference": "#patient"},
        "created": day,
        "insurer": payer_reference(prior),
        "outcome": "complete",
        "total": [_amount(ADJUDICATION, "benefit", prior.paid)],
        "payment": {
            "type": {"coding": [{"code": "complete"}]},
            "date": day,
            "amount": {"value": prior.paid, "currency": "USD"},
        },
    }
    if prior.payer_claim_id:
        response["identifier"] = [{"system": PRIOR_CLAIM_SYSTEM, "value": prior.payer_claim_id}]
    if prior.patient_responsibility is not None:
        response["total"].append(
            _amount(CARIN_ADJUDICATION, "memberliability", prior.patient_responsibility)
        )
    if prior.adjustments:
        response["adjudication"] = [adjustment_json(a) for a in prior.adjustments]
    items = []
    for line in prior.lines:
        billed = lines[line.line_number]
        patient = sum((a.amount for a in line.adjustments if a.group.code == "PR"), Decimal(0))
        entries = [
            _amount(ADJUDICATION, "submitted", billed.charge),
            _amount(ADJUDICATION, "eligible", line.paid + patient),
            _amount(ADJUDICATION, "benefit", line.paid),
            *(adjustment_json(a) for a in line.adjustments),
        ]
        if line.paid_units is not None:
            entries.append(
                {
                    "category": {"coding": [{"system": GATEWAY_ADJUDICATION, "code": PAID_UNITS}]},
                    "value": line.paid_units,
                }
            )
        items.append({"itemSequence": line.line_number, "adjudication": entries})
    if items:
        response["item"] = items
    return response


def _amount(system: str, code: str, amount: Decimal) -> dict[str, Any]:
    return {
        "category": {"coding": [{"system": system, "code": code}]},
        "amount": {"value": amount, "currency": "USD"},
    }


def adjustment_json(adjustment: Adjustment) -> dict[str, Any]:
    """One CAS adjustment as an adjudication: category + X12 group, CARC reason, amount."""
    group, carc = adjustment.group.code, adjustment.reason.code
    system, category = CATEGORIES.get((group, carc), (CARIN_DISCRIMINATOR, "adjustmentreason"))
    entry: dict[str, Any] = {
        "category": {
            "coding": [
                {"system": system, "code": category},
                {"system": X12_ADJUSTMENT_GROUP, "code": group},
            ]
        },
        "reason": {
            "coding": [
                {"system": CARC, "code": carc, "display": adjustment.reason.description[:250]}
            ]
        },
        "amount": {"value": adjustment.amount, "currency": "USD"},
    }
    if adjustment.quantity is not None:
        entry["value"] = adjustment.quantity
    return entry
