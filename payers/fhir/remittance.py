"""EOBs with a payment -> :class:`Payment` remittances (the FHIR counterpart of an 835).

An EOB's ``payment`` is what was paid for that one claim; several EOBs settled by one payment share
its ``payment.identifier`` (the trace number) and date, so EOBs are grouped by (identifier, date)
and the remittance amount is the sum of their payments. An EOB whose payment has no identifier is a
remittance of its own, traced as ``ExplanationOfBenefit/<id>``. ``payment.adjustment`` (amounts not
tied to this claim's adjudication) becomes a provider-level adjustment, like an 835 PLB. The
method is an X12 BPR04 coding in ``payment.type`` when stated, else the HL7 payment type. A claim's
status is its 835 CLP02: 4 denied, 22 reversal (negative charge), 2 processed as secondary (a prior
payer's payment is adjusted, OA 23), else 1. Remittances come oldest first.

An EOB only knows its own claim's share of a payment. The remittance as a whole (the amount the
payer sent, including other patients' claims, and its provider-level adjustments) is a FHIR
PaymentReconciliation: :func:`reconcile` applies those to the payments read from EOBs.

Each claim payment also carries the EOB's subtype, precedence, accident, focal coverage and process
notes (:mod:`payers.fhir.eob_facts`) and its balancing findings (:mod:`payers.fhir.eob_balance`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from payers.codesets import lookup
from payers.fhir.eob import (
    EobReading,
    claim_type,
    control_number,
    line_paid,
    member_id_of,
    payer_claim_id,
    read_eob,
)
from payers.fhir.eob_balance import balance_findings
from payers.fhir.eob_facts import accident, focal_coverage, process_notes, sub_type
from payers.fhir.resources import ParsedResource
from payers.fhir.terminology import (
    X12_PAYMENT_METHOD,
    X12_PLB_REASON,
    as_date,
    codings,
    fhir_code,
    money,
    npi_of,
    x12_code,
)
from payers.model import (
    ClaimPayment,
    ClaimState,
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
        status=lookup("claim-payment-status", _payment_status(reading)),
        charge=reading.charge,
        paid=_or_zero(reading.status.paid_amount),
        patient_responsibility=reading.patient_responsibility,
        member_id=member_id or member_id_of(eob),
        service_date_from=reading.date_from,
        service_date_to=reading.date_to,
        adjustments=reading.header.adjustments,
        lines=tuple(
            ServiceLinePayment(
                procedure=line.procedure,
                charge=line.charge,
                paid=_or_zero(line_paid(line.adjudication)),
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
        findings=balance_findings(eob, pharmacy=claim_type(eob) == "pharmacy"),
        sub_type=sub_type(eob),
        precedence=eob.precedence,
        accident=accident(eob),
        focal_coverage=focal_coverage(eob),
        process_notes=process_notes(eob),
    )


def _or_zero(amount: Decimal | None) -> Decimal:
    """``amount`` as stated (0.00 stays 0.00), zero when absent."""
    return amount if amount is not None else Decimal(0)


def _payment_status(reading: EobReading) -> str:
    """The 835 CLP02 an EOB amounts to: 4 denied, 22 reversal, 2 secondary, else 1 primary."""
    if reading.status.state is ClaimState.DENIED:
        return "4"
    if reading.charge < 0:
        return "22"
    crossover = any(
        a.group.code == "OA" and a.reason.code == "23"
        for line in reading.lines
        for a in line.adjudication.adjustments
    ) or any(line.adjudication.get("priorpayerpaid") for line in reading.lines)
    return "2" if crossover else "1"


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
    payments = [
        _payment(payer_id, trace, paid_on, members, member_id)
        for (trace, paid_on), members in groups.items()
    ]
    # Oldest first, as remittances arrive (search order is the payer's, often by claim).
    return sorted(payments, key=lambda p: (p.payment_date or date.min, p.trace_number))


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
        method=x12_code(first.payment.type, X12_PAYMENT_METHOD, "payment-method")
        or next((fhir_code(c) for c in codings(first.payment.type)), UNKNOWN_METHOD),
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


def reconcile(
    payments: Sequence[Payment], reconciliations: Sequence[ParsedResource[Any]], *, whole: bool
) -> list[Payment]:
    """Payments with the amount of their PaymentReconciliation (matched on the trace number).

    ``whole``: the payments carry every claim of the remittance (not one member's), so the
    reconciliation's provider-level adjustments (``detail`` typed ``adjustment``) belong to them.
    """
    by_trace: dict[str, Any] = {}
    for parsed in reconciliations:
        resource = parsed.resource
        identifiers = [resource.paymentIdentifier, *(resource.identifier or ())]
        for identifier in identifiers:
            if identifier is not None and identifier.value:
                by_trace.setdefault(str(identifier.value), resource)
    out = []
    for payment in payments:
        resource = by_trace.get(payment.trace_number)
        amount = money(resource.paymentAmount) if resource is not None else None
        if resource is None or amount is None:
            out.append(payment)
            continue
        adjustments = payment.provider_adjustments
        if whole:
            adjustments = tuple(_provider_adjustments(resource))
        out.append(replace(payment, amount=amount, provider_adjustments=adjustments))
    return out


def _provider_adjustments(resource: Any) -> list[ProviderAdjustment]:
    out = []
    for detail in resource.detail or ():
        if "adjustment" not in {str(c.code) for c in codings(detail.type)}:
            continue
        amount = money(detail.amount)
        if amount is None:
            continue
        reason = x12_code(detail.type, X12_PLB_REASON, "plb-reason") or next(
            fhir_code(c) for c in codings(detail.type)
        )
        reference = detail.identifier.value if detail.identifier is not None else None
        out.append(ProviderAdjustment(reason=reason, amount=amount, reference=reference))
    return out
