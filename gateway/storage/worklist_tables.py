"""The batch worklist: what a batch's checks left for the front desk to do, and who ticked it off.

One row per (check, kind): a check classified twice (a worker that crashed after writing, a retry)
writes its items once. ``facts`` holds the item's facts as JSON (money as decimal strings, dates ISO,
codes with their system and description; see gateway/jobs/worklist_codec.py). ``resolved_by`` is
the user or API key that marked the item done. Managed by migration 0014_worklist.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gateway.storage.tables import Base, new_id, utcnow
from gateway.storage.types import UtcDateTime


class WorklistItemRow(Base):
    """One thing to act on after a batch check, with its facts and whether it is done."""

    __tablename__ = "worklist_items"
    __table_args__ = (
        UniqueConstraint("check_id", "kind"),
        Index("ix_worklist_items_batch_kind", "practice_id", "batch_id", "kind", "id"),
        Index("ix_worklist_items_patient", "practice_id", "patient_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    practice_id: Mapped[str] = mapped_column(ForeignKey("practices.id"))
    batch_id: Mapped[str] = mapped_column(String(36))
    check_id: Mapped[str] = mapped_column(String(36))
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"))
    coverage_id: Mapped[str | None] = mapped_column(ForeignKey("coverages.id"))
    payer_id: Mapped[str] = mapped_column(String(63))
    kind: Mapped[str] = mapped_column(String(32))
    explanation: Mapped[str] = mapped_column(Text)
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    resolved_by: Mapped[str | None] = mapped_column(String(36))
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
