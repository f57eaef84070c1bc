"""A claim ready to leave, stored as JSON on the claim row and read back by the dispatcher; the
payer's raw exchange, stored as JSON on a status history entry.

Money and units travel as decimal strings and dates as ISO strings, so what the dispatcher sends is
exactly what the edits passed, to the cent.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from payers.codesets import lookup
from payers.model import (
    ClaimLine,
    ClaimSubmission,
    MemberQuery,
    PayerExchange,
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
            }
            for line in claim.lines
        ],
        "totalCharge": str(claim.total_charge),
        "originalPayerClaimId": claim.original_payer_claim_id,
    }


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
            )
            for line in data["lines"]
        ),
        total_charge=Decimal(data["totalCharge"]),
        original_payer_claim_id=data.get("originalPayerClaimId"),
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
