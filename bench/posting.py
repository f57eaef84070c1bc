"""Posting a large remittance: an 835 with 10,000 claim payments, every one matching a claim.

Builds a fresh SQLite database (or uses PAYER_GATEWAY_BENCH_DATABASE_URL), a practice with one
patient and N acknowledged claims, and an 835 written by the X12 sandbox's own writer with one claim
payment per claim (two service lines, CO-45 and PR adjustments each). Then it reads the 835 with the
X12 adapter's reader and posts it in one transaction, as an upload does, and prints the figures.
The last line is JSON: {"claim_payments": n, "claim_payments_per_s": x, "peak_rss_mb": y}, where x is
the posting rate (store, match, set financial states: what the ledger does); the time the X12 reader
takes to read the 835 is printed above it.

    .venv/bin/python bench/posting.py [--claims 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gateway.ledger.posting import post_remittance
from gateway.storage.claims_tables import SubmittedClaim
from gateway.storage.database import Database
from gateway.storage.ledger_tables import RemittanceClaim
from gateway.storage.migrate import upgrade
from gateway.storage.tables import Coverage, Patient, Practice, new_id
from payers.codesets import lookup
from payers.model import Adjustment, ClaimPayment, Payment, ServiceLinePayment
from payers.sandbox.world import build_world
from payers.sandbox.x12_remittance import answer_835
from payers.x12.outgoing import ControlNumberSequence, Parties
from payers.x12.remittance import parse_835

DAY = date(2026, 11, 2)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def adjustment(group: str, reason: str, amount: str) -> Adjustment:
    return Adjustment(lookup("adjustment-group", group), lookup("carc", reason), Decimal(amount))


def claim_payment(control: str, n: int) -> ClaimPayment:
    copay = Decimal(10 + n % 30)
    lines = (
        ServiceLinePayment(
            lookup("procedure", "99213"),
            Decimal("145.00"),
            Decimal("100.00") - copay,
            units=Decimal(1),
            service_date=DAY,
            allowed_amount=Decimal("100.00"),
            adjustments=(adjustment("CO", "45", "45.00"), adjustment("PR", "3", f"{copay}.00")),
        ),
        ServiceLinePayment(
            lookup("procedure", "83036"),
            Decimal("42.00"),
            Decimal("30.00"),
            units=Decimal(1),
            service_date=DAY,
            allowed_amount=Decimal("30.00"),
            adjustments=(adjustment("CO", "45", "12.00"),),
        ),
    )
    return ClaimPayment(
        control_number=control,
        payer_claim_id=f"PCN{n:09d}",
        status=lookup("claim-payment-status", "1"),
        charge=Decimal("187.00"),
        paid=sum((ln.paid for ln in lines), Decimal("0.00")),
        patient_responsibility=copay,
        member_id="BENCH0001",
        service_date_from=DAY,
        service_date_to=DAY,
        lines=lines,
    )


async def prepare(database: Database, count: int, payer_id: str) -> tuple[str, list[str]]:
    """A practice, a patient with a card at ``payer_id`` and ``count`` claims; their control numbers."""
    await upgrade(database)
    async with database.transaction() as session:
        practice = Practice(name="Bench Family Medicine", npi="1999999984", tax_id="123456789")
        session.add(practice)
        await session.flush()
        patient = Patient(
            practice_id=practice.id,
            first_name="Bea",
            last_name="Bench",
            birth_date=date(1970, 1, 1),
        )
        session.add(patient)
        await session.flush()
        coverage = Coverage(
            practice_id=practice.id, patient_id=patient.id, payer_id=payer_id, member_id="BENCH0001"
        )
        session.add(coverage)
        await session.flush()
        controls = [f"B{n:09d}" for n in range(count)]
        now = datetime.now(UTC)
        await session.execute(
            insert(SubmittedClaim),
            [
                {
                    "id": new_id(),
                    "practice_id": practice.id,
                    "patient_id": patient.id,
                    "coverage_id": coverage.id,
                    "payer_id": payer_id,
                    "idempotency_key": str(uuid.uuid4()),
                    "request_digest": "0" * 64,
                    "control_number": control,
                    "submission": {},
                    "total_charge": Decimal("187.00"),
                    "service_date_from": DAY,
                    "service_date_to": DAY,
                    "frequency_code": "1",
                    "state": "acknowledged",
                    "created_at": now,
                    "updated_at": now,
                }
                for control in controls
            ],
        )
        return practice.id, controls


def remittance_text(world_payer: str, controls: list[str]) -> str:
    world = build_world(date.today())
    book = world.books[world_payer]
    claims = tuple(claim_payment(c, n) for n, c in enumerate(controls))
    payment = Payment(
        payer_id=world_payer,
        trace_number=f"BENCH{uuid.uuid4().hex[:10].upper()}",
        method=lookup("payment-method", "ACH"),
        payment_date=DAY + timedelta(days=14),
        amount=sum((c.paid for c in claims), Decimal("0.00")),
        claims=claims,
    )
    return answer_835(
        book,
        [replace(payment)],
        parties=Parties(sender_id=book.payer_number, receiver_id="BENCH", usage="T"),
        numbers=ControlNumberSequence(book.payer_number, last=0).next(),
        created=datetime.now(UTC),
    )


async def main(count: int) -> dict[str, float]:
    world = build_world(date.today())
    payer_id = next(p for p, b in world.books.items() if b.protocol == "x12")
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("PAYER_GATEWAY_BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.db"
        database = Database(url)
        practice_id, controls = await prepare(database, count, payer_id)
        text = remittance_text(payer_id, controls)
        print(f"835: {len(text):,} characters, {count:,} claim payments", flush=True)
        rss_before = peak_rss_mb()

        started = time.perf_counter()
        [payment] = parse_835(text, payer_id)
        parsed = time.perf_counter()
        async with database.transaction() as session:
            result = await post_remittance(session, practice_id, payment, source="uploaded")
        posted = time.perf_counter()

        async with database.session() as session:
            stored = await session.scalar(select(func.count()).select_from(RemittanceClaim))
            paid = await session.scalar(
                select(func.count()).where(SubmittedClaim.financial_state == "paid")
            )
        await database.dispose()
    assert result.created and stored == count and paid == count, (stored, paid)
    assert all(c.match_state == "matched" for c in result.claims)
    total = posted - started
    print(f"read the 835:   {parsed - started:7.2f} s")
    print(
        f"post and match: {posted - parsed:7.2f} s ({count / (posted - parsed):,.0f} claim payments/s)"
    )
    print(f"both:           {total:7.2f} s; findings: {len(result.findings)}")
    print(f"peak RSS: {peak_rss_mb():.0f} MB (before reading the 835: {rss_before:.0f} MB)")
    return {
        "claim_payments": count,
        "claim_payments_per_s": round(count / (posted - parsed), 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=10_000)
    figures = asyncio.run(main(parser.parse_args().claims))
    print(json.dumps(figures))
