"""Coordination-of-benefits hints: other coverage a payer said a patient has (X12 EB*R + 2120, a
FHIR eligibility response's Coverage of another payor, a REST ``otherCoverage`` entry).

One row per (practice, patient, reporting payer, other payer): seeing the same hint again only moves
``last_seen_at`` and refreshes what the payer now says (unique key + ON CONFLICT, so concurrent
eligibility checks on several replicas never write it twice). Managed by migration
0015_coverage_hints.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gateway.storage.tables import Base, new_id, utcnow
from gateway.storage.types import UtcDateTime


class CoverageHint(Base):
    """Another payer a payer reported for a patient; PHI (member id), read only with phi:read."""

    __tablename__ = "coverage_hints"
    __table_args__ = (
        UniqueConstraint("practice_id", "patient_id", "reporting_payer_id", "other_payer_key"),
        Index("ix_coverage_hints_patient", "practice_id", "patient_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    practice_id: Mapped[str] = mapped_column(ForeignKey("practices.id"))
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"))
    reporting_payer_id: Mapped[str] = mapped_column(String(63))  # the gateway payer that said so
    #: The other payer's id as reported (or its upper-cased name when none): the dedup key.
    other_payer_key: Mapped[str] = mapped_column(String(80))
    other_payer_name: Mapped[str] = mapped_column(String(80))
    other_payer_id: Mapped[str | None] = mapped_column(String(80))  # e.g. X12 2120 NM109
    member_id: Mapped[str | None] = mapped_column(String(80))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    first_seen_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
