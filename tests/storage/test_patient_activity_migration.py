"""Migration 0009 gives existing patients their latest claim change, else their registration time."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from gateway.storage.database import Database
from gateway.storage.migrate import downgrade, upgrade
from gateway.storage.tables import Patient

REGISTERED = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
CLAIM_CHANGED = datetime(2024, 5, 6, 10, 42, tzinfo=UTC)


async def test_existing_patients_take_their_latest_claim_change(database: Database) -> None:
    await downgrade(database, "0008_payer_message")
    async with database.engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO practices (id, name, npi, tax_id, status, created_at) "
                "VALUES ('pr', 'P', '1234567893', '123456789', 'approved', :at)"
            ),
            {"at": REGISTERED},
        )
        for patient in ("quiet", "billed"):
            await connection.execute(
                text(
                    "INSERT INTO patients (id, practice_id, first_name, last_name, birth_date, "
                    "created_at) VALUES (:id, 'pr', 'A', 'B', '1980-01-01', :at)"
                ),
                {"id": patient, "at": REGISTERED},
            )
        await connection.execute(
            text(
                "INSERT INTO coverages (id, practice_id, patient_id, payer_id, member_id, "
                "relation, priority, created_at) "
                "VALUES ('cv', 'pr', 'billed', 'summit', 'M1', 'self', 1, :at)"
            ),
            {"at": REGISTERED},
        )
        for claim, changed in (("c1", REGISTERED), ("c2", CLAIM_CHANGED)):
            await connection.execute(
                text(
                    "INSERT INTO claims (id, practice_id, patient_id, coverage_id, payer_id, "
                    "idempotency_key, request_digest, control_number, submission, total_charge, "
                    "service_date_from, service_date_to, frequency_code, state, created_at, "
                    "updated_at) VALUES (:id, 'pr', 'billed', 'cv', 'summit', :id, 'd', :id, "
                    "'{}', 10, '2024-03-01', '2024-03-01', '1', 'submitted', :at, :at)"
                ),
                {"id": claim, "at": changed},
            )
    await upgrade(database)
    async with database.session() as session:
        quiet = await session.get(Patient, "quiet")
        billed = await session.get(Patient, "billed")
    assert quiet is not None and billed is not None
    assert (quiet.last_activity_at, billed.last_activity_at) == (REGISTERED, CLAIM_CHANGED)
