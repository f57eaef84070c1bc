"""Posting a remittance: stored once per (practice, payer, trace number), matched, claims updated.

``post_remittance`` runs inside the caller's transaction and does not commit. The remittance row is
inserted with ``INSERT ... ON CONFLICT DO NOTHING`` on the unique key, so whichever process (or
upload) comes first posts it and every later attempt, concurrent or not, finds it and changes
nothing (on PostgreSQL a concurrent second insert waits for the first transaction and then sees the
row). Claim payments, lines and adjustments go in as bulk inserts with ids made here, so posting ten
thousand claim payments costs a few statements, not one ORM flush per row. After the caller commits it
awaits :func:`gateway.ledger.after_posting.after_posting` with the result; the ``claim.remittance``
webhook deliveries are written here, in the posting's transaction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.claims.codec import exchange_to_json
from gateway.ledger.after_posting import remittance_webhooks
from gateway.ledger.balancing import findings as balancing_findings
from gateway.ledger.balancing import parser_findings
from gateway.ledger.matching import ClaimMatch, match_claim_payments
from gateway.ledger.states import financial_state
from gateway.storage.claims_tables import SubmittedClaim
from gateway.storage.ledger_tables import (
    Remittance,
    RemittanceAdjustment,
    RemittanceClaim,
    RemittanceLine,
    RemittanceProviderAdjustment,
)
from gateway.storage.tables import new_id
from payers.model import Adjustment, ClaimPayment, Payment

SOURCES = ("fetched", "uploaded", "entered")
MATCHED, MANUAL, UNMATCHED = "matched", "manual", "unmatched"
WRITE_BATCH = 1000  # claim payments whose rows are inserted together


@dataclass(frozen=True, slots=True)
class PostedClaim:
    """One claim payment as posted: the claim it went to (None: unmatched) and that claim's state.

    ``changed`` says whether this posting changed the claim's financial state (what
    :mod:`gateway.ledger.after_posting` publishes).
    """

    remittance_claim_id: str
    claim_id: str | None
    match_state: str
    financial_state: str | None
    changed: bool = False


@dataclass(frozen=True, slots=True)
class PostingResult:
    """What posting one remittance did; ``created`` is False when it had been posted before."""

    remittance_id: str
    created: bool
    claims: list[PostedClaim] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)


async def post_remittance(
    session: AsyncSession,
    practice_id: str,
    payment: Payment,
    *,
    source: str,
    raw_exchange: dict[str, Any] | None = None,
    received_by: str | None = None,
) -> PostingResult:
    """Store ``payment`` in the practice's ledger once and post its claim payments to our claims."""
    if source not in SOURCES:
        raise ValueError(f"unknown remittance source {source!r}")
    # Most pulls fetch remittances posted before: find those without sending their raw exchange.
    if await _stored(session, practice_id, payment.payer_id, payment.trace_number):
        return await posted_before(session, practice_id, payment.payer_id, payment.trace_number)
    now = datetime.now(UTC)
    found = balancing_findings(payment) + parser_findings(payment)
    if raw_exchange is None and payment.exchange is not None:
        raw_exchange = exchange_to_json(payment.exchange)
    remittance_id = await _insert_remittance(
        session,
        {
            "id": new_id(),
            "practice_id": practice_id,
            "payer_id": payment.payer_id,
            "trace_number": payment.trace_number,
            "payment_date": payment.payment_date,
            "amount": payment.amount,
            "method_code": payment.method.code,
            "payee_npi": payment.payee_npi,
            "source": source,
            "findings": found,
            "received_at": now,
            "received_by": received_by,
            "raw_exchange": raw_exchange,
        },
    )
    if remittance_id is None:
        return await posted_before(session, practice_id, payment.payer_id, payment.trace_number)

    matches = await match_claim_payments(session, practice_id, payment.payer_id, payment.claims)
    rows = _LedgerRows(remittance_id, practice_id, now)
    for ordinal, (claim, match) in enumerate(zip(payment.claims, matches, strict=True), start=1):
        rows.add_claim(ordinal, claim, match)
        if len(rows.claims) >= WRITE_BATCH:  # rows in memory stay bounded, whatever the remittance
            await rows.write(session)
    for adjustment in payment.provider_adjustments:
        rows.provider.append(
            {
                "id": new_id(),
                "remittance_id": remittance_id,
                "reason_code": adjustment.reason.code,
                "reference": adjustment.reference,
                "amount": adjustment.amount,
            }
        )
    await rows.write(session)
    newer = await _paid_later(session, remittance_id, payment.payment_date, matches)
    posted = await _set_financial_states(
        session, payment.claims, matches, rows.claim_ids, now, keep=newer
    )
    await remittance_webhooks(
        session, practice_id, remittance_id, payment, list(zip(payment.claims, posted, strict=True))
    )
    return PostingResult(remittance_id, True, posted, found)


async def _stored(session: AsyncSession, practice_id: str, payer_id: str, trace: str) -> bool:
    found = await session.scalar(
        select(Remittance.id).where(
            Remittance.practice_id == practice_id,
            Remittance.payer_id == payer_id,
            Remittance.trace_number == trace,
        )
    )
    return found is not None


async def _insert_remittance(session: AsyncSession, values: dict[str, Any]) -> str | None:
    """The new remittance's id, or None when (practice, payer, trace number) is already stored."""
    dialect = session.get_bind().dialect.name
    builder = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        builder(Remittance)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["practice_id", "payer_id", "trace_number"])
        .returning(Remittance.id)
    )
    return (await session.execute(statement)).scalar_one_or_none()


class _LedgerRows:
    """The rows of one remittance's claim payments, lines and adjustments, written in bulk."""

    def __init__(self, remittance_id: str, practice_id: str, now: datetime) -> None:
        self.remittance_id = remittance_id
        self.practice_id = practice_id
        self.now = now
        self.claims: list[dict[str, Any]] = []
        self.lines: list[dict[str, Any]] = []
        self.adjustments: list[dict[str, Any]] = []
        self.provider: list[dict[str, Any]] = []
        self.claim_ids: list[str] = []
        self.sequence = 0

    def add_claim(self, ordinal: int, claim: ClaimPayment, match: ClaimMatch | None) -> None:
        claim_row_id = new_id()
        self.claim_ids.append(claim_row_id)
        self.claims.append(
            {
                "id": claim_row_id,
                "remittance_id": self.remittance_id,
                "practice_id": self.practice_id,
                "ordinal": ordinal,
                "control_number": claim.control_number,
                "payer_claim_id": claim.payer_claim_id,
                "status_code": claim.status.code,
                "charge": claim.charge,
                "paid": claim.paid,
                "patient_responsibility": claim.patient_responsibility,
                "member_id": claim.member_id,
                "service_date_from": claim.service_date_from,
                "service_date_to": claim.service_date_to,
                "remarks": [r.code for r in claim.remarks],
                "match_state": MATCHED if match else UNMATCHED,
                "claim_id": match.claim_id if match else None,
                "matched_at": self.now if match else None,
                "matched_by": None,
            }
        )
        self._adjustments(claim_row_id, None, claim.adjustments)
        for number, line in enumerate(claim.lines, start=1):
            line_id = new_id()
            self.lines.append(
                {
                    "id": line_id,
                    "remittance_claim_id": claim_row_id,
                    "ordinal": number,
                    "procedure_code": line.procedure.code,
                    "modifiers": list(line.modifiers),
                    "units": line.units,
                    "service_date": line.service_date,
                    "charge": line.charge,
                    "allowed": line.allowed_amount,
                    "paid": line.paid,
                    "remarks": [r.code for r in line.remarks],
                }
            )
            self._adjustments(claim_row_id, line_id, line.adjustments)

    def _adjustment_id(self, claim_row_id: str) -> str:
        """Ids that sort in the payer's order within a claim payment (the table has no ordinal):
        the claim payment's random id cut to 27 characters, then a sequence number."""
        self.sequence += 1
        return f"{claim_row_id[:27]}-{self.sequence:08d}"

    def _adjustments(
        self, claim_row_id: str, line_id: str | None, adjustments: tuple[Adjustment, ...]
    ) -> None:
        for adjustment in adjustments:
            self.adjustments.append(
                {
                    "id": self._adjustment_id(claim_row_id),
                    "remittance_claim_id": claim_row_id,
                    "line_id": line_id,
                    "group_code": adjustment.group.code,
                    "reason_code": adjustment.reason.code,
                    "amount": adjustment.amount,
                    "quantity": adjustment.quantity,
                    "remarks": [r.code for r in adjustment.remarks],
                }
            )

    async def write(self, session: AsyncSession) -> None:
        # Parents before children: the foreign keys are checked per statement.
        for table, rows in (
            (RemittanceClaim, self.claims),
            (RemittanceLine, self.lines),
            (RemittanceAdjustment, self.adjustments),
            (RemittanceProviderAdjustment, self.provider),
        ):
            if rows:
                await session.execute(insert(table), rows)
                rows.clear()


async def _paid_later(
    session: AsyncSession,
    remittance_id: str,
    paid_on: date | None,
    matches: list[ClaimMatch | None],
) -> set[str]:
    """The matched claims that a remittance paid after this one already posted to: a remittance
    that arrives late (an older 835 uploaded after a newer one was fetched) is stored and counted,
    but does not turn the claim's state back."""
    claim_ids = sorted({m.claim_id for m in matches if m is not None})
    if paid_on is None or not claim_ids:
        return set()
    later: set[str] = set()
    for start in range(0, len(claim_ids), 500):
        rows = await session.scalars(
            select(RemittanceClaim.claim_id)
            .join(Remittance, Remittance.id == RemittanceClaim.remittance_id)
            .where(
                RemittanceClaim.claim_id.in_(claim_ids[start : start + 500]),
                Remittance.id != remittance_id,
                Remittance.payment_date > paid_on,
            )
            .distinct()
        )
        later.update(c for c in rows if c is not None)
    return later


async def _set_financial_states(
    session: AsyncSession,
    payments: tuple[ClaimPayment, ...],
    matches: list[ClaimMatch | None],
    claim_row_ids: list[str],
    now: datetime,
    keep: frozenset[str] | set[str] = frozenset(),
) -> list[PostedClaim]:
    """Each matched claim takes the state of its last claim payment in the remittance (a reversal
    followed by the corrected payment ends in the corrected payment's state), except the claims in
    ``keep``, which a later-dated remittance already decided."""
    before = {m.claim_id: m.financial_state for m in matches if m is not None}
    after: dict[str, str | None] = {}
    for payment, match in zip(payments, matches, strict=True):
        if match is not None:
            after[match.claim_id] = (
                before[match.claim_id] if match.claim_id in keep else financial_state(payment)
            )
    by_state: dict[str, list[str]] = defaultdict(list)
    for claim_id, state in after.items():
        if state is not None and before[claim_id] != state:
            by_state[state].append(claim_id)
    for state, claim_ids in by_state.items():
        for start in range(0, len(claim_ids), 500):
            await session.execute(
                update(SubmittedClaim)
                .where(SubmittedClaim.id.in_(claim_ids[start : start + 500]))
                .values(financial_state=state, updated_at=now)
                .execution_options(synchronize_session=False)
            )
    posted = []
    reported: set[str] = set()
    for row_id, match in zip(claim_row_ids, matches, strict=True):
        if match is None:
            posted.append(PostedClaim(row_id, None, UNMATCHED, None))
            continue
        state = after[match.claim_id]
        # A claim paid twice in one remittance changes once: report the change on its first row.
        changed = before[match.claim_id] != state and match.claim_id not in reported
        reported.add(match.claim_id)
        posted.append(PostedClaim(row_id, match.claim_id, MATCHED, state, changed))
    return posted


async def posted_before(
    session: AsyncSession, practice_id: str, payer_id: str, trace_number: str
) -> PostingResult:
    """The stored posting of a remittance already in the ledger (created=False, nothing changed)."""
    remittance = (
        await session.execute(
            select(Remittance.id, Remittance.findings).where(
                Remittance.practice_id == practice_id,
                Remittance.payer_id == payer_id,
                Remittance.trace_number == trace_number,
            )
        )
    ).one()
    rows = await session.execute(
        select(
            RemittanceClaim.id,
            RemittanceClaim.claim_id,
            RemittanceClaim.match_state,
            SubmittedClaim.financial_state,
        )
        .outerjoin(SubmittedClaim, SubmittedClaim.id == RemittanceClaim.claim_id)
        .where(RemittanceClaim.remittance_id == remittance.id)
        .order_by(RemittanceClaim.ordinal)
    )
    claims = [PostedClaim(row_id, claim_id, state, fin) for row_id, claim_id, state, fin in rows]
    return PostingResult(remittance.id, False, claims, list(remittance.findings or []))
