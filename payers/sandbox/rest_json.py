"""The JSON shapes of the REST sandbox payer: model objects out, claim submissions in.

Money is a decimal string ("125.40"), dates are ISO, coded values are their X12 code strings
(service types, CARC, RARC, 277 categories...), field names are camelCase.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from payers.codesets import lookup
from payers.model import (
    Adjustment,
    Benefit,
    BenefitKind,
    Claim,
    ClaimLine,
    ClaimPayment,
    ClaimState,
    ClaimStatus,
    ClaimSubmission,
    Code,
    DiscoveredCoverage,
    EligibilityResult,
    MemberQuery,
    Network,
    Payment,
    Plan,
    ServiceLinePayment,
    SubmissionAck,
    SubscriberRelation,
)
from payers.rest.coverage_wire import other_coverage_json, person_json
from payers.sandbox.prior_payers_wire import with_rest_prior_payers

BENEFIT_TYPES = {
    BenefitKind.ACTIVE_COVERAGE: "ACTIVE_COVERAGE",
    BenefitKind.INACTIVE: "INACTIVE",
    BenefitKind.DEDUCTIBLE: "DEDUCTIBLE",
    BenefitKind.OUT_OF_POCKET: "OUT_OF_POCKET_MAXIMUM",
    BenefitKind.COPAY: "COPAY",
    BenefitKind.COINSURANCE: "COINSURANCE",
    BenefitKind.LIMITATION: "LIMITATION",
    BenefitKind.NON_COVERED: "NOT_COVERED",
    BenefitKind.BENEFIT_MAXIMUM: "BENEFIT_MAXIMUM",
    BenefitKind.CONTACT_FOR_INFORMATION: "CONTACT_PAYER",
    BenefitKind.OTHER: "OTHER",
}
NETWORKS = {Network.IN_NETWORK: "IN", Network.OUT_OF_NETWORK: "OUT", Network.BOTH: "BOTH"}
CLAIM_STATES = {
    ClaimState.SUBMITTED: "SUBMITTED",
    ClaimState.ACKNOWLEDGED: "RECEIVED",
    ClaimState.REJECTED: "REJECTED",
    ClaimState.PENDING: "IN_PROCESS",
    ClaimState.INFORMATION_REQUESTED: "INFO_REQUESTED",
    ClaimState.FINALIZED: "FINALIZED",
    ClaimState.DENIED: "DENIED",
    ClaimState.ERROR: "ERROR",
}


class BadRequest(ValueError):
    """The request body does not have the documented shape."""


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _code(code: Code | None) -> str | None:
    return None if code is None else code.code


def plan_json(plan: Plan | None) -> dict[str, Any] | None:
    if plan is None:
        return None
    return {
        "name": plan.name,
        "groupNumber": plan.group_number,
        "groupName": plan.group_name,
        "planNumber": plan.plan_number,
        "startDate": _day(plan.start),
        "endDate": _day(plan.end),
    }


def benefit_json(b: Benefit) -> dict[str, Any]:
    return {
        "type": BENEFIT_TYPES[b.kind],
        "code": b.code.code,
        "serviceTypes": [st.code for st in b.service_types],
        "network": NETWORKS.get(b.network),
        "level": b.coverage_level.value.upper() if b.coverage_level else None,
        "period": _code(b.time_period),
        "amount": _money(b.amount),
        "percent": _money(b.percent),
        "remaining": _money(b.remaining),
        "used": _money(b.used),
        "quantity": _money(b.quantity),
        "quantityUnit": b.quantity_unit,
        "authorizationRequired": b.authorization_required,
        "planDescription": b.plan_description,
        "messages": list(b.messages),
    }


def eligibility_json(result: EligibilityResult) -> dict[str, Any]:
    return {
        "memberId": result.member_id,
        "active": result.active,
        "asOf": _day(result.as_of),
        "plan": plan_json(result.plan),
        "benefits": [benefit_json(b) for b in result.benefits],
        "messages": list(result.messages),
        "otherCoverage": [other_coverage_json(o) for o in result.other_coverage],
    }


def status_json(s: ClaimStatus) -> dict[str, Any]:
    return {
        "state": CLAIM_STATES[s.state],
        "category": s.category.code,
        "statusCode": _code(s.status),
        "entity": _code(s.entity),
        "effectiveDate": _day(s.effective_date),
        "claimId": s.payer_claim_id,
        "controlNumber": s.control_number,
        "totalCharge": _money(s.total_charge),
        "paidAmount": _money(s.paid_amount),
        "message": s.message,
    }


def claim_json(c: Claim) -> dict[str, Any]:
    return {
        "claimId": c.payer_claim_id,
        "controlNumber": c.control_number,
        "memberId": c.member_id,
        "claimType": c.claim_type,
        "status": status_json(c.status),
        "serviceDateFrom": _day(c.service_date_from),
        "serviceDateTo": _day(c.service_date_to),
        "totalCharge": _money(c.total_charge),
        "billingProviderNpi": c.billing_provider_npi,
        "renderingProviderNpi": c.rendering_provider_npi,
        "placeOfService": _code(c.place_of_service),
        "diagnoses": [d.code for d in c.diagnoses],
        "lines": [
            {
                "lineNumber": line.line_number,
                "procedureCode": line.procedure.code,
                "modifiers": list(line.modifiers),
                "units": _money(line.units),
                "charge": _money(line.charge),
                "diagnosisPointers": list(line.diagnosis_pointers),
                "serviceDate": _day(line.service_date),
                "allowedAmount": _money(line.allowed_amount),
                "paidAmount": _money(line.paid_amount),
            }
            for line in c.lines
        ],
        "paidAmount": _money(c.paid_amount),
        "patientResponsibility": _money(c.patient_responsibility),
    }


def _adjustment_json(a: Adjustment) -> dict[str, Any]:
    return {
        "group": a.group.code,
        "reason": a.reason.code,
        "amount": _money(a.amount),
        "quantity": _money(a.quantity),
        "remarks": [r.code for r in a.remarks],
    }


def _service_line_json(s: ServiceLinePayment) -> dict[str, Any]:
    return {
        "procedureCode": s.procedure.code,
        "modifiers": list(s.modifiers),
        "units": _money(s.units),
        "serviceDate": _day(s.service_date),
        "charge": _money(s.charge),
        "allowedAmount": _money(s.allowed_amount),
        "paid": _money(s.paid),
        "adjustments": [_adjustment_json(a) for a in s.adjustments],
        "remarks": [r.code for r in s.remarks],
    }


def _claim_payment_json(c: ClaimPayment) -> dict[str, Any]:
    return {
        "claimId": c.payer_claim_id,
        "controlNumber": c.control_number,
        "memberId": c.member_id,
        "status": c.status.code,
        "charge": _money(c.charge),
        "paid": _money(c.paid),
        "patientResponsibility": _money(c.patient_responsibility),
        "serviceDateFrom": _day(c.service_date_from),
        "serviceDateTo": _day(c.service_date_to),
        "adjustments": [_adjustment_json(a) for a in c.adjustments],
        "lines": [_service_line_json(s) for s in c.lines],
        "remarks": [r.code for r in c.remarks],
    }


def payment_json(p: Payment) -> dict[str, Any]:
    return {
        "traceNumber": p.trace_number,
        "method": p.method.code,
        "paymentDate": _day(p.payment_date),
        "amount": _money(p.amount),
        "payeeNpi": p.payee_npi,
        "claims": [_claim_payment_json(c) for c in p.claims],
        "providerAdjustments": [
            {"reason": a.reason.code, "amount": _money(a.amount), "reference": a.reference}
            for a in p.provider_adjustments
        ],
    }


def ack_json(ack: SubmissionAck) -> dict[str, Any]:
    reasons = None
    if ack.reasons:
        reasons = {
            "category": ack.reasons[0].code,
            "statusCodes": [code.code for code in ack.reasons[1:]],
        }
    return {
        "accepted": ack.accepted,
        "duplicate": ack.duplicate,
        "controlNumber": ack.control_number,
        "claimId": ack.payer_claim_id,
        "status": status_json(ack.status) if ack.status else None,
        "rejection": reasons,
    }


def coverage_json(c: DiscoveredCoverage) -> dict[str, Any]:
    return {
        "memberId": c.member_id,
        "plan": plan_json(c.plan),
        "relationship": c.relation.value.upper(),
        "person": person_json(c.person),
    }


# --- requests ----------------------------------------------------------------------------------


def field(
    data: Any, name: str, kind: type | tuple[type, ...] = str, *, required: bool = True
) -> Any:
    """``data[name]`` checked against ``kind``; ``BadRequest`` names the field."""
    if not isinstance(data, dict):
        raise BadRequest("expected a JSON object")
    value = data.get(name)
    if value is None:
        if required:
            raise BadRequest(f"{name} is required")
        return None
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise BadRequest(f"{name} has the wrong type")
    return value


def parse_date(data: Any, name: str, *, required: bool = True) -> date | None:
    text = field(data, name, required=required)
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise BadRequest(f"{name} must be an ISO date") from exc


def parse_money(data: Any, name: str) -> Decimal:
    try:
        return Decimal(field(data, name))
    except InvalidOperation as exc:
        raise BadRequest(f"{name} must be a decimal string") from exc


def parse_member(data: Any) -> MemberQuery:
    relation = field(data, "relationship", required=False) or "SELF"
    try:
        relation_value = SubscriberRelation(relation.lower())
    except ValueError as exc:
        raise BadRequest("relationship must be SELF, SPOUSE, CHILD or OTHER") from exc
    return MemberQuery(
        member_id=field(data, "memberId"),
        first_name=field(data, "firstName"),
        last_name=field(data, "lastName"),
        birth_date=parse_date(data, "birthDate"),  # type: ignore[arg-type]
        group_number=field(data, "groupNumber", required=False),
        relation=relation_value,
    )


def parse_submission(data: Any) -> tuple[str, ClaimSubmission]:
    """The control number and claim of a ``POST /v1/claims`` body."""
    provider = field(data, "billingProvider", dict)
    lines = []
    for number, line in enumerate(field(data, "lines", list), start=1):
        pointers = field(line, "diagnosisPointers", list, required=False) or []
        if not all(isinstance(p, int) and not isinstance(p, bool) for p in pointers):
            raise BadRequest("diagnosisPointers must be integers")
        lines.append(
            ClaimLine(
                line_number=field(line, "lineNumber", int, required=False) or number,
                procedure=lookup("procedure", field(line, "procedureCode")),
                charge=parse_money(line, "charge"),
                units=Decimal(field(line, "units", required=False) or "1"),
                modifiers=tuple(field(line, "modifiers", list, required=False) or ()),
                diagnosis_pointers=tuple(pointers),
                service_date=parse_date(line, "serviceDate"),
            )
        )
    claim = ClaimSubmission(
        member=parse_member(field(data, "member", dict)),
        billing_provider_npi=field(provider, "npi"),
        billing_provider_tax_id=field(provider, "taxId"),
        billing_provider_name=field(provider, "name"),
        rendering_provider_npi=field(data, "renderingProviderNpi", required=False),
        place_of_service=field(data, "placeOfService"),
        frequency_code=field(data, "frequencyCode", required=False) or "1",
        diagnoses=tuple(field(data, "diagnoses", list)),
        lines=tuple(lines),
        total_charge=parse_money(data, "totalCharge"),
        original_payer_claim_id=field(data, "originalClaimId", required=False),
    )
    claim = with_rest_prior_payers(data, claim, BadRequest)
    return field(data, "controlNumber"), claim
