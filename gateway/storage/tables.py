"""The gateway's own tables (SQLAlchemy 2). Every practice-owned row carries ``practice_id``.

The schema is managed by the Alembic migrations in ``gateway/storage/migrations``; these classes must
match them (a test compares the two).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from gateway.storage.types import UtcDateTime


def new_id() -> str:
    return str(uuid.uuid4())


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class Practice(Base):
    __tablename__ = "practices"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    npi: Mapped[str] = mapped_column(String(10), unique=True)
    tax_id: Mapped[str] = mapped_column(String(9))
    status: Mapped[str] = mapped_column(
        String(16), default="approved"
    )  # pending, approved, rejected
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    contact_email: Mapped[str | None] = mapped_column(String(254))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(36))
    rejection_reason: Mapped[str | None] = mapped_column(String(500))
    #: Send the secondary claim by itself once the primary's payment posts (0010_ledger).
    auto_secondary_claims: Mapped[bool] = mapped_column(default=False)
    #: IANA zone of the practice's clock: its "today", "tomorrow" and appointment times (0012).
    time_zone: Mapped[str] = mapped_column(String(64), default="America/New_York")


class ApiKey(Base):
    """A partner system's key: only a SHA-256 digest of the secret is stored (keys are random)."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    practice_id: Mapped[str] = mapped_column(ForeignKey("practices.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_by: Mapped[str | None] = mapped_column(String(36))


class Patient(Base):
    __tablename__ = "patients"
    __table_args__ = (
        Index("ix_patients_practice_name", "practice_id", "last_name", "first_name", "id"),
        Index("ix_patients_practice_activity", "practice_id", "last_activity_at", "id"),
        Index("ix_patients_practice_birth_date", "practice_id", "birth_date"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    practice_id: Mapped[str] = mapped_column(ForeignKey("practices.id"))
    first_name: Mapped[str] = mapped_column(String(60))
    last_name: Mapped[str] = mapped_column(String(60))
    birth_date: Mapped[date] = mapped_column(Date)
    gender: Mapped[str | None] = mapped_column(String(16))
    address_line1: Mapped[str | None] = mapped_column(String(120))
    city: Mapped[str | None] = mapped_column(String(60))
    state: Mapped[str | None] = mapped_column(String(2))
    postal_code: Mapped[str | None] = mapped_column(String(10))
    phone: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    #: Latest activity the gateway recorded for the patient (gateway/patient_activity.py).
    last_activity_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    coverages: Mapped[list[Coverage]] = relationship(
        back_populates="patient", order_by="Coverage.priority", lazy="raise"
    )


class Coverage(Base):
    """One insurance card of a patient at one payer; ``priority`` 1 = primary, 2 = secondary..."""

    __tablename__ = "coverages"
    __table_args__ = (UniqueConstraint("patient_id", "payer_id", "member_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    practice_id: Mapped[str] = mapped_column(ForeignKey("practices.id"), index=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    payer_id: Mapped[str] = mapped_column(String(63))
    member_id: Mapped[str] = mapped_column(String(80))
    group_number: Mapped[str | None] = mapped_column(String(50))
    plan_name: Mapped[str | None] = mapped_column(String(120))
    relation: Mapped[str] = mapped_column(String(16), default="self")
    subscriber_first_name: Mapped[str | None] = mapped_column(String(60))
    subscriber_last_name: Mapped[str | None] = mapped_column(String(60))
    subscriber_birth_date: Mapped[date | None] = mapped_column(Date)
    priority: Mapped[int] = mapped_column(Integer, default=1)
    effective_from: Mapped[date | None] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    patient: Mapped[Patient] = relationship(back_populates="coverages", lazy="raise")
