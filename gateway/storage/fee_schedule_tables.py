"""The practice's fee schedule: the amount each payer (or any payer) allows for a procedure code.

One row per (practice, payer, code, pricing modifier, effective from): setting an entry again with
the same key replaces its amount (an upsert on that unique key, so a resent request changes nothing
more). ``payer_id`` is ``"*"`` for an entry that applies at any payer and ``modifier`` is ``""`` for
the code without a pricing modifier. Managed by migration 0016_fee_schedule.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gateway.storage.claims_tables import MONEY
from gateway.storage.tables import Base, new_id, utcnow
from gateway.storage.types import UtcDateTime

ANY_PAYER = "*"


class FeeScheduleEntry(Base):
    """What a payer allows for one code (all modifiers, or one pricing modifier) from a date."""

    __tablename__ = "fee_schedule_entries"
    __table_args__ = (
        UniqueConstraint("practice_id", "payer_id", "procedure_code", "modifier", "effective_from"),
        Index("ix_fee_schedule_lookup", "practice_id", "procedure_code"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    practice_id: Mapped[str] = mapped_column(ForeignKey("practices.id"))
    payer_id: Mapped[str] = mapped_column(String(63))  # "*": any payer
    procedure_code: Mapped[str] = mapped_column(String(5))
    modifier: Mapped[str] = mapped_column(String(2))  # "": no pricing modifier
    allowed_amount: Mapped[Decimal] = mapped_column(MONEY)  # per unit
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(36))
