"""The practice's schedule: appointments booked through the API or imported from the EHR.

Stable interface (other parts -- batch eligibility, cost estimates, worklists -- rely on it)::

    from gateway.schedule import Appointment, PlannedProcedure, appointments_for_day

    async def appointments_for_day(
        session: AsyncSession, practice_id: str, day: date, *, include_cancelled: bool = False
    ) -> list[Appointment]

``day`` is the practice's own calendar day, read in its time zone (``practices.time_zone``, an IANA
name, default America/New_York): an appointment at 11:30 PM in New York on March 3 is on March 3,
although it is March 4 in UTC. The list is sorted by start time (then id); cancelled appointments
are left out unless asked for. Only the practice's own appointments are ever returned.

``Appointment`` (frozen dataclass)::

    id: str
    patient_id: str
    starts_at: datetime              # aware, in the practice's time zone
    provider_npi: str                # 10 digits, valid check digit
    location: str | None
    visit_type: str                  # the practice's words, e.g. "Established patient visit"
    service_types: tuple[str, ...]   # X12 service type codes (EQ01), e.g. ("98",) or ("33", "AE")
    procedures: tuple[PlannedProcedure, ...]
    status: str                      # booked | arrived | fulfilled | cancelled | noshow
    external_id: str | None          # the EHR's appointment id, when imported

``PlannedProcedure``: ``code`` (CPT/HCPCS, in payers/codesets), ``units`` (Decimal), ``charge``
(Decimal or None: the practice's charge, when it gave one).

The practice's clock: ``practice_zone(session, practice_id) -> ZoneInfo`` and
``practice_today(session, practice_id) -> date`` ("tomorrow" is ``practice_today(...) +
timedelta(days=1)``); ``day_bounds(day, zone)`` is the UTC instants a local day spans.
"""

from __future__ import annotations

from gateway.schedule.clock import day_bounds, practice_today, practice_zone
from gateway.schedule.model import STATUSES, Appointment, PlannedProcedure
from gateway.schedule.store import appointments_for_day

__all__ = [
    "STATUSES",
    "Appointment",
    "PlannedProcedure",
    "appointments_for_day",
    "day_bounds",
    "practice_today",
    "practice_zone",
]
