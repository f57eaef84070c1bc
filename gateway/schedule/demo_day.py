"""The demo practice's schedule: a plausible family-medicine-and-therapy day today and tomorrow,
over its sandbox patients, written through the same edits and keep-once writes as an import."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from gateway.schedule.clock import practice_today, practice_zone
from gateway.schedule.edits import AppointmentDraft, check
from gateway.schedule.writes import upsert
from gateway.storage.database import Database

PROVIDERS = ("1582031740", "1369204817")  # fictitious, valid check digits
P = tuple[str, Decimal, Decimal | None]

#: (visit type, service types, procedures): what a mixed primary-care and therapy day books.
VISITS: tuple[tuple[str, tuple[str, ...], tuple[P, ...]], ...] = (
    ("Office visit, established patient", ("98",), (("99213", Decimal(1), Decimal("125.00")),)),
    ("Follow-up, chronic conditions", ("98",), (("99214", Decimal(1), Decimal("185.00")),)),
    ("Physical therapy", ("PT", "AE"), (("97110", Decimal(2), Decimal("90.00")),)),
    ("Chiropractic adjustment", ("33",), (("98941", Decimal(1), Decimal("65.00")),)),
    (
        "Chest pain follow-up with ECG",
        ("98",),
        (("99214", Decimal(1), Decimal("185.00")), ("93000", Decimal(1), Decimal("45.00"))),
    ),
    ("Annual physical", ("BZ",), (("99396", Decimal(1), Decimal("240.00")),)),
    ("Office visit, established patient", ("98",), (("99213", Decimal(1), None),)),
    ("Therapy re-evaluation", ("PT",), (("97164", Decimal(1), Decimal("110.00")),)),
)
TIMES = (
    "08:00",
    "08:30",
    "09:00",
    "09:45",
    "10:30",
    "11:15",
    "13:00",
    "13:30",
    "14:15",
    "15:00",
    "15:45",
    "16:30",
)


async def seed_demo_schedule(
    database: Database,
    practice_id: str,
    patient_ids: list[str],
    tomorrow: list[str] | None = None,
) -> int:
    """Book today's and tomorrow's appointments (the practice's days); the count booked.

    ``tomorrow``, when given, is who is booked tomorrow, slot by slot (the demo puts the people whose
    coverage needs the front desk's attention there, so tomorrow's batch check has a worklist)."""
    booked = 0
    async with database.transaction() as session:
        zone = await practice_zone(session, practice_id)
        today = await practice_today(session, practice_id)
        for offset, day in enumerate((today, today + timedelta(days=1))):
            for slot, clock in enumerate(TIMES):
                visit_type, service_types, procedures = VISITS[(slot + offset * 3) % len(VISITS)]
                if offset and tomorrow:
                    patient = tomorrow[slot % len(tomorrow)]
                else:
                    patient = patient_ids[(slot + offset * 5) % len(patient_ids)]
                draft = AppointmentDraft(
                    patient_id=patient,
                    day=day,
                    clock=clock,
                    provider_npi=PROVIDERS[slot % 2],
                    visit_type=visit_type,
                    location="Therapy suite"
                    if {"PT", "AE", "33"} & set(service_types)
                    else "Main office",
                    service_types=service_types,
                    procedures=procedures,
                    status=_status(day, today, slot),
                    external_id=f"DEMO-{day.isoformat()}-{slot:02d}",
                )
                checked, problems = check(draft, zone, today)
                assert checked is not None, problems  # our own fixed data
                _, outcome, _ = await upsert(
                    session, practice_id, checked, source="api", actor_id=None
                )
                booked += outcome == "created"
    return booked


def _status(day: date, today: date, slot: int) -> str:
    if day == today and slot == 4:
        return "cancelled"
    return "booked"
