"""A claim ready to leave, stored as JSON on the claim row and read back by the dispatcher; the
payer's raw exchange, stored as JSON on a status history entry.

Money and units travel as decimal strings and dates as ISO strings, so what the dispatcher sends is
exactly what the edits passed, to the cent. A claim to a secondary payer also carries the payer's
responsibility (P/S/T) and the earlier payers' adjudication (``priorPayers``).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from payers.codesets import lookup
from payers.model import (
    Adjustment,
    ClaimLine,
    ClaimProvider,
    ClaimSubmission,
    Demographics,
    DrugIdentification,
    MemberQuery,
    PayerExchange,
    PostalAddress,
    PriorLineAdjudication,
    PriorPayerAdjudication,
    SubscriberRelation,
)


def submission_to_json(claim: ClaimSubmission) -> dict[str, Any]:
    member = claim.member
    return {
        "member": {
            "memberId": member.member_id,
            "firstName": member.first_name,
            "lastName": member.last_name,
            "birthDate": member.birth_date.isoformat(),
            "groupNumber": member.group_number,
            "relation": member.relation.value,
        },
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
                "diagnosisPointers": list(line.diagnosis_pointers),
                "units": str(line.units),
                "charge": str(line.charge),
                "serviceDate": line.service_date.isoformat() if line.service_date else None,
                **_line_extras_to_json(line),
            }
            for line in claim.lines
        ],
        "totalCharge": str(claim.total_charge),
        "originalPayerClaimId": claim.original_payer_claim_id,
        "responsibility": claim.responsibility,
        "priorPayers": [_prior_to_json(p) for p in claim.prior_payers],
        **_claim_extras_to_json(claim),
    }


# The 837 extras (dependent patient, drugs, referring/ordering providers, references) are written
# only when present, so rows written before them and claims without them stay as they were.


def _claim_extras_to_json(claim: ClaimSubmission) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if claim.subscriber is not None:
        who = claim.subscriber
        found["subscriber"] = {
            "firstName": who.first_name,
            "lastName": who.last_name,
            "birthDate": who.birth_date.isoformat(),
            "gender": who.gender,
        }
    if claim.patient_address is not None:
        found["patientAddress"] = asdict(claim.patient_address)
    if claim.referring_provider is not None:
        found["referringProvider"] = asdict(claim.referring_provider)
    for key, value in (
        ("patientGender", claim.patient_gender),
        ("priorAuthorization", claim.prior_authorization),
        ("referralNumber", claim.referral_number),
        ("medicalRecordNumber", claim.medical_record_number),
    ):
        if value is not None:
            found[key] = value
    if claim.diagnosis_code_list != "icd10cm":
        found["diagnosisCodeList"] = claim.diagnosis_code_list
    return found


def _claim_extras_from_json(data: dict[str, Any]) -> dict[str, Any]:
    who, address, referring = (
        data.get("subscriber"),
        data.get("patientAddress"),
        data.get("referringProvider"),
    )
    return {
        "subscriber": Demographics(
            who["firstName"], who["lastName"], date.fromisoformat(who["birthDate"]), who["gender"]
        )
        if who
        else None,
        "patient_address": PostalAddress(**address) if address else None,
        "referring_provider": ClaimProvider(**referring) if referring else None,
        "patient_gender": data.get("patientGender"),
        "prior_authorization": data.get("priorAuthorization"),
        "referral_number": data.get("referralNumber"),
        "medical_record_number": data.get("medicalRecordNumber"),
        "diagnosis_code_list": data.get("diagnosisCodeList") or "icd10cm",
    }


def _line_extras_to_json(line: ClaimLine) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if line.drug is not None:
        drug = line.drug
        found["drug"] = {"ndc": drug.ndc, "quantity": str(drug.quantity), "unit": drug.unit}
    if line.ordering_provider is not None:
        found["orderingProvider"] = asdict(line.ordering_provider)
    if line.referring_provider is not None:
        found["referringProvider"] = asdict(line.referring_provider)
    return found


def _line_extras_from_json(line: dict[str, Any]) -> dict[str, Any]:
    drug, ordering, referring = (
        line.get("drug"),
        line.get("orderingProvider"),
        line.get("referringProvider"),
    )
    return {
        "drug": DrugIdentification(drug["ndc"], Decimal(drug["quantity"]), drug["unit"])
        if drug
        else None,
        "ordering_provider": ClaimProvider(**ordering) if ordering else None,
        "referring_provider": ClaimProvider(**referring) if referring else None,
    }


def _prior_to_json(prior: PriorPayerAdjudication) -> dict[str, Any]:
    return {
        "payerId": prior.payer_id,
        "payerName": prior.payer_name,
        "memberId": prior.member_id,
        "responsibility": prior.responsibility,
        "paid": str(prior.paid),
        "adjudicationDate": prior.adjudication_date.isoformat(),
        "payerClaimId": prior.payer_claim_id,
        "patientResponsibility": _text(prior.patient_responsibility),
        "adjustments": [_adjustment_to_json(a) for a in prior.adjustments],
        "lines": [
            {
                "lineNumber": line.line_number,
                "procedureCode": line.procedure.code,
                "paid": str(line.paid),
                "paidUnits": _text(line.paid_units),
                "modifiers": list(line.modifiers),
                "adjustments": [_adjustment_to_json(a) for a in line.adjustments],
                "adjudicationDate": line.adjudication_date.isoformat()
                if line.adjudication_date
                else None,
            }
            for line in prior.lines
        ],
    }


def _adjustment_to_json(adjustment: Adjustment) -> dict[str, Any]:
    return {
        "group": adjustment.group.code,
        "reason": adjustment.reason.code,
        "amount": str(adjustment.amount),
        "quantity": _text(adjustment.quantity),
        "remarks": [r.code for r in adjustment.remarks],
    }


def _text(value: Decimal | None) -> str | None:
    return str(value) if value is not None else None


def _decimal(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def submission_from_json(data: dict[str, Any]) -> ClaimSubmission:
    member, provider = data["member"], data["billingProvider"]
    return ClaimSubmission(
        member=MemberQuery(
            member_id=member["memberId"],
            first_name=member["firstName"],
            last_name=member["lastName"],
            birth_date=date.fromisoformat(member["birthDate"]),
            group_number=member.get("groupNumber"),
            relation=SubscriberRelation(member.get("relation", "self")),
        ),
        billing_provider_npi=provider["npi"],
        billing_provider_tax_id=provider["taxId"],
        billing_provider_name=provider["name"],
        rendering_provider_npi=data.get("renderingProviderNpi"),
        place_of_service=data["placeOfService"],
        frequency_code=data["frequencyCode"],
        diagnoses=tuple(data["diagnoses"]),
        lines=tuple(
            ClaimLine(
                line_number=line["lineNumber"],
                procedure=lookup("procedure", line["procedureCode"]),
                charge=Decimal(line["charge"]),
                units=Decimal(line["units"]),
                modifiers=tuple(line["modifiers"]),
                diagnosis_pointers=tuple(line["diagnosisPointers"]),
                service_date=date.fromisoformat(line["serviceDate"])
                if line["serviceDate"]
                else None,
                **_line_extras_from_json(line),
            )
            for line in data["lines"]
        ),
        total_charge=Decimal(data["totalCharge"]),
        original_payer_claim_id=data.get("originalPayerClaimId"),
        # Rows written before secondary claims existed have neither key: a primary claim.
        responsibility=data.get("responsibility") or "P",
        prior_payers=tuple(_prior_from_json(p) for p in data.get("priorPayers") or ()),
        **_claim_extras_from_json(data),
    )


def _prior_from_json(data: dict[str, Any]) -> PriorPayerAdjudication:
    return PriorPayerAdjudication(
        payer_id=data["payerId"],
        payer_name=data["payerName"],
        member_id=data["memberId"],
        responsibility=data["responsibility"],
        paid=Decimal(data["paid"]),
        adjudication_date=date.fromisoformat(data["adjudicationDate"]),
        payer_claim_id=data.get("payerClaimId"),
        patient_responsibility=_decimal(data.get("patientResponsibility")),
        adjustments=tuple(_adjustment_from_json(a) for a in data["adjustments"]),
        lines=tuple(
            PriorLineAdjudication(
                line_number=line["lineNumber"],
                procedure=lookup("procedure", line["procedureCode"]),
                paid=Decimal(line["paid"]),
                paid_units=_decimal(line.get("paidUnits")),
                modifiers=tuple(line["modifiers"]),
                adjustments=tuple(_adjustment_from_json(a) for a in line["adjustments"]),
                adjudication_date=_day(line.get("adjudicationDate")),
            )
            for line in data["lines"]
        ),
    )


def _adjustment_from_json(data: dict[str, Any]) -> Adjustment:
    return Adjustment(
        group=lookup("adjustment-group", data["group"]),
        reason=lookup("carc", data["reason"]),
        amount=Decimal(data["amount"]),
        quantity=_decimal(data.get("quantity")),
        remarks=tuple(lookup("rarc", r) for r in data.get("remarks") or ()),
    )


def exchange_to_json(exchange: PayerExchange) -> dict[str, Any]:
    """A payer exchange as stored on a status history entry (PHI: never logged)."""
    return {
        "protocol": exchange.protocol,
        "request": exchange.request,
        "response": exchange.response,
        "requestContentType": exchange.request_content_type,
        "responseContentType": exchange.response_content_type,
        "at": exchange.at.isoformat(),
    }


def exchange_from_json(data: dict[str, Any]) -> PayerExchange:
    return PayerExchange(
        protocol=data["protocol"],
        request=data["request"],
        response=data["response"],
        request_content_type=data["requestContentType"],
        response_content_type=data["responseContentType"],
        at=datetime.fromisoformat(data["at"]),
    )
