"""Claims the gateway accepted, their outbox, status history, remittances and partner webhooks.

A claim and its outbox row are written in one transaction; the dispatcher deletes nothing (an outbox
row is marked ``sent``), so what was accepted can always be traced. Managed by migration 0003_claims
(and 0005_raw_exchange: the payer's raw words on a status entry).
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

from gateway.storage.sealed import SealedString
from gateway.storage.tables import Base, new_id, utcnow
from gateway.storage.types import UtcDateTime

MONEY = Numeric(12, 2)


class SubmittedClaim(Base):
    """A claim accepted by ``submitClaim``: what was sent, to whom, and where it stands now."""

    __tablename__ = "claims"
    __table_args__ = (
        UniqueConstraint("practice_id", "idempotency_key"),
        Index("ix_claims_practice_created", "practice_id", "created_at", "id"),
        Index("ix_claims_open_poll", "state", "next_poll_at"),
        # Remittance matching by the payer's claim number (0011_ledger_pull_lease).
        Index("ix_claims_practice_payer_claim", "practice_id", "payer_id", "payer_claim_id"),
        # History export slices by service date (0018_claim_lines).
        Index("ix_claims_practice_service", "practice_id", "service_date_from", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    practice_id: Mapped[str] = mapped_column(ForeignKey("practices.id"))
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    coverage_id: Mapped[str] = mapped_column(ForeignKey("coverages.id"))
    payer_id: Mapped[str] = mapped_column(String(63))
    idempotency_key: Mapped[str] = mapped_column(String(100))
    request_digest: Mapped[str] = mapped_column(String(64))
    control_number: Mapped[str] = mapped_column(String(20), unique=True)
    patient_account_number: Mapped[str | None] = mapped_column(String(20))
    submission: Mapped[dict[str, Any]] = mapped_column(JSON)
    total_charge: Mapped[Decimal] = mapped_column(MONEY)
    service_date_from: Mapped[date] = mapped_column(Date)
    service_date_to: Mapped[date] = mapped_column(Date)
    frequency_code: Mapped[str] = mapped_column(String(1))
    state: Mapped[str] = mapped_column(String(24), default="submitted")
    category_code: Mapped[str | None] = mapped_column(String(4))
    status_code: Mapped[str | None] = mapped_column(String(8))
    payer_claim_id: Mapped[str | None] = mapped_column(String(50))
    paid_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    next_poll_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    #: From the ledger (0010_ledger): paid, partially_paid, denied, reversed; None until a payment posts.
    financial_state: Mapped[str | None] = mapped_column(String(20))
    #: The claim this one replaces (frequency 7), voids (8) or follows as the secondary claim.
    related_claim_id: Mapped[str | None] = mapped_column(ForeignKey("claims.id"))
    relation: Mapped[str | None] = mapped_column(String(12))  # replaces | voids | secondary_of


class ClaimOutbox(Base):
    """One claim waiting to leave (``pending``), delivered (``sent``) or refused for good (``failed``)."""

    __tablename__ = "claim_outbox"
    __table_args__ = (Index("ix_claim_outbox_due", "state", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id"), unique=True)
    payer_id: Mapped[str] = mapped_column(String(63))
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    leased_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    #: Which dispatcher's lease (one id per lease): an answer is recorded only by the lease's holder.
    lease_owner: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ClaimStatusEntry(Base):
    """One status a payer (or the gateway) stated for a claim, in the order it was recorded."""

    __tablename__ = "claim_status_history"
    __table_args__ = (Index("ix_claim_status_history_claim", "claim_id", "recorded_at", "id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id"))
    practice_id: Mapped[str] = mapped_column(ForeignKey("practices.id"))
    state: Mapped[str] = mapped_column(String(24))
    category_code: Mapped[str | None] = mapped_column(String(4))
    category_description: Mapped[str | None] = mapped_column(String(300))
    status_code: Mapped[str | None] = mapped_column(String(8))
    status_description: Mapped[str | None] = mapped_column(String(300))
    entity_code: Mapped[str | None] = mapped_column(String(4))
    effective_date: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(24))  # submission, acknowledgment, poll, remittance
    #: The gateway's words on this status: any claims reader may see them.
    message: Mapped[str | None] = mapped_column(String(500))
    #: What the payer wrote (STC12, a disposition, a rejection's text): may name the member; phi:read.
    payer_message: Mapped[str | None] = mapped_column(String(2000))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    #: The exchange the payer stated this status in (gateway.claims.codec.exchange_to_json): PHI, and
    #: up to 2 x 256 KiB, so loaded only when a caller allowed to see it asks for it.
    raw_exchange: Mapped[dict[str, Any] | None] = mapped_column(JSON, deferred=True)


class ClaimRemittance(Base):
    """A payment (835 / EOB) seen for a claim; recorded once per trace number."""

    __tablename__ = "claim_remittances"
    __table_args__ = (UniqueConstraint("claim_id", "trace_number"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id"))
    practice_id: Mapped[str] = mapped_column(ForeignKey("practices.id"))
    trace_number: Mapped[str] = mapped_column(String(50))
    payment_date: Mapped[date | None] = mapped_column(Date)
    paid: Mapped[Decimal] = mapped_column(MONEY)
    status_code: Mapped[str] = mapped_column(String(4))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Webhook(Base):
    """A partner system's URL for claim status changes and remittances; ``secret`` signs deliveries."""

    __tablename__ = "webhooks"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    practice_id: Mapped[str] = mapped_column(ForeignKey("practices.id"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(SealedString)  # sealed at rest: gateway/storage/sealed.py
    events: Mapped[list[str]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class WebhookDelivery(Base):
    """One event for one webhook: every attempt's outcome is kept on the row."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_due", "state", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    webhook_id: Mapped[str] = mapped_column(ForeignKey("webhooks.id"), index=True)
    practice_id: Mapped[str] = mapped_column(ForeignKey("practices.id"))
    event: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending, delivered, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
