"""Storing the claims a payer reports for one member: one row per (practice, payer, claim),
updated in place on every refresh, and linked to the claim we submitted when it is one of ours."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.storage.claims_tables import SubmittedClaim
from gateway.storage.history_tables import PayerReportedClaim
from gateway.storage.tables import Coverage, new_id
from payers.model import Claim

_UPDATED = (
    "payer_claim_id",
    "control_number",
    "patient_id",
    "coverage_id",
    "member_id",
    "submitted_claim_id",
    "state",
    "category_code",
    "status_code",
    "effective_date",
    "service_date_from",
    "service_date_to",
    "total_charge",
    "paid_amount",
    "patient_responsibility",
    "place_of_service",
    "diagnoses",
    "lines",
    "refreshed_at",
)


def claim_ref(claim: Claim) -> str | None:
    """The claim's identity at its payer: its claim number, else the control number it states."""
    if claim.payer_claim_id:
        return claim.payer_claim_id[:64]
    if claim.control_number:
        return f"cn:{claim.control_number}"[:64]
    return None


def fits(claim: Claim) -> bool:
    """Whether the claim's identifiers and codes fit the table (never cut to fit: skipped)."""
    status = claim.status
    limits = (
        (claim.payer_claim_id, 50),
        (claim.control_number, 38),
        (status.category.code, 4),
        (status.status.code if status.status else None, 8),
        (claim.place_of_service.code if claim.place_of_service else None, 4),
    )
    return all(value is None or len(value) <= size for value, size in limits)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _lines(claim: Claim) -> list[dict[str, Any]]:
    return [
        {
            "lineNumber": line.line_number,
            "procedure": line.procedure.code,
            "modifiers": list(line.modifiers),
            "units": _text(line.units),
            "charge": str(line.charge),
            "allowed": _text(line.allowed_amount),
            "paid": _text(line.paid_amount),
            "serviceDate": line.service_date.isoformat() if line.service_date else None,
        }
        for line in claim.lines
    ]


async def _ours(
    session: AsyncSession, practice_id: str, payer_id: str, claims: Sequence[Claim]
) -> dict[tuple[str, str], str]:
    """Our claims these are: ("cn", control number) or ("pc", payer claim id) -> claim id."""
    numbers = [c.control_number for c in claims if c.control_number]
    payer_ids = [c.payer_claim_id for c in claims if c.payer_claim_id]
    if not numbers and not payer_ids:
        return {}
    found: dict[tuple[str, str], str] = {}
    for claim_id, control, payer_claim in await session.execute(
        select(
            SubmittedClaim.id, SubmittedClaim.control_number, SubmittedClaim.payer_claim_id
        ).where(
            SubmittedClaim.practice_id == practice_id,
            SubmittedClaim.payer_id == payer_id,
            or_(
                SubmittedClaim.control_number.in_(numbers),
                SubmittedClaim.payer_claim_id.in_(payer_ids),
            ),
        )
    ):
        found[("cn", control)] = claim_id
        if payer_claim:
            found[("pc", payer_claim)] = claim_id
    return found


async def store_reported_claims(
    session: AsyncSession, coverage: Coverage, payer_id: str, claims: Sequence[Claim]
) -> int:
    """Upsert what the payer reported for ``coverage``'s member; returns how many were stored."""
    ours = await _ours(session, coverage.practice_id, payer_id, claims)
    builder = (
        postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    )
    now = datetime.now(UTC)
    stored = 0
    for claim in claims:
        ref = claim_ref(claim)
        # Nothing identifies it at the payer (it could never be updated in place), or it does not fit.
        if ref is None or not fits(claim):
            continue
        linked = ours.get(("cn", claim.control_number or "")) or ours.get(
            ("pc", claim.payer_claim_id or "")
        )
        status = claim.status
        values: dict[str, Any] = {
            "payer_claim_id": claim.payer_claim_id,
            "control_number": claim.control_number,
            "patient_id": coverage.patient_id,
            "coverage_id": coverage.id,
            "member_id": coverage.member_id,
            "submitted_claim_id": linked,
            "state": status.state.value,
            "category_code": status.category.code,
            "status_code": status.status.code if status.status else None,
            "effective_date": status.effective_date,
            "service_date_from": claim.service_date_from,
            "service_date_to": claim.service_date_to,
            "total_charge": claim.total_charge,
            "paid_amount": claim.paid_amount
            if claim.paid_amount is not None
            else status.paid_amount,
            "patient_responsibility": claim.patient_responsibility,
            "place_of_service": claim.place_of_service.code if claim.place_of_service else None,
            "diagnoses": [d.code for d in claim.diagnoses],
            "lines": _lines(claim),
            "refreshed_at": now,
        }
        statement = builder(PayerReportedClaim).values(
            id=new_id(),
            practice_id=coverage.practice_id,
            payer_id=payer_id,
            claim_ref=ref,
            first_reported_at=now,
            **values,
        )
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["practice_id", "payer_id", "claim_ref"],
                set_={name: getattr(statement.excluded, name) for name in _UPDATED},
            )
        )
        stored += 1
    return stored
