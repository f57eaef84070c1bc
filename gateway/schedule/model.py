"""What the schedule hands to the rest of the gateway: plain frozen values, Decimal money."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

#: Appointment statuses (FHIR Appointment.status words the front desk uses), in a day's order.
STATUSES: dict[str, str] = {
    "booked": "Booked",
    "arrived": "Arrived",
    "fulfilled": "Seen",
    "noshow": "Did not come",
    "cancelled": "Cancelled",
}


@dataclass(frozen=True, slots=True)
class PlannedProcedure:
    code: str  # CPT or HCPCS Level II
    units: Decimal
    charge: Decimal | None  # the practice's charge for all units, when given


@dataclass(frozen=True, slots=True)
class Appointment:
    id: str
    patient_id: str
    starts_at: datetime  # aware, in the practice's zone
    provider_npi: str
    location: str | None
    visit_type: str
    service_types: tuple[str, ...]
    procedures: tuple[PlannedProcedure, ...]
    status: str
    external_id: str | None = None
