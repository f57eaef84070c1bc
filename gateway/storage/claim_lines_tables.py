"""A submitted claim's service lines as rows (one per 837 loop 2400 / FHIR Claim.item).

The claim's submission JSON stays what the dispatcher sends; these rows are written beside it in the
same transaction (gateway/claims/desk.py) so history exports and analytics read lines with plain SQL
instead of parsing every claim's JSON. Modifiers and diagnosis pointers are comma-joined text: a
line has at most four of each, and text keeps a million-line export free of per-row JSON decoding.
Managed by migration 0018_claim_lines (which also backfilled the claims stored before it).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gateway.storage.claims_tables import MONEY
from gateway.storage.ledger_tables import QUANTITY
from gateway.storage.tables import Base, new_id


class SubmittedClaimLine(Base):
    """One service line of a claim the gateway accepted, as it was submitted."""

    __tablename__ = "claim_lines"
    __table_args__ = (
        UniqueConstraint("claim_id", "line_number"),
        Index("ix_claim_lines_practice", "practice_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id"))
    practice_id: Mapped[str] = mapped_column(ForeignKey("practices.id"))
    line_number: Mapped[int] = mapped_column(Integer)
    procedure_code: Mapped[str] = mapped_column(String(48))
    modifiers: Mapped[str | None] = mapped_column(String(20))  # "25,59"
    diagnosis_pointers: Mapped[str | None] = mapped_column(String(20))  # "1,2"
    units: Mapped[Decimal] = mapped_column(QUANTITY)
    charge: Mapped[Decimal] = mapped_column(MONEY)
    service_date: Mapped[date | None] = mapped_column(Date)


def line_rows(
    claim_id: str, practice_id: str, submission: dict[str, object]
) -> list[dict[str, object]]:
    """The claim_lines rows of a stored submission (``submission_to_json``'s shape)."""
    rows = []
    for line in submission.get("lines") or ():  # type: ignore[attr-defined]
        served = line.get("serviceDate")
        rows.append(
            {
                "id": new_id(),
                "claim_id": claim_id,
                "practice_id": practice_id,
                "line_number": int(line["lineNumber"]),
                "procedure_code": line["procedureCode"],
                "modifiers": ",".join(line.get("modifiers") or ()) or None,
                "diagnosis_pointers": ",".join(str(p) for p in line.get("diagnosisPointers") or ())
                or None,
                "units": Decimal(line["units"]),
                "charge": Decimal(line["charge"]),
                "service_date": date.fromisoformat(served) if served else None,
            }
        )
    return rows
