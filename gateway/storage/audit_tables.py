"""The audit trail: append-only. No code path updates or deletes a row, and the database refuses to
(triggers created by migration 0002)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from gateway.storage.tables import Base, new_id, utcnow
from gateway.storage.types import UtcDateTime


class AuditEvent(Base):
    """Who did what, when, from where: PHI reads (patient + field names, never values) and security events."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_practice_time", "practice_id", "occurred_at", "id"),
        Index("ix_audit_events_practice_patient", "practice_id", "patient_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    kind: Mapped[str] = mapped_column(String(40))
    practice_id: Mapped[str | None] = mapped_column(String(36))
    actor_id: Mapped[str | None] = mapped_column(String(36))
    actor_kind: Mapped[str | None] = mapped_column(String(16))
    patient_id: Mapped[str | None] = mapped_column(String(36))
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    operation: Mapped[str | None] = mapped_column(String(120))
    request_id: Mapped[str | None] = mapped_column(String(64))
    client_address: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
