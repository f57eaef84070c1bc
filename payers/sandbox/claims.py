"""Turn the claim scenarios into the model: claims with lines and statuses, and their payments."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from payers.codesets import lookup
from payers.model import (
    Claim,
    ClaimLine,
    ClaimPayment,
    ClaimState,
    ClaimStatus,
    Payment,
    ProviderAdjustment,
    ServiceLinePayment,
)
from payers.sandbox.adjudication import ZERO, LineTerms, patient_share, settle_line
from payers.sandbox.cast import SandboxProvider
from payers.sandbox.coverage import payer_claim_id
from payers.sandbox.scenarios import ALLOWED_RATES, CLAIMS, PAYMENTS, ClaimSpec, PaymentSpec

#: Preventive services are paid in full in network (no copay, deductible or coinsurance).
PREVENTIVE = frozenset(
    {"99381", "99391", "99393", "99395", "99396", "99397", "90686", "90471", "90460"}
)

# outcome -> (277 category, status code, entity), for the claim's current status
_STATUS = {
    "paid": ("F1", "65", None),
    "secondary": ("F1", "65", None),
    "pending": ("P1", "20", None),
    "info": ("R4", "123", "85"),
    "ack": ("A1", "19", "PR"),
}
# the denial's CARC -> (277 category, status code, entity)
_DENIAL_STATUS = {
    "16": ("F2", "21", None),
    "22": ("F2", "85", "QC"),
    "27": ("F2", "88", "QC"),
    "96": ("F2", "104", None),
    "197": ("F2", "84", None),
}
_STATES = {
    "F1": ClaimState.FINALIZED,
    "F2": ClaimState.DENIED,
    "P1": ClaimState.PENDING,
    "R4": ClaimState.INFORMATION_REQUESTED,
    "A1": ClaimState.ACKNOWLEDGED,
}


def claim_status(
    category: str,
    status: str | None,
    entity: str | None,
    effective: date,
    **amounts: object,
) -> ClaimStatus:
    """A 277-style status with its codes looked up."""
    return ClaimStatus(
        state=_STATES.get(category, ClaimState.PENDING),
        category=lookup("claim-status-category", category),
        status=lookup("claim-status", status) if status else None,
        entity=lookup("entity-identifier", entity) if entity else None,
        effective_date=effective,
        **amounts,  # type: ignore[arg-type]
    )


@dataclass(frozen=True, slots=True)
class BookHistory:
    """One payer's claims (by member id) and payments."""

    claims: dict[str, tuple[Claim, ...]]
    payments: tuple[Payment, ...]


def _lines(spec: ClaimSpec, service_date: date) -> tuple[ClaimLine, ...]:
    return tuple(
        ClaimLine(
            line_number=number,
            procedure=lookup("procedure", line.code),
            charge=Decimal(line.charge),
            units=Decimal(line.units),
            modifiers=line.modifiers,
            diagnosis_pointers=line.pointers,
            service_date=service_date,
        )
        for number, line in enumerate(spec.lines, start=1)
    )


def _terms(
    spec: ClaimSpec, line_number: int, coinsurance: Decimal, prior: ServiceLinePayment | None
) -> LineTerms:
    line = spec.lines[line_number - 1]
    if line.denial is not None:
        return LineTerms(denial=line.denial)
    if prior is not None:  # secondary: the patient's share left by the primary is what we price
        return LineTerms(
            prior_payer=prior.charge - patient_share(prior.adjustments), coinsurance=coinsurance
        )
    if line.code in PREVENTIVE:
        return LineTerms()
    copay = Decimal(line.copay)
    return LineTerms(
        copay=copay,
        deductible=Decimal(line.deductible),
        coinsurance=ZERO if copay else coinsurance,
    )


def build_history(
    book_key: str,
    today: date,
    coinsurance: Decimal,
    providers: Mapping[str, SandboxProvider],
    claim_id_prefix: str,
    settled: dict[str, ClaimPayment],
) -> BookHistory:
    """The claims and payments of one book; ``settled`` collects every book's claim payments by
    control number so a secondary payer can see what the primary did (build primaries first)."""
    rate = Decimal(ALLOWED_RATES[book_key])
    payment_specs: dict[str, PaymentSpec] = {p.key: p for p in PAYMENTS[book_key]}
    by_payment: dict[str, list[ClaimPayment]] = {key: [] for key in payment_specs}
    claims: dict[str, list[Claim]] = {}
    for seq, spec in enumerate(CLAIMS[book_key], start=1):
        service_date = today - timedelta(days=spec.days_ago)
        lines = _lines(spec, service_date)
        total = sum((line.charge for line in lines), ZERO)
        claim_id = payer_claim_id(claim_id_prefix, service_date + timedelta(days=1), seq)
        rendering = providers[spec.rendering].npi if spec.rendering else None
        paid = patient = None
        if spec.payment is not None:
            primary = settled[spec.primary].lines if spec.primary else None
            settled_lines = tuple(
                settle_line(
                    line,
                    rate,
                    _terms(
                        spec,
                        line.line_number,
                        coinsurance,
                        primary[line.line_number - 1] if primary else None,
                    ),
                )
                for line in lines
            )
            paid = sum((s.paid for s in settled_lines), ZERO)
            patient = sum((patient_share(s.adjustments) for s in settled_lines), ZERO)
            denied = all(line.denial is not None for line in spec.lines)
            clp02 = "4" if denied else ("2" if spec.primary else "1")
            payment = ClaimPayment(
                control_number=spec.control_number,
                payer_claim_id=claim_id,
                status=lookup("claim-payment-status", clp02),
                charge=total,
                paid=paid,
                patient_responsibility=patient,
                member_id=spec.member_id,
                service_date_from=service_date,
                service_date_to=service_date,
                lines=settled_lines,
                remarks=tuple(lookup("rarc", code) for code in spec.remarks),
            )
            settled[spec.control_number] = payment
            by_payment[spec.payment].append(payment)
            lines = tuple(
                _with_amounts(line, s) for line, s in zip(lines, settled_lines, strict=True)
            )
            effective = today - timedelta(days=payment_specs[spec.payment].days_ago)
            first_denial = spec.lines[0].denial
            if denied and first_denial is not None:
                category, status, entity = _DENIAL_STATUS.get(first_denial[1], ("F2", "1", None))
            else:
                category, status, entity = _STATUS[spec.outcome]
        else:
            effective = min(
                today, service_date + timedelta(days={"ack": 1, "pending": 6}.get(spec.outcome, 9))
            )
            category, status, entity = _STATUS[spec.outcome]
        status_obj = claim_status(
            category,
            status,
            entity,
            effective,
            payer_claim_id=claim_id,
            control_number=spec.control_number,
            total_charge=total,
            paid_amount=paid,
        )
        claims.setdefault(spec.member_id, []).append(
            Claim(
                payer_id=book_key,
                payer_claim_id=claim_id,
                control_number=spec.control_number,
                member_id=spec.member_id,
                status=status_obj,
                service_date_from=service_date,
                service_date_to=service_date,
                total_charge=total,
                billing_provider_npi=providers[spec.billing].npi,
                rendering_provider_npi=rendering,
                place_of_service=lookup("place-of-service", spec.place_of_service),
                diagnoses=tuple(lookup("icd10cm", code) for code in spec.diagnoses),
                lines=lines,
                paid_amount=paid,
                patient_responsibility=patient,
            )
        )
    payments = tuple(
        _payment(book_key, today, spec, by_payment[spec.key], providers)
        for spec in PAYMENTS[book_key]
    )
    return BookHistory(
        claims={
            member: tuple(sorted(items, key=_service_order, reverse=True))
            for member, items in claims.items()
        },
        payments=payments,
    )


def _service_order(claim: Claim) -> tuple[date, str]:
    return (claim.service_date_from or date.min, claim.control_number or "")


def _with_amounts(line: ClaimLine, settled: ServiceLinePayment) -> ClaimLine:
    return ClaimLine(
        line_number=line.line_number,
        procedure=line.procedure,
        charge=line.charge,
        units=line.units,
        modifiers=line.modifiers,
        diagnosis_pointers=line.diagnosis_pointers,
        service_date=line.service_date,
        allowed_amount=settled.allowed_amount,
        paid_amount=settled.paid,
    )


def _payment(
    book_key: str,
    today: date,
    spec: PaymentSpec,
    claims: list[ClaimPayment],
    providers: Mapping[str, SandboxProvider],
) -> Payment:
    adjustments = tuple(
        ProviderAdjustment(
            reason=lookup("plb-reason", reason), amount=Decimal(amount), reference=ref
        )
        for reason, amount, ref in spec.provider_adjustments
    )
    # 835 balancing: BPR02 = sum(CLP04) - sum(PLB amounts)
    amount = sum((c.paid for c in claims), ZERO) - sum((a.amount for a in adjustments), ZERO)
    return Payment(
        payer_id=book_key,
        trace_number=spec.trace_number,
        method=lookup("payment-method", spec.method),
        payment_date=today - timedelta(days=spec.days_ago),
        amount=amount,
        claims=tuple(claims),
        provider_adjustments=adjustments,
        payee_npi=providers[spec.payee].npi,
    )
