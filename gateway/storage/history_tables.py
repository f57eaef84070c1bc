"""Claims payers report for the practice's patients, and the schedule that refreshes them.

A payer that offers claim search (FHIR ExplanationOfBenefit, REST claim listing; X12 has none) is
asked for each of the practice's members on a schedule; each claim it reports is stored once per
(practice, payer, claim reference) and updated in place on every refresh. A reported claim that is
one we submitted (same control number, or the payer's claim number we were acknowledged with) names
that claim in ``submitted_claim_id``: it is linked, never counted a second time. Managed by
migration 0017_claim_history.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gateway.storage.claims_tables import MONEY
from gateway.storage.tables import Base, new_id, utcnow
from gateway.storage.types import UtcDateTime


class PayerReportedClaim(Base):
    """One claim a payer reported for one of the practice's patients, as of the last refresh."""

    __tablename__ = "payer_reported_claims"
    __table_args__ = (
        UniqueConstraint("practice_id", "payer_id", "claim_ref"),
        Index("ix_payer_reported_claims_service", "practice_id", "service_date_from", "id"),
        Index("ix_payer_reported_claims_payer_claim", "practice_id", "payer_id", "payer_claim_id"),
        Index("ix_payer_reported_claims_submitted", "submitted_claim_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    practice_id: Mapped[str] = mapped_column(ForeignKey("practices.id"))
    payer_id: Mapped[str] = mapped_column(String(63))
    #: The payer's claim number, else "cn:" + the control number it states: the row's identity.
    claim_ref: Mapped[str] = mapped_column(String(64))
    payer_claim_id: Mapped[str | None] = mapped_column(String(50))
    control_number: Mapped[str | None] = mapped_column(String(38))
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"))
    coverage_id: Mapped[str] = mapped_column(ForeignKey("coverages.id"))
    member_id: Mapped[str] = mapped_column(String(80))  # PHI
    #: The claim we submitted that this is (linked: shown on that claim, not as a row of its own).
    submitted_claim_id: Mapped[str | None] = mapped_column(ForeignKey("claims.id"))
    state: Mapped[str] = mapped_column(String(24))
    category_code: Mapped[str | None] = mapped_column(String(4))
    status_code: Mapped[str | None] = mapped_column(String(8))
    effective_date: Mapped[date | None] = mapped_column(Date)
    service_date_from: Mapped[date | None] = mapped_column(Date)
    service_date_to: Mapped[date | None] = mapped_column(Date)
    total_charge: Mapped[Decimal] = mapped_column(MONEY)
    paid_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    patient_responsibility: Mapped[Decimal | None] = mapped_column(MONEY)
    place_of_service: Mapped[str | None] = mapped_column(String(4))
    diagnoses: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: [{lineNumber, procedure, modifiers, units, charge, allowed, paid, serviceDate}] (strings).
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    first_reported_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    refreshed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ClaimHistoryRefresh(Base):
    """When a practice's claims were last asked of one payer, and who holds the next refresh.

    Leased like the remittance pulls (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, a conditional
    UPDATE everywhere): one process refreshes a (practice, payer) at a time.
    """

    __tablename__ = "claim_history_refreshes"
    __table_args__ = (UniqueConstraint("practice_id", "payer_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    practice_id: Mapped[str] = mapped_column(ForeignKey("practices.id"))
    payer_id: Mapped[str] = mapped_column(String(63))
    next_refresh_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    leased_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    lease_owner: Mapped[str | None] = mapped_column(String(32))
    last_refreshed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    refreshes: Mapped[int] = mapped_column(Integer, default=0)  # completed refreshes, ever
    claims_reported: Mapped[int] = mapped_column(Integer, default=0)  # in the last refresh
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # failed refreshes in a row
    last_error: Mapped[str | None] = mapped_column(String(200))
