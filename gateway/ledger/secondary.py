"""The secondary claim: the primary's posted adjudication sent on to the patient's next coverage.

Built from the ledger, never from what the payer said elsewhere: the primary's claim payment as
posted (the latest one not taken back by a reversal, CLP02 22), its claim- and line-level
adjustments, paid amount, patient responsibility and payment date (the adjudication date), and the
patient's coverage of the next priority that is active on the dates of service. It goes through the
claims desk like any claim (edits, idempotency, outbox, exactly-once dispatcher), with relation
``secondary_of`` to the primary; the primary's history notes it.

Refusals (codes, on ``input.claimId``): CLAIM_NOT_FOUND, PRIMARY_NOT_ADJUDICATED (no payment
posted, or taken back), PRIMARY_FORWARDED (CLP02 19/20/21: the payer sent the claim on itself; a
second claim would be a duplicate), NO_SECONDARY_COVERAGE, SECONDARY_ALREADY_SENT.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.claims.codec import submission_from_json
from gateway.claims.corrections import (
    NOT_FOUND,
    SECONDARY_OF,
    Within,
    claim_error,
    draft_of,
    load_claim,
    lock_claim,
    note,
    successor,
)
from gateway.claims.desk import Acceptance, ClaimDesk, ClaimLink, LinkRefused
from gateway.payers import PayerDirectory
from gateway.storage.claims_tables import SubmittedClaim
from gateway.storage.ledger_tables import (
    Remittance,
    RemittanceAdjustment,
    RemittanceClaim,
    RemittanceLine,
)
from gateway.storage.tables import Coverage
from payers.codesets import lookup
from payers.model import (
    Adjustment,
    ClaimLine,
    PriorLineAdjudication,
    PriorPayerAdjudication,
)

RESPONSIBILITY = "PST"  # coverage priority 1, 2, 3
#: CLP02: processed as primary/secondary/tertiary and forwarded to the next payer (crossover).
FORWARDED = frozenset({"19", "20", "21"})
REVERSAL = "22"


class Refused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def auto_key(claim_id: str) -> str:
    """The idempotency key of the automatic secondary claim: posting twice sends it once."""
    return f"auto-secondary:{claim_id}"


async def send_secondary_claim(
    desk: ClaimDesk, practice_id: str, claim_id: str, idempotency_key: str
) -> Acceptance:
    """``sendSecondaryClaim``: the practice's claim by id, then :func:`maybe_send_secondary`."""
    async with desk.database.session() as session:
        claim = await load_claim(session, practice_id, claim_id)
        if claim is None:
            return claim_error("CLAIM_NOT_FOUND", NOT_FOUND)
        return await maybe_send_secondary(
            session, claim, desk=desk, idempotency_key=idempotency_key
        )


async def maybe_send_secondary(
    session: AsyncSession, claim: SubmittedClaim, *, desk: ClaimDesk, idempotency_key: str
) -> Acceptance:
    """Send ``claim``'s secondary claim if it may go. Reads with ``session`` (a plain session, not
    one in ``Database.transaction``: its read transaction is ended before the desk calls the payer;
    the desk writes in its own transaction). A key already used answers its claim."""
    coverage: Coverage | None = None
    prior: PriorPayerAdjudication | None = None
    refusal: Refused | None = None
    try:
        coverage = await next_coverage(session, claim)
        prior = await primary_adjudication(session, claim, desk.payers)
    except Refused as exc:
        refusal = exc
    draft = draft_of(claim, "1", None)
    if coverage is not None:
        draft = replace(draft, coverage_id=coverage.id)
    earlier = submission_from_json(claim.submission).prior_payers
    link = ClaimLink(
        related_claim_id=claim.id,
        relation=SECONDARY_OF,
        responsibility=RESPONSIBILITY[coverage.priority - 1] if coverage else "S",
        prior_payers=(*earlier, prior) if prior else (),
        within=_noting(claim.id),
    )
    replay = await desk.answer_for_key(
        claim.practice_id, idempotency_key.strip(), link.digest(draft)
    )
    if replay is not None:
        return replay
    if refusal is not None:
        return claim_error(refusal.code, refusal.message)
    sent = await successor(session, claim, (SECONDARY_OF,))
    # No transaction held across the desk's eligibility call to the payer.
    await session.commit()
    if sent is not None:
        return claim_error(*_already(sent))
    try:
        return await desk.submit(claim.practice_id, idempotency_key, draft, link=link)
    except LinkRefused as exc:
        return claim_error(exc.code, exc.message)


def _already(sent: SubmittedClaim) -> tuple[str, str]:
    return (
        "SECONDARY_ALREADY_SENT",
        f"The secondary claim was already sent as claim {sent.control_number} (id {sent.id}).",
    )


def _noting(primary_id: str) -> Within:
    async def within(session: AsyncSession, new: SubmittedClaim) -> None:
        primary = await lock_claim(session, primary_id)
        sent = await successor(session, primary, (SECONDARY_OF,), besides=new.id)
        if sent is not None:
            raise LinkRefused(*_already(sent))
        note(
            session,
            primary,
            "secondary",
            f"Sent on to {new.payer_id} as claim {new.control_number} (id {new.id}).",
        )

    return within


async def next_coverage(session: AsyncSession, claim: SubmittedClaim) -> Coverage:
    """The patient's coverage of the next priority, active on every date of service."""
    current = await session.scalar(select(Coverage).where(Coverage.id == claim.coverage_id))
    priority = (current.priority if current else 1) + 1
    if priority > len(RESPONSIBILITY):
        raise Refused("NO_SECONDARY_COVERAGE", "A claim goes to at most three payers.")
    candidates = await session.scalars(
        select(Coverage)
        .where(
            Coverage.practice_id == claim.practice_id,
            Coverage.patient_id == claim.patient_id,
            Coverage.priority == priority,
            Coverage.id != claim.coverage_id,
        )
        .order_by(Coverage.created_at.desc())
    )
    for coverage in candidates:
        if _active(coverage, claim.service_date_from, claim.service_date_to):
            return coverage
    raise Refused(
        "NO_SECONDARY_COVERAGE",
        f"The patient has no coverage of priority {priority} active on the dates of service.",
    )


def _active(coverage: Coverage, first: date, last: date) -> bool:
    starts, ends = coverage.effective_from, coverage.effective_to
    return (starts is None or starts <= first) and (ends is None or ends >= last)


async def primary_adjudication(
    session: AsyncSession, claim: SubmittedClaim, payers: PayerDirectory
) -> PriorPayerAdjudication:
    """The payer's adjudication of ``claim`` as posted in the ledger."""
    rows = list(
        await session.execute(
            select(RemittanceClaim, Remittance.payment_date, Remittance.received_at)
            .join(Remittance, Remittance.id == RemittanceClaim.remittance_id)
            .where(
                RemittanceClaim.claim_id == claim.id,
                RemittanceClaim.practice_id == claim.practice_id,
                RemittanceClaim.match_state.in_(("matched", "manual")),
            )
            .order_by(Remittance.received_at, RemittanceClaim.ordinal)
        )
    )
    standing: list[tuple[RemittanceClaim, date]] = []
    for row, paid_on, received_at in rows:
        if row.status_code == REVERSAL:
            if standing:
                standing.pop()  # the payer took that payment back
        else:
            standing.append((row, paid_on or received_at.date()))
    if not standing:
        raise Refused(
            "PRIMARY_NOT_ADJUDICATED",
            "No payment of this claim is posted (or the payer took it back): "
            "the secondary claim needs the primary's adjudication.",
        )
    posted, adjudicated = standing[-1]
    if posted.status_code in FORWARDED:
        raise Refused(
            "PRIMARY_FORWARDED",
            "The payer forwarded this claim to the next payer itself (crossover): sending it "
            "again would be a duplicate.",
        )
    configured = payers.get(claim.payer_id)
    current = await session.scalar(select(Coverage).where(Coverage.id == claim.coverage_id))
    adjustments = list(
        await session.scalars(
            select(RemittanceAdjustment)
            .where(RemittanceAdjustment.remittance_claim_id == posted.id)
            .order_by(RemittanceAdjustment.group_code, RemittanceAdjustment.reason_code)
        )
    )
    lines = list(
        await session.scalars(
            select(RemittanceLine)
            .where(RemittanceLine.remittance_claim_id == posted.id)
            .order_by(RemittanceLine.ordinal)
        )
    )
    billed = submission_from_json(claim.submission).lines
    by_line = _line_numbers(lines, billed)
    return PriorPayerAdjudication(
        payer_id=claim.payer_id,
        payer_name=configured.settings.name if configured else claim.payer_id,
        member_id=(current.member_id if current else "").strip().upper(),
        responsibility=submission_from_json(claim.submission).responsibility,
        paid=posted.paid,
        adjudication_date=adjudicated,
        payer_claim_id=posted.payer_claim_id or claim.payer_claim_id,
        patient_responsibility=posted.patient_responsibility,
        adjustments=tuple(_adjustment(a) for a in adjustments if a.line_id is None),
        lines=tuple(
            PriorLineAdjudication(
                line_number=by_line[line.id],
                procedure=lookup("procedure", line.procedure_code),
                paid=line.paid,
                paid_units=line.units,
                modifiers=tuple(line.modifiers),
                adjustments=tuple(_adjustment(a) for a in adjustments if a.line_id == line.id),
                adjudication_date=adjudicated,
            )
            for line in lines
            if line.id in by_line
        ),
    )


def _line_numbers(lines: list[RemittanceLine], billed: tuple[ClaimLine, ...]) -> dict[str, int]:
    """Which billed line each paid line settles: same procedure (and date), first unused; else the
    billed line at its position."""
    free = list(billed)
    found: dict[str, int] = {}
    for line in lines:
        match = next(
            (
                b
                for b in free
                if b.procedure.code == line.procedure_code
                and (line.service_date is None or b.service_date == line.service_date)
            ),
            None,
        )
        if match is None and line.ordinal - 1 < len(billed) and billed[line.ordinal - 1] in free:
            match = billed[line.ordinal - 1]
        if match is not None:
            free.remove(match)
            found[line.id] = match.line_number
    return found


def _adjustment(row: RemittanceAdjustment) -> Adjustment:
    return Adjustment(
        group=lookup("adjustment-group", row.group_code),
        reason=lookup("carc", row.reason_code),
        amount=row.amount,
        quantity=row.quantity,
        remarks=tuple(lookup("rarc", r) for r in row.remarks or ()),
    )
