"""EOBs with a payment -> :class:`Payment` remittances (the FHIR counterpart of an 835).

An EOB's ``payment`` is what was paid for that one claim; several EOBs settled by one payment share
its ``payment.identifier`` (the trace number) and date, so EOBs are grouped by (identifier, date)
and the remittance amount is the sum of their payments. An EOB whose payment has no identifier is a
remittance of its own, traced as ``ExplanationOfBenefit/<id>``. ``payment.adjustment`` (amounts not
tied to this claim's adjudication) becomes a provider-level adjustment, like an 835 PLB.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from payers.fhir.eob import control_number, line_paid, payer_claim_id, read_eob
from payers.fhir.resources import ParsedResource
from payers.fhir.terminology import as_date, codings, fhir_code, money, npi_of
from payers.model import (
    ClaimPayment,
    Code,
    Payment,
    ProviderAdjustment,
    ServiceLinePayment,
)

UNKNOWN_METHOD = Code(
    "http://terminology.hl7.org/CodeSystem/ex-paymenttype", "unknown", "Payment type not stated"
)


def eob_to_claim_payment(parsed: ParsedResource[Any], member_id: str | None = None) -> ClaimPayment:
    """How one EOB's claim was paid: per-line amounts and adjustments, claim totals."""
    reading = read_eob(parsed)
    eob = reading.eob
    return ClaimPayment(
        control_number=control_number(eob),
        payer_claim_id=payer_claim_id(eob),
        status=reading.status.category,
        charge=reading.charge,
        paid=reading.status.paid_amount or Decimal(0),
        patient_responsibility=reading.patient_responsibility,
        member_id=member_id,
        service_date_from=reading.date_from,
        service_date_to=reading.date_to,
        adjustments=reading.header.adjustments,
        lines=tuple(
            ServiceLinePayment(
                procedure=line.procedure,
                charge=line.charge,
                paid=line_paid(line.adjudication) or Decimal(0),
                modifiers=line.modifiers,
                units=line.units,
                service_date=line.service_date,
                allowed_amount=line.adjudication.get("eligible"),
                adjustments=line.adjudication.adjustments,
                remarks=line.adjudication.remarks,
            )
            for line in reading.lines
        ),
        remarks=reading.header.remarks,
    )


def eobs_to_payments(
    parsed: Sequence[ParsedResource[Any]], payer_id: str, member_id: str | None = None
) -> list[Payment]:
    """Remittances from the EOBs that state a payment amount, grouped by trace and date."""
    groups: dict[tuple[str, date | None], list[ParsedResource[Any]]] = {}
    for item in parsed:
        payment = item.resource.payment
        if payment is None or money(payment.amount) is None:
            continue
        groups.setdefault((_trace(item.resource), as_date(payment.date)), []).append(item)
    return [
        _payment(payer_id, trace, paid_on, members, member_id)
        for (trace, paid_on), members in groups.items()
    ]


def _payment(
    payer_id: str,
    trace: str,
    paid_on: date | None,
    members: Sequence[ParsedResource[Any]],
    member_id: str | None,
) -> Payment:
    first = members[0].resource
    adjustments = []
    for member in members:
        payment = member.resource.payment
        amount = money(payment.adjustment)
        if amount:
            reason = next(
                (fhir_code(c) for c in codings(payment.adjustmentReason)),
                Code("payment-adjustment", "unspecified", "Payment adjustment"),
            )
            adjustments.append(
                ProviderAdjustment(
                    reason=reason, amount=amount, reference=payer_claim_id(member.resource)
                )
            )
    return Payment(
        payer_id=payer_id,
        trace_number=trace,
        method=next((fhir_code(c) for c in codings(first.payment.type)), UNKNOWN_METHOD),
        payment_date=paid_on,
        amount=sum((money(m.resource.payment.amount) or Decimal(0) for m in members), Decimal(0)),
        claims=tuple(eob_to_claim_payment(m, member_id) for m in members),
        provider_adjustments=tuple(adjustments),
        payee_npi=npi_of(first.payee.party if first.payee else None, first.contained or ()),
    )


def _trace(eob: Any) -> str:
    identifier = eob.payment.identifier
    if identifier is not None and identifier.value:
        return str(identifier.value)
    return f"ExplanationOfBenefit/{eob.id}"
