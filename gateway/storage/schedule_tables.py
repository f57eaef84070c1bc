"""The practice's schedule: appointments and the procedures planned for each.

An appointment is kept once per natural key, so importing the same schedule twice (or by two
processes at once) changes nothing the second time: the EHR's own appointment id
(``practice_id, external_id``) when the file carries one, else the patient and start time of an
appointment that is not cancelled (a partial unique index, so a cancelled slot can be booked again).
Start times are stored as aware UTC instants; the practice's day is read in its own time zone
(``practices.time_zone``). Managed by migration 0012_appointments.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, Integer, Numeric, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from gateway.storage.claims_tables import MONEY
from gateway.storage.tables import Base, new_id, utcnow
from gateway.storage.types import UtcDateTime

UNITS = Numeric(12, 3)
NOT_CANCELLED = "status != 'cancelled'"


class Appointment(Base):
    """A booked visit: who, when, with whom, where, and what is planned."""

    __tablename__ = "appointments"
    __table_args__ = (
        UniqueConstraint("practice_id", "external_id"),
        Index("ix_appointments_practice_start", "practice_id", "starts_at", "id"),
        Index(
            "ux_appointments_patient_start",
            "practice_id",
            "patient_id",
            "starts_at",
            unique=True,
            sqlite_where=text(NOT_CANCELLED),
            postgresql_where=text(NOT_CANCELLED),
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    practice_id: Mapped[str] = mapped_column(ForeignKey("practices.id"))
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime())
    provider_npi: Mapped[str] = mapped_column(String(10))
    location: Mapped[str | None] = mapped_column(String(120))
    visit_type: Mapped[str] = mapped_column(String(60))
    #: X12 service type codes (EQ01) the visit is about, e.g. ["98"] or ["33", "AE"].
    service_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(12), default="booked")
    #: The EHR's id of the appointment (CSV appointment_id, FHIR Appointment.identifier or id).
    external_id: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(8), default="api")  # api | csv | fhir
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(36))  # user or API key id


class AppointmentProcedure(Base):
    """One planned procedure (CPT/HCPCS) of an appointment, in the order given."""

    __tablename__ = "appointment_procedures"
    __table_args__ = (UniqueConstraint("appointment_id", "ordinal"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    appointment_id: Mapped[str] = mapped_column(ForeignKey("appointments.id"))
    ordinal: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(5))
    units: Mapped[Decimal] = mapped_column(UNITS)
    charge: Mapped[Decimal | None] = mapped_column(MONEY)
