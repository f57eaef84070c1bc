"""The earlier payers' adjudication in a REST claim body: ``responsibility`` and ``priorPayers``.

Amounts and quantities are decimal strings, dates ISO dates, codes bare (group, CARC, procedure)::

    "responsibility": "S",
    "priorPayers": [{"payerId": "60054", "payerName": "AETNA", "memberId": "W1", "responsibility": "P",
                     "paid": "98.40", "patientResponsibility": "30.00", "adjudicationDate": "2025-03-20",
                     "claimId": "AET1", "adjustments": [{"group": "CO", "reason": "45", "amount": "45.00"}],
                     "lines": [{"lineNumber": 1, "procedureCode": "99214", "modifiers": ["25"],
                                "paid": "80.00", "paidUnits": "1", "adjudicationDate": "2025-03-20",
                                "adjustments": [...]}]}]
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from payers.model import Adjustment, ClaimSubmission, PriorPayerAdjudication


def prior_payers_json(claim: ClaimSubmission) -> dict[str, Any]:
    """The members a claim body gets for the payer's responsibility and the earlier payers."""
    return {
        "responsibility": claim.responsibility,
        "priorPayers": [prior_payer_json(p) for p in claim.prior_payers],
    }


def prior_payer_json(prior: PriorPayerAdjudication) -> dict[str, Any]:
    return {
        "payerId": prior.payer_id,
        "payerName": prior.payer_name,
        "memberId": prior.member_id,
        "responsibility": prior.responsibility,
        "paid": str(prior.paid),
        "patientResponsibility": _text(prior.patient_responsibility),
        "adjudicationDate": prior.adjudication_date.isoformat(),
        "claimId": prior.payer_claim_id,
        "adjustments": [adjustment_json(a) for a in prior.adjustments],
        "lines": [
            {
                "lineNumber": line.line_number,
                "procedureCode": line.procedure.code,
                "modifiers": list(line.modifiers),
                "paid": str(line.paid),
                "paidUnits": _text(line.paid_units),
                "adjudicationDate": line.adjudication_date.isoformat()
                if line.adjudication_date
                else None,
                "adjustments": [adjustment_json(a) for a in line.adjustments],
            }
            for line in prior.lines
        ],
    }


def adjustment_json(adjustment: Adjustment) -> dict[str, Any]:
    return {
        "group": adjustment.group.code,
        "reason": adjustment.reason.code,
        "amount": str(adjustment.amount),
        "quantity": _text(adjustment.quantity),
        "remarks": [r.code for r in adjustment.remarks],
    }


def _text(value: Decimal | None) -> str | None:
    return str(value) if value is not None else None
