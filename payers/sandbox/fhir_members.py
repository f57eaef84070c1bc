"""The FHIR sandbox payer's members and benefits: Patient, Coverage, CoverageEligibilityResponse.

A benefit line of the book becomes one ``insurance.item`` with one ``benefit`` (or none, for active
or inactive coverage and, with ``excluded``, for a non-covered service). Where FHIR has an HL7 code
(benefit type ``deductible``/``copay``/``copay-percent``/``visit``, network ``in``/``out``, unit,
term ``annual``) it is sent; the X12 code the benefit carries (EB01 kind, EB06 time period, EB12
network, with ``W`` for "both") is sent next to it, as payers bridging from X12 do, so nothing of
the book is lost. Coinsurance travels as a whole percentage (``allowedUnsignedInt``).

The Coverage also states what a card prints (fictitious): its type (HIP), the payer's network, the
dependent number (01 the subscriber, 02 anyone else), the pharmacy classes (rxbin, rxpcn,
rxgroup) next to group and plan, and, in an eligibility response, the in-network office, urgent
care and emergency copays of the answer as ``costToBeneficiary``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from payers.fhir.terminology import (
    AAA_REJECT_REASON,
    BENEFIT_CATEGORY,
    BENEFIT_TERM,
    BENEFIT_TYPE,
    COVERAGE_CLASS,
    SUBSCRIBER_RELATIONSHIP,
    X12_BENEFIT_KIND,
    X12_NETWORK,
    X12_TIME_PERIOD,
)
from payers.model import (
    Benefit,
    BenefitKind,
    Code,
    CoverageLevel,
    EligibilityResult,
    Network,
    OtherCoverage,
    Plan,
    SubscriberRelation,
)
from payers.sandbox.fhir_wire import coding, concept, money, of_code, validated
from payers.sandbox.world import SandboxMember, SandboxPayerBook

IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
COPAY_TYPE = "http://terminology.hl7.org/CodeSystem/coverage-copay-type"
SANDBOX_RX_BIN = "999001"  # fictitious: no real BIN starts with 999
#: The service types a card prints a copay for, as HL7 coverage-copay-type codes.
CARD_COPAYS = {"98": "gpvisit", "UC": "urgentcare", "86": "emergency"}
BENEFIT_NETWORK = "http://terminology.hl7.org/CodeSystem/benefit-network"
BENEFIT_UNIT = "http://terminology.hl7.org/CodeSystem/benefit-unit"
_HL7_TYPES = {
    BenefitKind.DEDUCTIBLE: "deductible",
    BenefitKind.COPAY: "copay",
    BenefitKind.COINSURANCE: "copay-percent",
    BenefitKind.LIMITATION: "visit",
    BenefitKind.BENEFIT_MAXIMUM: "benefit",
}
_STATED_BY_ITEM = frozenset(
    {BenefitKind.ACTIVE_COVERAGE, BenefitKind.INACTIVE, BenefitKind.NON_COVERED}
)
_NETWORK_CODES = {
    Network.IN_NETWORK: ("in", "Y"),
    Network.OUT_OF_NETWORK: ("out", "N"),
    Network.BOTH: (None, "W"),
}
_HL7_TERMS = {"23": "annual", "32": "lifetime", "7": "day"}
_GENDER = {"F": "female", "M": "male"}


def patient_id(member: SandboxMember) -> str:
    return f"p-{member.member_id.lower()}"


def member_system(book: SandboxPayerBook) -> str:
    return f"urn:sandbox-payer:{book.key}:member"


def patient(book: SandboxPayerBook, member: SandboxMember) -> dict[str, Any]:
    """The Patient resource of one member."""
    person = member.person
    return validated(
        {
            "resourceType": "Patient",
            "id": patient_id(member),
            "identifier": [
                {
                    "type": concept(coding(IDENTIFIER_TYPE, "MB", "Member Number")),
                    "system": member_system(book),
                    "value": member.member_id,
                }
            ],
            "name": [{"family": person.last_name, "given": [person.first_name]}],
            "gender": _GENDER.get(person.gender, "unknown"),
            "birthDate": person.birth_date.isoformat(),
            "address": [
                {
                    "line": [person.address1],
                    "city": person.city,
                    "state": person.state,
                    "postalCode": person.postal_code,
                }
            ],
        }
    )


def coverage(
    book: SandboxPayerBook,
    member: SandboxMember,
    today: date,
    *,
    resource_id: str | None = None,
    plan: Plan | None = None,
    benefits: tuple[Benefit, ...] = (),
) -> dict[str, Any]:
    """The Coverage of one member (``resource_id`` "coverage" when contained), as ``plan`` (the
    one in force on the asked date) or the member's current plan; the card copays of
    ``benefits`` become its ``costToBeneficiary``."""
    plan = plan or member.plan
    period = {k: v.isoformat() for k, v in (("start", plan.start), ("end", plan.end)) if v}
    classes = [
        {
            "type": concept(coding(COVERAGE_CLASS, "group")),
            "value": plan.group_number,
            "name": plan.group_name,
        },
        {
            "type": concept(coding(COVERAGE_CLASS, "plan")),
            "value": plan.plan_number,
            "name": plan.name,
        },
        *card_rx_classes(book, plan),
    ]
    costs = [
        {
            "type": concept(coding(COPAY_TYPE, CARD_COPAYS[b.service_types[0].code])),
            "valueMoney": money(b.amount),
        }
        for b in card_copays(benefits)
        if b.amount is not None
    ]
    return validated(
        {
            "resourceType": "Coverage",
            "id": resource_id or f"c-{member.member_id.lower()}",
            "identifier": [
                {
                    "type": concept(coding(IDENTIFIER_TYPE, "MB", "Member Number")),
                    "system": member_system(book),
                    "value": member.member_id,
                }
            ],
            "status": "active" if member.covers(today) else "cancelled",
            "subscriberId": member.subscriber_member_id or member.member_id,
            "beneficiary": {"reference": f"Patient/{patient_id(member)}"},
            "relationship": concept(coding(SUBSCRIBER_RELATIONSHIP, member.relation.value)),
            "period": period,
            "payor": [insurer(book)],
            "class": [c for c in classes if c["value"]],
            "order": member.order,
            "type": concept(coding(ACT_CODE, "HIP", "health insurance plan policy")),
            "network": f"{book.name} network",
            "dependent": "01" if member.relation is SubscriberRelation.SELF else "02",
            **({"costToBeneficiary": costs} if costs else {}),
        }
    )


def card_rx_classes(book: SandboxPayerBook, plan: Plan) -> list[dict[str, Any]]:
    """The pharmacy classes a card prints (fictitious BIN; PCN from the payer number)."""
    return [
        {"type": concept(coding(COVERAGE_CLASS, "rxbin")), "value": SANDBOX_RX_BIN},
        {"type": concept(coding(COVERAGE_CLASS, "rxpcn")), "value": f"SBX{book.payer_number}"},
        {"type": concept(coding(COVERAGE_CLASS, "rxgroup")), "value": plan.group_number},
    ]


def card_copays(benefits: tuple[Benefit, ...]) -> list[Benefit]:
    """The in-network copays a card prints: one per service type of :data:`CARD_COPAYS`."""
    chosen: dict[str, Benefit] = {}
    for benefit in benefits:
        if benefit.kind is BenefitKind.COPAY and benefit.network is Network.IN_NETWORK:
            for service in benefit.service_types[:1]:
                if service.code in CARD_COPAYS:
                    chosen.setdefault(service.code, benefit)
    return list(chosen.values())


def _other_coverage(
    member: SandboxMember, other: OtherCoverage, resource_id: str
) -> dict[str, Any]:
    period = {k: v.isoformat() for k, v in (("start", other.start), ("end", other.end)) if v}
    return {
        "resourceType": "Coverage",
        "id": resource_id,
        "status": "active",
        **({"subscriberId": other.member_id} if other.member_id else {}),
        "beneficiary": {"reference": f"Patient/{patient_id(member)}"},
        **({"period": period} if period else {}),
        "payor": [
            {
                "identifier": {"system": "urn:sandbox-payer:payer-id", "value": other.payer_id},
                "display": other.payer_name,
            }
        ],
    }


def insurer(book: SandboxPayerBook) -> dict[str, Any]:
    return {
        "identifier": {"system": "urn:sandbox-payer:payer-id", "value": book.payer_number},
        "display": book.name,
    }


def eligibility_response(
    book: SandboxPayerBook, member: SandboxMember, result: EligibilityResult, today: date
) -> dict[str, Any]:
    """The CoverageEligibilityResponse stating ``result``."""
    response = _response_shell(book, today, result.as_of)
    response["patient"] = {"reference": f"Patient/{patient_id(member)}"}
    response["contained"] = [
        coverage(
            book, member, today, resource_id="coverage", plan=result.plan, benefits=result.benefits
        )
    ]
    response["outcome"] = "complete"
    response["insurance"] = [
        {
            "coverage": {"reference": "#coverage"},
            "inforce": result.active,
            "item": [_item(b) for b in result.benefits],
        }
    ]
    # Other insurance the payer knows of (COB): a contained Coverage naming the other payor.
    for n, other in enumerate(result.other_coverage, start=1):
        response["contained"].append(_other_coverage(member, other, f"other-{n}"))
        response["insurance"].append({"coverage": {"reference": f"#other-{n}"}, "inforce": True})
    if result.messages:
        response["disposition"] = "; ".join(result.messages)
    return validated(response)


def eligibility_error(
    book: SandboxPayerBook, today: date, as_of: date, reasons: tuple[Code, ...], message: str
) -> dict[str, Any]:
    """A CoverageEligibilityResponse refusing the request with AAA reject reasons."""
    response = _response_shell(book, today, as_of)
    response["patient"] = {"display": "unmatched member"}
    response["outcome"] = "error"
    response["disposition"] = message
    response["error"] = [{"code": concept(of_code(AAA_REJECT_REASON, r))} for r in reasons]
    return validated(response)


def _response_shell(book: SandboxPayerBook, today: date, as_of: date) -> dict[str, Any]:
    return {
        "resourceType": "CoverageEligibilityResponse",
        "status": "active",
        "purpose": ["validation", "benefits"],
        "servicedDate": as_of.isoformat(),
        "created": today.isoformat(),
        "request": {"display": "CoverageEligibilityRequest submitted to $submit"},
        "insurer": insurer(book),
    }


def _item(benefit: Benefit) -> dict[str, Any]:
    item: dict[str, Any] = {
        "category": concept(
            *(coding(BENEFIT_CATEGORY, st.code, st.description) for st in benefit.service_types)
        )
    }
    hl7_network, x12_network = _NETWORK_CODES.get(benefit.network, (None, None))
    network = [coding(BENEFIT_NETWORK, hl7_network)] if hl7_network else []
    if x12_network:
        network.append(coding(X12_NETWORK, x12_network))
    if network:
        item["network"] = concept(*network)
    if benefit.coverage_level in (CoverageLevel.INDIVIDUAL, CoverageLevel.FAMILY):
        item["unit"] = concept(coding(BENEFIT_UNIT, benefit.coverage_level.value))
    if benefit.time_period is not None:
        term = [of_code(X12_TIME_PERIOD, benefit.time_period)]
        if benefit.time_period.code in _HL7_TERMS:
            term.append(coding(BENEFIT_TERM, _HL7_TERMS[benefit.time_period.code]))
        item["term"] = concept(*term)
    if benefit.plan_description:
        item["name"] = benefit.plan_description
    if benefit.messages:
        item["description"] = "\n".join(benefit.messages)
    if benefit.authorization_required is not None:
        item["authorizationRequired"] = benefit.authorization_required
    if benefit.kind is BenefitKind.NON_COVERED:
        item["excluded"] = True
    if benefit.kind not in _STATED_BY_ITEM:
        item["benefit"] = [_benefit(benefit)]
    return item


def _benefit(benefit: Benefit) -> dict[str, Any]:
    types = [of_code(X12_BENEFIT_KIND, benefit.code)]
    if benefit.kind in _HL7_TYPES:
        types.append(coding(BENEFIT_TYPE, _HL7_TYPES[benefit.kind]))
    entry: dict[str, Any] = {"type": concept(*types)}
    if benefit.amount is not None:
        entry["allowedMoney"] = money(benefit.amount)
    elif benefit.percent is not None:
        whole = benefit.percent * 100
        if whole != whole.to_integral_value():
            raise ValueError(f"coinsurance {benefit.percent} is not a whole percentage")
        entry["allowedUnsignedInt"] = int(whole)
    elif benefit.quantity is not None:
        entry["allowedUnsignedInt"] = int(benefit.quantity)
    if benefit.used is not None:
        entry["usedMoney"] = money(benefit.used)
    return entry
