"""Ledger fixtures: a practice with patients and claims in the database, and remittances to post.

Claims are written as rows (the submit path is the claims tests' business); remittances are built as
the payer adapters hand them over (payers.model.Payment) or as 835 text read by the X12 reader.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from gateway.storage.claims_tables import SubmittedClaim
from gateway.storage.database import Database
from gateway.storage.tables import Coverage, Patient, Practice
from payers.codesets import lookup
from payers.model import Adjustment, ClaimPayment, Code, Payment, ServiceLinePayment

PAYER = "x12-sandbox"
OTHER_PAYER = "rest-sandbox"
SERVICE_DAY = date(2026, 11, 2)

_numbers = itertools.count(1000)


def money(value: str | int) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


def cas(group: str, reason: str, amount: str, *remarks: str) -> Adjustment:
    return Adjustment(
        lookup("adjustment-group", group),
        lookup("carc", reason),
        money(amount),
        remarks=tuple(lookup("rarc", r) for r in remarks),
    )


def line(
    code: str, charge: str, paid: str, *adjustments: Adjustment, allowed: str | None = None
) -> ServiceLinePayment:
    return ServiceLinePayment(
        procedure=lookup("procedure", code),
        charge=money(charge),
        paid=money(paid),
        units=Decimal(1),
        service_date=SERVICE_DAY,
        allowed_amount=money(allowed) if allowed is not None else None,
        adjustments=adjustments,
    )


def claim_payment(
    control_number: str | None,
    charge: str,
    paid: str,
    *,
    status: str = "1",
    lines: tuple[ServiceLinePayment, ...] = (),
    adjustments: tuple[Adjustment, ...] = (),
    patient: str | None = None,
    payer_claim_id: str | None = None,
    member_id: str | None = None,
) -> ClaimPayment:
    every = list(adjustments) + [a for ln in lines for a in ln.adjustments]
    pr = sum((a.amount for a in every if a.group.code == "PR"), Decimal("0.00"))
    return ClaimPayment(
        control_number=control_number,
        payer_claim_id=payer_claim_id,
        status=lookup("claim-payment-status", status),
        charge=money(charge),
        paid=money(paid),
        patient_responsibility=money(patient) if patient is not None else pr,
        member_id=member_id,
        service_date_from=SERVICE_DAY,
        service_date_to=SERVICE_DAY,
        adjustments=adjustments,
        lines=lines,
    )


def remittance(
    *claims: ClaimPayment,
    trace: str | None = None,
    payer_id: str = PAYER,
    amount: str | None = None,
) -> Payment:
    total = sum((c.paid for c in claims), Decimal("0.00"))
    return Payment(
        payer_id=payer_id,
        trace_number=trace or f"TRC{uuid.uuid4().hex[:12].upper()}",
        method=Code("payment-method", "ACH", "Automated Clearing House"),
        payment_date=SERVICE_DAY + timedelta(days=14),
        amount=money(amount) if amount is not None else total,
        claims=claims,
    )


@dataclass
class Books:
    """A practice (and a second one, for isolation) with one patient per payer."""

    database: Database
    practice_id: str
    other_practice_id: str
    coverages: dict[tuple[str, str], str] = field(default_factory=dict)  # (practice, payer) -> id
    patients: dict[str, str] = field(default_factory=dict)  # practice -> patient id

    async def claim(
        self,
        charge: str = "187.00",
        *,
        payer_id: str = PAYER,
        practice_id: str | None = None,
        payer_claim_id: str | None = None,
        service_day: date = SERVICE_DAY,
        **values: Any,
    ) -> SubmittedClaim:
        """A claim submitted and acknowledged by ``payer_id``."""
        practice_id = practice_id or self.practice_id
        number = next(_numbers)
        claim = SubmittedClaim(
            practice_id=practice_id,
            patient_id=self.patients[practice_id],
            coverage_id=self.coverages[(practice_id, payer_id)],
            payer_id=payer_id,
            idempotency_key=str(uuid.uuid4()),
            request_digest="0" * 64,
            control_number=f"LDG{uuid.uuid4().hex[:6].upper()}{number}",
            submission={},
            total_charge=money(charge),
            service_date_from=service_day,
            service_date_to=service_day,
            frequency_code="1",
            state="acknowledged",
            payer_claim_id=payer_claim_id,
            **values,
        )
        async with self.database.transaction() as session:
            session.add(claim)
        return claim

    def member_id(self, practice_id: str, payer_id: str = PAYER) -> str:
        return f"M{practice_id[:8]}{payer_id[:3]}".upper()


async def open_books(database: Database) -> Books:
    async with database.transaction() as session:
        practices = []
        for name in ("Maple Family Medicine", "Birch Street Clinic"):
            practice = Practice(
                name=name, npi=str(1000000000 + next(_numbers) * 7919), tax_id="123456789"
            )
            session.add(practice)
            practices.append(practice)
        await session.flush()
        books = Books(database, practices[0].id, practices[1].id)
        for practice in practices:
            patient = Patient(
                practice_id=practice.id,
                first_name="Pat",
                last_name="Example",
                birth_date=date(1970, 5, 17),
            )
            session.add(patient)
            await session.flush()
            books.patients[practice.id] = patient.id
            for priority, payer_id in enumerate((PAYER, OTHER_PAYER), start=1):
                coverage = Coverage(
                    practice_id=practice.id,
                    patient_id=patient.id,
                    payer_id=payer_id,
                    member_id=books.member_id(practice.id, payer_id),
                    priority=priority,
                )
                session.add(coverage)
                await session.flush()
                books.coverages[(practice.id, payer_id)] = coverage.id
    return books


@pytest.fixture
async def books(database: Database) -> Books:
    return await open_books(database)


@pytest.fixture
async def gateway(database: Database, world: Any) -> AsyncIterator[Any]:
    """A gateway over the sandbox payers (tests/gateway/conftest.py), its claims machinery closed after."""
    from tests.gateway.conftest import start_gateway

    async for running in start_gateway(database, world):
        try:
            yield running
        finally:
            await running.services.claims.close()


@pytest.fixture
async def people(gateway: Any) -> Any:
    """A signed-in user of every role in the gateway's practice, an admin of the other, an operator."""
    from tests.gateway.people import staff

    return await staff(gateway)
