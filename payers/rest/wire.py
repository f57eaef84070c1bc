"""JSON <-> model for the REST payer API: request bodies out, answers in.

Decoders check every field they read and raise :class:`WireError` (a ``ValueError``) naming it,
so the adapter can report a malformed answer as a protocol error instead of crashing on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
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
    CoverageLevel,
    Demographics,
    EligibilityResult,
    MemberQuery,
    Network,
    PayerExchange,
    Payment,
    Plan,
    ProviderAdjustment,
    ServiceLinePayment,
    SubmissionAck,
)
from payers.rest.coverage_wire import other_coverage
from payers.rest.fields import (
    WireError,
    codes,
    day,
    decimal,
    enum_value,
    get,
    items,
    opt_code,
    opt_day,
    opt_decimal,
    opt_text,
    strings,
    text,
)
from payers.rest.prior_payers import prior_payers_json

__all__ = ["WireError", "items"]

BENEFIT_KINDS = {
    "ACTIVE_COVERAGE": BenefitKind.ACTIVE_COVERAGE,
    "INACTIVE": BenefitKind.INACTIVE,
    "DEDUCTIBLE": BenefitKind.DEDUCTIBLE,
    "OUT_OF_POCKET_MAXIMUM": BenefitKind.OUT_OF_POCKET,
    "COPAY": BenefitKind.COPAY,
    "COINSURANCE": BenefitKind.COINSURANCE,
    "LIMITATION": BenefitKind.LIMITATION,
    "NOT_COVERED": BenefitKind.NON_COVERED,
    "BENEFIT_MAXIMUM": BenefitKind.BENEFIT_MAXIMUM,
    "CONTACT_PAYER": BenefitKind.CONTACT_FOR_INFORMATION,
}
#: CoverageLevel by value: a dict lookup costs less than calling the enum class
COVERAGE_LEVELS = {level.value: level for level in CoverageLevel}
NETWORKS = {"IN": Network.IN_NETWORK, "OUT": Network.OUT_OF_NETWORK, "BOTH": Network.BOTH}
CLAIM_STATES = {
    "SUBMITTED": ClaimState.SUBMITTED,
    "RECEIVED": ClaimState.ACKNOWLEDGED,
    "REJECTED": ClaimState.REJECTED,
    "IN_PROCESS": ClaimState.PENDING,
    "INFO_REQUESTED": ClaimState.INFORMATION_REQUESTED,
    "FINALIZED": ClaimState.FINALIZED,
    "DENIED": ClaimState.DENIED,
    "ERROR": ClaimState.ERROR,
}
#: the payer's names for the code sets in its error reasons -> ours
CODE_SETS = {
    "AAA": "aaa-reject-reason",
    "CLAIM_STATUS_CATEGORY": "claim-status-category",
    "CLAIM_STATUS": "claim-status",
}


# --- requests ----------------------------------------------------------------------------------


def member_json(member: MemberQuery) -> dict[str, Any]:
    return {
        "memberId": member.member_id,
        "firstName": member.first_name,
        "lastName": member.last_name,
        "birthDate": member.birth_date.isoformat(),
        "groupNumber": member.group_number,
        "relationship": member.relation.value.upper(),
    }


def demographics_json(who: Demographics) -> dict[str, Any]:
    return {
        "firstName": who.first_name,
        "lastName": who.last_name,
        "birthDate": who.birth_date.isoformat(),
        "gender": who.gender,
        "postalCode": who.postal_code,
    }


def submission_json(claim: ClaimSubmission, control_number: str) -> dict[str, Any]:
    return {
        "controlNumber": control_number,
        "member": member_json(claim.member),
        "billingProvider": {
            "npi": claim.billing_provider_npi,
            "taxId": claim.billing_provider_tax_id,
            "name": claim.billing_provider_name,
        },
        "renderingProviderNpi": claim.rendering_provider_npi,
        "placeOfService": claim.place_of_service,
        "frequencyCode": claim.frequency_code,
        "diagnoses": list(claim.diagnoses),
        "lines": [
            {
                "lineNumber": line.line_number,
                "procedureCode": line.procedure.code,
                "modifiers": list(line.modifiers),
                "units": str(line.units),
                "charge": str(line.charge),
                "diagnosisPointers": list(line.diagnosis_pointers),
                "serviceDate": line.service_date.isoformat() if line.service_date else None,
            }
            for line in claim.lines
        ],
        "totalCharge": str(claim.total_charge),
        "originalClaimId": claim.original_payer_claim_id,
        **prior_payers_json(claim),
    }


# --- answers -----------------------------------------------------------------------------------


def plan(data: Any) -> Plan | None:
    if data is None:
        return None
    return Plan(
        name=opt_text(data, "name"),
        group_number=opt_text(data, "groupNumber"),
        group_name=opt_text(data, "groupName"),
        plan_number=opt_text(data, "planNumber"),
        start=opt_day(data, "startDate"),
        end=opt_day(data, "endDate"),
    )


def _authorization(data: Any) -> bool | None:
    value = get(data, "authorizationRequired")
    if value is not None and not isinstance(value, bool):
        raise WireError("'authorizationRequired' must be true, false or null")
    return value


def benefit(data: Any) -> Benefit:
    level = opt_text(data, "level")
    coverage_level = COVERAGE_LEVELS.get(level.lower()) if level else None
    if level and coverage_level is None:
        raise WireError(f"'level' has an unknown value {level!r}")
    return Benefit(
        kind=enum_value(BENEFIT_KINDS, text(data, "type"), "type", BenefitKind.OTHER),
        code=lookup("benefit-kind", text(data, "code")),
        service_types=codes(data, "serviceTypes", "service-type"),
        network=enum_value(NETWORKS, opt_text(data, "network"), "network", Network.UNKNOWN),
        coverage_level=coverage_level,
        time_period=opt_code(data, "period", "time-period"),
        amount=opt_decimal(data, "amount"),
        percent=opt_decimal(data, "percent"),
        remaining=opt_decimal(data, "remaining"),
        used=opt_decimal(data, "used"),
        quantity=opt_decimal(data, "quantity"),
        quantity_unit=opt_text(data, "quantityUnit"),
        authorization_required=_authorization(data),
        plan_description=opt_text(data, "planDescription"),
        messages=strings(data, "messages"),
    )


def eligibility(
    data: Any, payer_id: str, exchange: PayerExchange | None = None
) -> EligibilityResult:
    active = get(data, "active")
    if not isinstance(active, bool):
        raise WireError("'active' must be true or false")
    return EligibilityResult(
        payer_id=payer_id,
        member_id=text(data, "memberId"),
        active=active,
        as_of=day(data, "asOf"),
        plan=plan(get(data, "plan")),
        benefits=tuple(benefit(b) for b in items(data, "benefits")),
        messages=strings(data, "messages"),
        other_coverage=tuple(other_coverage(c) for c in items(data, "otherCoverage")),
        exchange=exchange,
    )


def claim_status(data: Any, exchange: PayerExchange | None = None) -> ClaimStatus:
    return ClaimStatus(
        state=enum_value(CLAIM_STATES, text(data, "state"), "state"),
        category=lookup("claim-status-category", text(data, "category")),
        status=opt_code(data, "statusCode", "claim-status"),
        entity=opt_code(data, "entity", "entity-identifier"),
        effective_date=opt_day(data, "effectiveDate"),
        payer_claim_id=opt_text(data, "claimId"),
        control_number=opt_text(data, "controlNumber"),
        total_charge=opt_decimal(data, "totalCharge"),
        paid_amount=opt_decimal(data, "paidAmount"),
        message=opt_text(data, "message"),
        exchange=exchange,
    )


def _pointers(data: Any) -> tuple[int, ...]:
    values = items(data, "diagnosisPointers")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        raise WireError("'diagnosisPointers' must be integers")
    return tuple(values)


def _line_number(data: Any) -> int:
    value = get(data, "lineNumber")
    if not isinstance(value, int) or isinstance(value, bool):
        raise WireError("'lineNumber' must be an integer")
    return value


def claim(data: Any, payer_id: str, exchange: PayerExchange | None = None) -> Claim:
    """A claim; ``exchange`` goes on its status (passed in: ``dataclasses.replace`` afterwards costs
    more than building the claim)."""
    return Claim(
        payer_id=payer_id,
        payer_claim_id=opt_text(data, "claimId"),
        control_number=opt_text(data, "controlNumber"),
        member_id=text(data, "memberId"),
        status=claim_status(get(data, "status"), exchange),
        service_date_from=opt_day(data, "serviceDateFrom"),
        service_date_to=opt_day(data, "serviceDateTo"),
        total_charge=decimal(data, "totalCharge"),
        claim_type=opt_text(data, "claimType") or "professional",
        billing_provider_npi=opt_text(data, "billingProviderNpi"),
        rendering_provider_npi=opt_text(data, "renderingProviderNpi"),
        place_of_service=opt_code(data, "placeOfService", "place-of-service"),
        diagnoses=codes(data, "diagnoses", "icd10cm"),
        lines=tuple(
            ClaimLine(
                line_number=_line_number(line),
                procedure=lookup("procedure", text(line, "procedureCode")),
                charge=decimal(line, "charge"),
                units=opt_decimal(line, "units") or Decimal(1),
                modifiers=strings(line, "modifiers"),
                diagnosis_pointers=_pointers(line),
                service_date=opt_day(line, "serviceDate"),
                allowed_amount=opt_decimal(line, "allowedAmount"),
                paid_amount=opt_decimal(line, "paidAmount"),
            )
            for line in items(data, "lines")
        ),
        paid_amount=opt_decimal(data, "paidAmount"),
        patient_responsibility=opt_decimal(data, "patientResponsibility"),
    )


def _adjustments(data: Any) -> tuple[Adjustment, ...]:
    return tuple(
        Adjustment(
            group=lookup("adjustment-group", text(a, "group")),
            reason=lookup("carc", text(a, "reason")),
            amount=decimal(a, "amount"),
            quantity=opt_decimal(a, "quantity"),
            remarks=codes(a, "remarks", "rarc"),
        )
        for a in items(data, "adjustments")
    )


def _claim_payment(data: Any) -> ClaimPayment:
    return ClaimPayment(
        control_number=opt_text(data, "controlNumber"),
        payer_claim_id=opt_text(data, "claimId"),
        status=lookup("claim-payment-status", text(data, "status")),
        charge=decimal(data, "charge"),
        paid=decimal(data, "paid"),
        patient_responsibility=opt_decimal(data, "patientResponsibility"),
        member_id=opt_text(data, "memberId"),
        service_date_from=opt_day(data, "serviceDateFrom"),
        service_date_to=opt_day(data, "serviceDateTo"),
        adjustments=_adjustments(data),
        lines=tuple(
            ServiceLinePayment(
                procedure=lookup("procedure", text(line, "procedureCode")),
                charge=decimal(line, "charge"),
                paid=decimal(line, "paid"),
                modifiers=strings(line, "modifiers"),
                units=opt_decimal(line, "units"),
                service_date=opt_day(line, "serviceDate"),
                allowed_amount=opt_decimal(line, "allowedAmount"),
                adjustments=_adjustments(line),
                remarks=codes(line, "remarks", "rarc"),
            )
            for line in items(data, "lines")
        ),
        remarks=codes(data, "remarks", "rarc"),
    )


def payment(data: Any, payer_id: str, exchange: PayerExchange | None = None) -> Payment:
    return Payment(
        payer_id=payer_id,
        trace_number=text(data, "traceNumber"),
        method=lookup("payment-method", text(data, "method")),
        payment_date=opt_day(data, "paymentDate"),
        amount=decimal(data, "amount"),
        claims=tuple(_claim_payment(c) for c in items(data, "claims")),
        provider_adjustments=tuple(
            ProviderAdjustment(
                reason=lookup("plb-reason", text(a, "reason")),
                amount=decimal(a, "amount"),
                reference=opt_text(a, "reference"),
            )
            for a in items(data, "providerAdjustments")
        ),
        payee_npi=opt_text(data, "payeeNpi"),
        exchange=exchange,
    )


def submission_ack(data: Any, exchange: PayerExchange | None = None) -> SubmissionAck:
    accepted, duplicate = get(data, "accepted"), get(data, "duplicate") or False
    if not isinstance(accepted, bool) or not isinstance(duplicate, bool):
        raise WireError("'accepted' and 'duplicate' must be true or false")
    rejection = get(data, "rejection")
    reasons: tuple[Code, ...] = ()
    if rejection is not None:
        reasons = (
            lookup("claim-status-category", text(rejection, "category")),
            *(lookup("claim-status", code) for code in strings(rejection, "statusCodes")),
        )
    status = get(data, "status")
    return SubmissionAck(
        accepted=accepted,
        control_number=text(data, "controlNumber"),
        payer_claim_id=opt_text(data, "claimId"),
        status=claim_status(status) if status is not None else None,
        reasons=reasons,
        duplicate=duplicate,
        exchange=exchange,
    )


def error_body(data: Any) -> tuple[str | None, str | None, tuple[tuple[Code, str | None], ...]]:
    """(code, message, reasons with follow-up) of an error answer; Nones if it has no such shape."""
    error = data.get("error") if isinstance(data, Mapping) else None
    if not isinstance(error, Mapping):
        return None, None, ()
    code = error.get("code") if isinstance(error.get("code"), str) else None
    message = error.get("message") if isinstance(error.get("message"), str) else None
    reasons = []
    for reason in error.get("reasons") or ():
        if not isinstance(reason, Mapping) or not isinstance(reason.get("code"), str):
            continue
        system = CODE_SETS.get(str(reason.get("codeSet")))
        if system is None:  # a code set we do not know: keep the payer's words
            found = Code(
                str(reason.get("codeSet")), reason["code"], str(reason.get("description") or "")
            )
        else:
            found = lookup(system, reason["code"])
        follow_up = reason.get("followUp") if isinstance(reason.get("followUp"), str) else None
        reasons.append((found, follow_up))
    return code, message, tuple(reasons)
