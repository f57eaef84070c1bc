"""CoverageEligibilityRequest out, CoverageEligibilityResponse in (eligibility and benefits).

The request carries the member as a *contained* Patient (member id, name, birth date) and a
contained Coverage (subscriberId = member id, group class, relationship), because the gateway
does not know the payer's resource ids; ``item.category`` holds each X12 service type code in the
HL7 benefit-category system (which reuses the X12 codes).

Response: ``insurance.inforce`` -> active; each ``insurance.item`` -> one :class:`Benefit` per
``item.benefit`` (an item without benefits but with a category states coverage, inactive coverage
when not in force, or non-coverage when ``excluded``). benefit.type -> :class:`BenefitKind`: an X12
EB01 coding (system :data:`~payers.fhir.terminology.X12_BENEFIT_KIND`) when the payer states one,
else the HL7 type (:data:`BENEFIT_KINDS`); the benefit's code is always the EB01 code when the kind
has one. ``item.network`` reads HL7 ``in``/``out`` and X12 EB12 ``Y``/``N``/``W`` (both);
``item.term`` prefers an X12 EB06 coding. ``allowedMoney`` -> amount, ``usedMoney`` -> used,
remaining = allowed - used when both are stated; ``allowedUnsignedInt`` -> quantity (``visit``: in
visits), except on coinsurance (``*-percent`` types) where it is a percentage (20 -> 0.20);
``allowedString`` and a non-USD currency become messages. The contained Coverage names the plan
(with its type, network, dependent number and classes) and its ``costToBeneficiary`` adds benefits.

Errors: a response with ``error`` entries and no insurance (or ``outcome = error`` and no
insurance) raises :class:`EligibilityRejected` with the error codes (the adapter turns it into a
contract error). Errors *beside* insurance items are the payer's reasons on a result that still
carries the coverage and benefits: each becomes a :data:`PAYER_ERROR_FINDING` warning (its code,
and ``error[i].expression`` as the location when stated).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from payers.codesets import lookup
from payers.fhir.adjudication import reason_codes
from payers.fhir.coverage import other_payor, read_coverage
from payers.fhir.resources import ParsedResource, parse_resource
from payers.fhir.terminology import (
    BENEFIT_CATEGORY,
    BENEFIT_TERM,
    BENEFIT_TYPE,
    COVERAGE_CLASS,
    SUBSCRIBER_RELATIONSHIP,
    X12_BENEFIT_KIND,
    X12_TIME_PERIOD,
    as_date,
    codings,
    currency,
    fhir_code,
    first_code,
    money,
    service_type,
    x12_code,
)
from payers.model import (
    Benefit,
    BenefitKind,
    Code,
    CoverageLevel,
    EligibilityResult,
    Finding,
    MemberQuery,
    Network,
    OtherCoverage,
    Plan,
)

BENEFIT_KINDS = {
    "benefit": BenefitKind.BENEFIT_MAXIMUM,
    "deductible": BenefitKind.DEDUCTIBLE,
    "copay": BenefitKind.COPAY,
    "copay-percent": BenefitKind.COINSURANCE,
    "coinsurance": BenefitKind.COINSURANCE,
    "copay-maximum": BenefitKind.OUT_OF_POCKET,
    "out-of-pocket": BenefitKind.OUT_OF_POCKET,
    "visit": BenefitKind.LIMITATION,
    "room": BenefitKind.LIMITATION,
    "limitation": BenefitKind.LIMITATION,
}
#: X12 EB01 codes of the benefit kinds, both ways (a payer may state EB01 next to the HL7 type).
EB01_KINDS = {
    "1": BenefitKind.ACTIVE_COVERAGE,
    "6": BenefitKind.INACTIVE,
    "A": BenefitKind.COINSURANCE,
    "B": BenefitKind.COPAY,
    "C": BenefitKind.DEDUCTIBLE,
    "F": BenefitKind.LIMITATION,
    "G": BenefitKind.OUT_OF_POCKET,
    "I": BenefitKind.NON_COVERED,
}
KIND_EB01 = {kind: code for code, kind in EB01_KINDS.items()}
#: HL7 benefit-network codes, and X12 EB12 (Y in, N out, W both: "not applicable", U unknown).
_NETWORKS = {
    "in": Network.IN_NETWORK,
    "out": Network.OUT_OF_NETWORK,
    "Y": Network.IN_NETWORK,
    "N": Network.OUT_OF_NETWORK,
    "W": Network.BOTH,
    "U": Network.UNKNOWN,
}
PERCENT_PLACES = Decimal("0.01")  # a whole percentage as a fraction: 20 -> 0.20, as X12 EB08 says
#: What an ``allowedUnsignedInt`` counts, by HL7 benefit type.
_QUANTITY_UNITS = {"visit": "visits", "room": "days"}
_UNITS = {"individual": CoverageLevel.INDIVIDUAL, "family": CoverageLevel.FAMILY}
PAYER_ERROR_FINDING = "FHIR_ELIGIBILITY_PAYER_ERROR"


class EligibilityRejected(Exception):
    """The payer answered ``outcome = error``; ``codes`` are its error codes."""

    def __init__(self, codes: tuple[Code, ...], disposition: str | None) -> None:
        super().__init__(disposition or "eligibility request rejected")
        self.codes = codes
        self.disposition = disposition


def build_request(
    member: MemberQuery,
    service_types: Sequence[str],
    as_of: date,
    *,
    insurer: dict[str, Any],
    provider_npi: str | None = None,
    created: date | None = None,
) -> dict[str, Any]:
    """A validated CoverageEligibilityRequest (JSON-ready dict) for one member and date."""
    patient = {
        "resourceType": "Patient",
        "id": "patient",
        "identifier": [{"type": {"coding": [{"code": "MB"}]}, "value": member.member_id}],
        "name": [{"family": member.last_name, "given": [member.first_name]}],
        "birthDate": member.birth_date.isoformat(),
    }
    coverage: dict[str, Any] = {
        "resourceType": "Coverage",
        "id": "coverage",
        "status": "active",
        "subscriberId": member.member_id,
        "beneficiary": {"reference": "#patient"},
        "relationship": {
            "coding": [{"system": SUBSCRIBER_RELATIONSHIP, "code": member.relation.value}]
        },
        "payor": [insurer],
    }
    if member.group_number:
        coverage["class"] = [
            {
                "type": {"coding": [{"system": COVERAGE_CLASS, "code": "group"}]},
                "value": member.group_number,
            }
        ]
    request: dict[str, Any] = {
        "resourceType": "CoverageEligibilityRequest",
        "contained": [patient, coverage],
        "status": "active",
        "purpose": ["validation", "benefits"],
        "patient": {"reference": "#patient"},
        "servicedDate": as_of.isoformat(),
        "created": (created or as_of).isoformat(),
        "insurer": insurer,
        "insurance": [{"focal": True, "coverage": {"reference": "#coverage"}}],
        "item": [
            {"category": {"coding": [{"system": BENEFIT_CATEGORY, "code": code}]}}
            for code in service_types
        ],
    }
    if provider_npi:
        request["provider"] = {
            "identifier": {"system": "http://hl7.org/fhir/sid/us-npi", "value": provider_npi}
        }
    if not request["item"]:
        del request["item"]
    parse_resource(request, ("CoverageEligibilityRequest",))  # what we send must be valid R4
    return request


def read_response(
    parsed: ParsedResource[Any], payer_id: str, member_id: str, as_of: date
) -> EligibilityResult:
    """An EligibilityResult, or :class:`EligibilityRejected` when the payer answered with errors."""
    response = parsed.resource
    if (response.outcome == "error" or response.error) and not response.insurance:
        raise EligibilityRejected(
            reason_codes(e.code for e in response.error or ()), response.disposition
        )
    contained = {r.id: r for r in response.contained or ()}
    plan: Plan | None = None
    benefits: list[Benefit] = []
    others: list[OtherCoverage] = []
    card: tuple[Benefit, ...] = ()
    active = False
    for insurance in response.insurance or ():
        target = contained.get(str(insurance.coverage.reference or "").lstrip("#"))
        other = other_payor(target, response.insurer) if target is not None else None
        if other is not None:  # another payer's coverage the payer knows of: a COB hint
            others.append(other)
            continue
        active = active or bool(insurance.inforce)
        if plan is None and target is not None:
            record = read_coverage(target)
            plan = record.plan
            card = record.benefits  # the card's cost sharing, after the payer's items
        if plan is None and insurance.benefitPeriod is not None:
            plan = Plan(
                start=as_date(insurance.benefitPeriod.start),
                end=as_date(insurance.benefitPeriod.end),
            )
        for item in insurance.item or ():
            benefits.extend(_item_benefits(item, bool(insurance.inforce)))
    return EligibilityResult(
        payer_id=payer_id,
        member_id=member_id,
        active=active,
        as_of=as_date(response.servicedDate)
        or as_date(response.servicedPeriod.start if response.servicedPeriod else None)
        or as_of,
        plan=plan,
        benefits=(*benefits, *card),
        messages=tuple(m for m in (response.disposition,) if m),
        other_coverage=tuple(others),
        findings=_payer_errors(response),
    )


def _payer_errors(response: Any) -> tuple[Finding, ...]:
    """The payer's error entries beside its insurance items, as warnings on the result."""
    findings = []
    for index, error in enumerate(response.error or ()):
        for code in reason_codes((error.code,)) or (Code("unspecified", "", "no code"),):
            expressions = [str(e) for e in getattr(error, "expression", None) or ()]
            findings.append(
                Finding(
                    code=PAYER_ERROR_FINDING,
                    message=f"the payer reported error {code.code} ({code.description}) "
                    "beside its coverage answer",
                    location=", ".join(expressions)
                    or f"CoverageEligibilityResponse.error[{index}]",
                )
            )
    return tuple(findings)


def _item_benefits(item: Any, inforce: bool) -> list[Benefit]:
    categories = tuple(service_type(c) for c in codings(item.category))
    common: dict[str, Any] = {
        "service_types": categories,
        "network": _NETWORKS.get(first_code(item.network) or "", Network.UNKNOWN),
        "coverage_level": _UNITS.get(first_code(item.unit) or ""),
        "time_period": x12_code(item.term, X12_TIME_PERIOD, "time-period")
        or next((fhir_code(c, BENEFIT_TERM) for c in codings(item.term)), None),
        "authorization_required": item.authorizationRequired,
        "plan_description": item.name,
        "messages": tuple(m for m in (item.description,) if m),
    }
    if item.excluded or not item.benefit:
        if item.excluded:
            kind = BenefitKind.NON_COVERED
        else:
            kind = BenefitKind.ACTIVE_COVERAGE if inforce else BenefitKind.INACTIVE
        code = lookup("benefit-kind", KIND_EB01[kind])
        return [Benefit(kind=kind, code=code, **common)] if categories else []
    return [_benefit(entry, common) for entry in item.benefit]


def _benefit(entry: Any, common: dict[str, Any]) -> Benefit:
    eb01 = x12_code(entry.type, X12_BENEFIT_KIND, "benefit-kind")
    type_coding = next(
        (c for c in codings(entry.type) if str(c.system or "") != X12_BENEFIT_KIND), None
    )
    type_code = str(type_coding.code) if type_coding else "other"
    kind = EB01_KINDS.get(eb01.code) if eb01 else None
    kind = kind or BENEFIT_KINDS.get(type_code, BenefitKind.OTHER)
    if eb01 is not None:
        code = eb01
    elif kind in KIND_EB01:
        code = lookup("benefit-kind", KIND_EB01[kind])
    elif type_coding is not None:
        code = fhir_code(type_coding, BENEFIT_TYPE)
    else:
        code = Code(BENEFIT_TYPE, "other", "other")
    allowed, used = money(entry.allowedMoney), money(entry.usedMoney)
    percent = quantity = None
    quantity_unit = None
    if entry.allowedUnsignedInt is not None:
        if type_code.endswith("-percent") or kind is BenefitKind.COINSURANCE:
            percent = (Decimal(entry.allowedUnsignedInt) / 100).quantize(PERCENT_PLACES)
        else:
            quantity = Decimal(entry.allowedUnsignedInt)
            quantity_unit = _QUANTITY_UNITS.get(type_code)
    messages = list(common["messages"])
    if entry.allowedString:
        messages.append(f"allowed: {entry.allowedString}")
    if entry.usedUnsignedInt is not None:
        messages.append(f"used: {entry.usedUnsignedInt}")
    if entry.usedString:
        messages.append(f"used: {entry.usedString}")
    for value in (entry.allowedMoney, entry.usedMoney):
        unit = currency(value)
        if unit and unit != "USD" and f"amounts in {unit}" not in messages:
            messages.append(f"amounts in {unit}")
    return Benefit(
        kind=kind,
        code=code,
        amount=allowed,
        percent=percent,
        used=used,
        remaining=allowed - used if allowed is not None and used is not None else None,
        quantity=quantity,
        quantity_unit=quantity_unit,
        **{**common, "messages": tuple(messages)},
    )
