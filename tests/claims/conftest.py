"""Claims fixtures: a gateway over the sandboxes, and claims that look like a family practice's day."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from gateway.claims.draft import ClaimDraft, DraftLine
from gateway.storage.database import Database
from gateway.storage.tables import Coverage
from payers.sandbox.world import World
from tests.gateway.conftest import Gateway, start_gateway

SUBMIT = """
mutation Submit($input: ClaimInput!, $key: String!) {
  submitClaim(input: $input, idempotencyKey: $key) {
    replayed
    errors { code field message }
    claim { id controlNumber state payerClaimId totalCharge patientId
            payer { id }
            statusHistory { state source category { code } status { code } message } }
  }
}"""


@dataclass(frozen=True)
class Billed:
    """A patient of the test practice and the card a claim bills."""

    patient_id: str
    coverage_id: str
    payer_id: str
    member_id: str
    person: str


async def billed(
    database: Database,
    gateway_patients: dict[str, str],
    world: World,
    payer_id: str,
    *,
    active: bool = True,
) -> Billed:
    """A member of ``payer_id`` (active today or not) as a patient of the practice."""
    member = next(m for m in world.books[payer_id].members.values() if m.active == active)
    patient_id = gateway_patients[member.person.key]
    async with database.session() as session:
        coverage = await session.scalar(
            select(Coverage).where(Coverage.patient_id == patient_id, Coverage.payer_id == payer_id)
        )
    assert coverage is not None
    return Billed(patient_id, coverage.id, payer_id, member.member_id, member.person.key)


def office_visit(
    world: World, who: Billed, today: date, *, days_ago: int = 3, **changes: Any
) -> ClaimDraft:
    """An established-patient visit for type 2 diabetes with an HbA1c: 99213-25 + 83036, $187.00."""
    practice, clinician = world.providers["mfm"], world.providers["dr_exampleton"]
    day = today - timedelta(days=days_ago)
    values: dict[str, Any] = dict(
        patient_id=who.patient_id,
        coverage_id=who.coverage_id,
        billing_provider_npi=practice.npi,
        billing_provider_tax_id=practice.tax_id,
        billing_provider_name=practice.name,
        rendering_provider_npi=clinician.npi,
        place_of_service="11",
        diagnoses=("E11.9", "Z79.84"),
        lines=(
            DraftLine("99213", Decimal("145.00"), day, Decimal(1), ("25",), (1, 2), "L1"),
            DraftLine("83036", Decimal("42.00"), day, Decimal(1), (), (1,), "L2"),
        ),
        total_charge=Decimal("187.00"),
        frequency_code="1",
        patient_control_number="ACCT-20931",
    )
    values.update(changes)
    return ClaimDraft(**values)


def as_input(draft: ClaimDraft) -> dict[str, Any]:
    """The GraphQL variables for a draft."""
    return {
        "patientId": draft.patient_id,
        "coverageId": draft.coverage_id,
        "billingProvider": {
            "npi": draft.billing_provider_npi,
            "taxId": draft.billing_provider_tax_id,
            "name": draft.billing_provider_name,
        },
        "renderingProviderNpi": draft.rendering_provider_npi,
        "placeOfService": draft.place_of_service,
        "frequencyCode": draft.frequency_code,
        "originalPayerClaimId": draft.original_payer_claim_id,
        "patientControlNumber": draft.patient_control_number,
        "diagnoses": list(draft.diagnoses),
        "lines": [
            {
                "procedureCode": line.procedure_code,
                "charge": str(line.charge) if line.charge is not None else None,
                "serviceDate": line.service_date.isoformat() if line.service_date else None,
                "units": str(line.units) if line.units is not None else None,
                "modifiers": list(line.modifiers),
                "diagnosisPointers": list(line.diagnosis_pointers),
                "lineControlNumber": line.line_control_number,
            }
            for line in draft.lines
        ],
        "totalCharge": str(draft.total_charge) if draft.total_charge is not None else None,
    }


def new_key() -> str:
    return str(uuid.uuid4())


#: What the tests' webhook receivers need: they listen on loopback, over plain http.
LOOPBACK_NETWORKS = "127.0.0.0/8,::1/128"


async def _claims_gateway(
    database: Database, world: World, **options: Any
) -> AsyncIterator[Gateway]:
    """``options`` go to ``start_gateway`` (``timeout_seconds``: the payers' deadline)."""
    async for running in start_gateway(database, world, **options):
        try:
            yield running
        finally:
            assert running.services.claims is not None
            await running.services.claims.close()


@pytest.fixture
async def claims_gateway(database: Database, world: World) -> AsyncIterator[Gateway]:
    async for running in _claims_gateway(database, world):
        yield running


@pytest.fixture
async def webhook_gateway(
    monkeypatch: pytest.MonkeyPatch, database: Database, world: World
) -> AsyncIterator[Gateway]:
    """A claims gateway whose webhooks may use plain http and reach the tests' loopback receivers."""
    monkeypatch.setenv("PAYER_GATEWAY_CLAIMS_WEBHOOK_ALLOW_HTTP", "true")
    monkeypatch.setenv("PAYER_GATEWAY_CLAIMS_WEBHOOK_ALLOWED_NETWORKS", LOOPBACK_NETWORKS)
    async for running in _claims_gateway(database, world):
        yield running


@pytest.fixture
async def http_webhook_gateway(
    monkeypatch: pytest.MonkeyPatch, database: Database, world: World
) -> AsyncIterator[Gateway]:
    """Plain http allowed, no network allowed: only the address rule stands between a URL and a post."""
    monkeypatch.setenv("PAYER_GATEWAY_CLAIMS_WEBHOOK_ALLOW_HTTP", "true")
    monkeypatch.delenv("PAYER_GATEWAY_CLAIMS_WEBHOOK_ALLOWED_NETWORKS", raising=False)
    async for running in _claims_gateway(database, world):
        yield running
