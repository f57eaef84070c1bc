"""Export fixtures: the gateway over the sandboxes (its practice's sandbox people), claims with
their lines in two months, and remittances posted to them by the real ledger posting."""

from __future__ import annotations

import io
import uuid
import zipfile
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import insert, select

from gateway.identity import CLAIMS_READ, HISTORY_EXPORT, PHI_READ, create_api_key
from gateway.ledger.posting import post_remittance
from gateway.storage.claim_lines_tables import SubmittedClaimLine, line_rows
from gateway.storage.claims_tables import SubmittedClaim
from gateway.storage.tables import Coverage
from tests.gateway.conftest import gateway  # noqa: F401  (the fixture)
from tests.ledger.conftest import cas, claim_payment, line, remittance

DAYS = (date(2026, 10, 6), date(2026, 11, 2), date(2026, 11, 20))


@dataclass
class History:
    gateway: Any
    claim_ids: list[str]
    analyst_key: str
    phi_key: str
    no_scope_key: str

    async def export(self, key: str, **params: str) -> Any:
        query = {"from": "2026-01-01", "to": "2026-12-31", **params}
        return await self.gateway.client.get(
            "/exports/history", params=query, headers={"Authorization": f"Bearer {key}"}
        )


def members(response: Any) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


async def add_claims_and_payments(gateway: Any) -> list[str]:  # noqa: F811
    """Claims with their lines for the practice's first six cards, paid by posted remittances;
    their ids (the portal's Export screen tests use it too)."""
    database = gateway.services.database
    async with database.session() as session:
        coverages = (
            (
                await session.execute(
                    select(Coverage).where(Coverage.practice_id == gateway.practice_id)
                )
            )
            .scalars()
            .all()
        )
    claim_ids = []
    payments = []
    for n, coverage in enumerate(coverages[:6]):
        day = DAYS[n % len(DAYS)]
        control = f"EXP{uuid.uuid4().hex[:8].upper()}"
        submission = {
            "lines": [
                {"lineNumber": 1, "procedureCode": "99213", "modifiers": ["25"],
                 "diagnosisPointers": [1], "units": "1", "charge": "145.00",
                 "serviceDate": day.isoformat()},
                {"lineNumber": 2, "procedureCode": "83036", "modifiers": [],
                 "diagnosisPointers": [1, 2], "units": "1", "charge": "42.35",
                 "serviceDate": day.isoformat()},
            ]
        }  # fmt: skip
        claim = SubmittedClaim(
            practice_id=gateway.practice_id,
            patient_id=coverage.patient_id,
            coverage_id=coverage.id,
            payer_id=coverage.payer_id,
            idempotency_key=str(uuid.uuid4()),
            request_digest="0" * 64,
            control_number=control,
            submission=submission,
            total_charge="187.35",
            service_date_from=day,
            service_date_to=day,
            frequency_code="1",
            state="acknowledged",
        )
        async with database.transaction() as session:
            session.add(claim)
            await session.flush()
            await session.execute(
                insert(SubmittedClaimLine), line_rows(claim.id, gateway.practice_id, submission)
            )
        claim_ids.append(claim.id)
        payment = claim_payment(
            control,
            "187.35",
            "100.11",
            lines=(
                line("99213", "145.00", "80.11", cas("CO", "45", "44.89"), cas("PR", "3", "20.00")),
                line("83036", "42.35", "20.00", cas("CO", "45", "22.35", "N130"), allowed="20.00"),
            ),
            member_id=coverage.member_id,
        )
        payments.append((coverage.payer_id, payment))
    for payer_id in {p for p, _ in payments}:
        mine = [c for p, c in payments if p == payer_id]
        async with database.transaction() as session:
            await post_remittance(
                session,
                gateway.practice_id,
                remittance(*mine, payer_id=payer_id),
                source="uploaded",
            )
    return claim_ids


@pytest.fixture
async def history(gateway: Any) -> History:  # noqa: F811
    claim_ids = await add_claims_and_payments(gateway)
    database, practice = gateway.services.database, gateway.practice_id
    return History(
        gateway,
        claim_ids,
        await create_api_key(database, practice, "analyst", frozenset({HISTORY_EXPORT})),
        await create_api_key(database, practice, "phi", frozenset({HISTORY_EXPORT, PHI_READ})),
        await create_api_key(database, practice, "claims", frozenset({CLAIMS_READ, PHI_READ})),
    )
