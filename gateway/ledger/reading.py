"""The ledger read back as the payers' model: a stored remittance becomes a ``payers.model.Payment``.

So the API shows a posted remittance exactly as it shows one fetched live (the same GraphQL types,
adjustments in words with their code descriptions), and a claim's payments come from the ledger, not
from another payer call. Every read names the practice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.storage.ledger_tables import (
    Remittance,
    RemittanceAdjustment,
    RemittanceClaim,
    RemittanceLine,
    RemittanceProviderAdjustment,
)
from payers import model
from payers.codesets import lookup


def _adjustment(row: RemittanceAdjustment) -> model.Adjustment:
    return model.Adjustment(
        group=lookup("adjustment-group", row.group_code),
        reason=lookup("carc", row.reason_code),
        amount=row.amount,
        quantity=row.quantity,
        remarks=tuple(lookup("rarc", r) for r in row.remarks or ()),
    )


async def claim_payments(
    session: AsyncSession, rows: Sequence[RemittanceClaim]
) -> list[model.ClaimPayment]:
    """The claim payments of ``rows`` with their lines and adjustments (three queries in all)."""
    ids = [r.id for r in rows]
    lines: dict[str, list[RemittanceLine]] = defaultdict(list)
    claim_level: dict[str, list[model.Adjustment]] = defaultdict(list)
    line_level: dict[str, list[model.Adjustment]] = defaultdict(list)
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        for line in await session.scalars(
            select(RemittanceLine)
            .where(RemittanceLine.remittance_claim_id.in_(batch))
            .order_by(RemittanceLine.remittance_claim_id, RemittanceLine.ordinal)
        ):
            lines[line.remittance_claim_id].append(line)
        for adjustment in await session.scalars(
            select(RemittanceAdjustment)
            .where(RemittanceAdjustment.remittance_claim_id.in_(batch))
            .order_by(RemittanceAdjustment.id)
        ):
            if adjustment.line_id is None:
                claim_level[adjustment.remittance_claim_id].append(_adjustment(adjustment))
            else:
                line_level[adjustment.line_id].append(_adjustment(adjustment))
    return [
        model.ClaimPayment(
            control_number=row.control_number,
            payer_claim_id=row.payer_claim_id,
            status=lookup("claim-payment-status", row.status_code),
            charge=row.charge,
            paid=row.paid,
            patient_responsibility=row.patient_responsibility,
            member_id=row.member_id,
            service_date_from=row.service_date_from,
            service_date_to=row.service_date_to,
            adjustments=tuple(claim_level[row.id]),
            lines=tuple(
                model.ServiceLinePayment(
                    procedure=lookup("procedure", line.procedure_code),
                    charge=line.charge,
                    paid=line.paid,
                    modifiers=tuple(line.modifiers or ()),
                    units=line.units,
                    service_date=line.service_date,
                    allowed_amount=line.allowed,
                    adjustments=tuple(line_level[line.id]),
                    remarks=tuple(lookup("rarc", r) for r in line.remarks or ()),
                )
                for line in lines[row.id]
            ),
            remarks=tuple(lookup("rarc", r) for r in row.remarks or ()),
        )
        for row in rows
    ]


async def payment_of(
    session: AsyncSession,
    remittance: Remittance,
    rows: Sequence[RemittanceClaim],
    *,
    whole: bool = True,
) -> model.Payment:
    """The remittance as a Payment with the claim payments ``rows``; provider adjustments only when
    ``whole`` (narrowed to one claim, the payment keeps its amount but not the others' parts)."""
    provider: list[model.ProviderAdjustment] = []
    if whole:
        provider = [
            model.ProviderAdjustment(lookup("plb-reason", p.reason_code), p.amount, p.reference)
            for p in await session.scalars(
                select(RemittanceProviderAdjustment)
                .where(RemittanceProviderAdjustment.remittance_id == remittance.id)
                .order_by(RemittanceProviderAdjustment.id)
            )
        ]
    return model.Payment(
        payer_id=remittance.payer_id,
        trace_number=remittance.trace_number,
        method=lookup("payment-method", remittance.method_code),
        payment_date=remittance.payment_date,
        amount=remittance.amount,
        claims=tuple(await claim_payments(session, rows)),
        provider_adjustments=tuple(provider),
        payee_npi=remittance.payee_npi,
    )


async def payments_for_claim(
    session: AsyncSession, practice_id: str, claim_id: str
) -> list[model.Payment]:
    """Every remittance posted to the claim, oldest first, narrowed to the claim's own parts."""
    rows = list(
        await session.scalars(
            select(RemittanceClaim)
            .join(Remittance, Remittance.id == RemittanceClaim.remittance_id)
            .where(RemittanceClaim.practice_id == practice_id, RemittanceClaim.claim_id == claim_id)
            .order_by(Remittance.received_at, Remittance.id, RemittanceClaim.ordinal)
        )
    )
    by_remittance: dict[str, list[RemittanceClaim]] = defaultdict(list)
    for row in rows:
        by_remittance[row.remittance_id].append(row)
    found = []
    for remittance_id, parts in by_remittance.items():
        remittance = await session.get(Remittance, remittance_id)
        if remittance is not None and remittance.practice_id == practice_id:
            found.append(await payment_of(session, remittance, parts, whole=False))
    return found


def net_paid(payments: Sequence[model.Payment]) -> Decimal:
    """What the payer paid on these claim payments, reversals netted out."""
    return sum((c.paid for p in payments for c in p.claims), Decimal("0.00"))
