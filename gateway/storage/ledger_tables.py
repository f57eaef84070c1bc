"""The practice's ledger: remittances as payers sent them, and how each claim payment was posted.

A remittance is stored once per (practice, payer, trace number): the unique key is what makes
fetching or uploading the same 835 twice change nothing, across any number of processes. Its claim
payments, service lines and adjustments are stored as the payer stated them (signs kept: a reversal,
CLP02 22, carries negative amounts), and each claim payment says which of our claims it posted to,
or that it waits on the unmatched worklist. A claim's financials are the sum of the claim payments
posted to it. Managed by migrations 0010_ledger and 0011_ledger_pull_lease.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from gateway.storage.claims_tables import MONEY
from gateway.storage.tables import Base, new_id, utcnow
from gateway.storage.types import UtcDateTime

QUANTITY = Numeric(12, 3)


class Remittance(Base):
    """One payment (or non-payment) from a payer: an 835 transaction, a FHIR
    PaymentReconciliation/EOB set, a REST payment, an uploaded file or a typed-in paper EOB."""

    __tablename__ = "remittances"
    __table_args__ = (
        UniqueConstraint("practice_id", "payer_id", "trace_number"),
        Index("ix_remittances_practice_paid", "practice_id", "payment_date", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    practice_id: Mapped[str] = mapped_column(ForeignKey("practices.id"))
    payer_id: Mapped[str] = mapped_column(String(63))
    trace_number: Mapped[str] = mapped_column(String(50))  # TRN02: the check or EFT number
    payment_date: Mapped[date | None] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(MONEY)  # BPR02
    method_code: Mapped[str] = mapped_column(String(8))  # BPR04: CHK, ACH, NON, ...
    payee_npi: Mapped[str | None] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(12))  # fetched | uploaded | entered
    #: Balancing and data-quality findings from the parser: [{code, message, place, amounts...}].
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    received_by: Mapped[str | None] = mapped_column(
        String(36)
    )  # user or API key id; None: the puller
    #: The payer's raw exchange (gateway.claims.codec.exchange_to_json) or the uploaded file: PHI.
    raw_exchange: Mapped[dict[str, Any] | None] = mapped_column(JSON, deferred=True)


class RemittanceClaim(Base):
    """One claim payment in a remittance (835 loop 2100, an EOB) and where it was posted."""

    __tablename__ = "remittance_claims"
    __table_args__ = (
        UniqueConstraint("remittance_id", "ordinal"),
        Index("ix_remittance_claims_claim", "claim_id"),
        Index("ix_remittance_claims_practice_match", "practice_id", "match_state"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    remittance_id: Mapped[str] = mapped_column(ForeignKey("remittances.id"))
    practice_id: Mapped[str] = mapped_column(ForeignKey("practices.id"))
    ordinal: Mapped[int] = mapped_column(Integer)  # position in the remittance, from 1
    control_number: Mapped[str | None] = mapped_column(String(38))  # CLP01: our control number
    payer_claim_id: Mapped[str | None] = mapped_column(String(50))  # CLP07
    status_code: Mapped[str] = mapped_column(String(4))  # CLP02: 1, 2, 3, 4, 19, 20, 21, 22, 23
    charge: Mapped[Decimal] = mapped_column(MONEY)
    paid: Mapped[Decimal] = mapped_column(MONEY)
    patient_responsibility: Mapped[Decimal | None] = mapped_column(MONEY)
    member_id: Mapped[str | None] = mapped_column(String(80))  # PHI (NM1*QC / IL)
    service_date_from: Mapped[date | None] = mapped_column(Date)
    service_date_to: Mapped[date | None] = mapped_column(Date)
    remarks: Mapped[list[str]] = mapped_column(JSON, default=list)  # claim-level RARC (MOA/MIA)
    #: matched (automatically), manual (matched by a person), unmatched (on the worklist).
    match_state: Mapped[str] = mapped_column(String(12))
    claim_id: Mapped[str | None] = mapped_column(ForeignKey("claims.id"))
    matched_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    matched_by: Mapped[str | None] = mapped_column(String(36))  # user id for a manual match


class RemittanceLine(Base):
    """One service line of a claim payment (835 loop 2110 SVC)."""

    __tablename__ = "remittance_lines"
    __table_args__ = (UniqueConstraint("remittance_claim_id", "ordinal"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    remittance_claim_id: Mapped[str] = mapped_column(ForeignKey("remittance_claims.id"))
    ordinal: Mapped[int] = mapped_column(Integer)
    procedure_code: Mapped[str] = mapped_column(String(48))
    modifiers: Mapped[list[str]] = mapped_column(JSON, default=list)
    units: Mapped[Decimal | None] = mapped_column(QUANTITY)
    service_date: Mapped[date | None] = mapped_column(Date)
    charge: Mapped[Decimal] = mapped_column(MONEY)
    allowed: Mapped[Decimal | None] = mapped_column(MONEY)  # AMT*B6
    paid: Mapped[Decimal] = mapped_column(MONEY)
    remarks: Mapped[list[str]] = mapped_column(JSON, default=list)  # LQ*HE RARCs


class RemittanceAdjustment(Base):
    """One CAS adjustment, claim-level (``line_id`` empty) or on a service line."""

    __tablename__ = "remittance_adjustments"
    __table_args__ = (Index("ix_remittance_adjustments_claim", "remittance_claim_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    remittance_claim_id: Mapped[str] = mapped_column(ForeignKey("remittance_claims.id"))
    line_id: Mapped[str | None] = mapped_column(ForeignKey("remittance_lines.id"))
    group_code: Mapped[str] = mapped_column(String(2))  # CO, PR, OA, PI, CR
    reason_code: Mapped[str] = mapped_column(String(5))  # CARC
    amount: Mapped[Decimal] = mapped_column(MONEY)
    quantity: Mapped[Decimal | None] = mapped_column(QUANTITY)
    remarks: Mapped[list[str]] = mapped_column(JSON, default=list)  # RARCs stated with it


class RemittanceProviderAdjustment(Base):
    """A provider-level adjustment (835 PLB): not a claim's, but part of the payment's balance."""

    __tablename__ = "remittance_provider_adjustments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    remittance_id: Mapped[str] = mapped_column(ForeignKey("remittances.id"), index=True)
    reason_code: Mapped[str] = mapped_column(String(4))  # PLB03-1: WO, L6, FB, 72, ...
    reference: Mapped[str | None] = mapped_column(String(50))  # PLB03-2
    amount: Mapped[Decimal] = mapped_column(MONEY)


class RemittancePull(Base):
    """When each payer's remittances were last fetched for a practice, and who holds the next fetch.

    The puller takes due rows with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL) or a lease (SQLite), so
    several processes never fetch the same payer for the same practice at once.
    """

    __tablename__ = "remittance_pulls"
    __table_args__ = (UniqueConstraint("practice_id", "payer_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    practice_id: Mapped[str] = mapped_column(ForeignKey("practices.id"))
    payer_id: Mapped[str] = mapped_column(String(63))
    next_pull_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    leased_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    #: Which puller's lease (0011): a pull's outcome is recorded only by the lease's holder.
    lease_owner: Mapped[str | None] = mapped_column(String(32))
    last_pulled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_paid_on: Mapped[date | None] = mapped_column(
        Date
    )  # the newest payment date seen: next `since`
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # real fetches that failed in a row
    last_error: Mapped[str | None] = mapped_column(String(200))
