"""History queries over a large practice: N claims, each paid in a remittance of ten claim payments.

Builds a fresh SQLite database (or uses PAYER_GATEWAY_BENCH_DATABASE_URL, which it must be free to
write to), then times one page of 500 and the totals of claimHistory and remittanceHistory, with
and without filters, through gateway/history (no GraphQL). The last line is JSON:
{"claims": n, "backend": ..., "ms": {query: milliseconds}}.

    .venv/bin/python bench/history.py [--claims 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert

from gateway.history.claims import claim_history_page, claim_history_totals
from gateway.history.filters import HistoryFilter
from gateway.history.payments import remittance_history_page, remittance_history_totals
from gateway.storage.claims_tables import SubmittedClaim
from gateway.storage.database import Database
from gateway.storage.ledger_tables import Remittance, RemittanceAdjustment, RemittanceClaim
from gateway.storage.migrate import upgrade
from gateway.storage.tables import Coverage, Patient, Practice


async def main(N: int) -> None:
    d = tempfile.mkdtemp()
    db = Database(os.environ.get("PAYER_GATEWAY_BENCH_DATABASE_URL") or f"sqlite:///{d}/b.db")
    await upgrade(db)
    async with db.transaction() as s:
        p = Practice(name="Bench", npi="1234567893", tax_id="123456789")
        s.add(p)
        await s.flush()
        pa = Patient(
            practice_id=p.id, first_name="Sample", last_name="Bench", birth_date=date(1970, 1, 1)
        )
        s.add(pa)
        await s.flush()
        c = Coverage(practice_id=p.id, patient_id=pa.id, payer_id="summit", member_id="M1")
        s.add(c)
        await s.flush()
        claims, rcs, adjs = [], [], []
        now = datetime.now(UTC)
        for i in range(N):
            cid = str(uuid.uuid4())
            day = date(2025, 1, 1) + timedelta(i % 600)
            claims.append(
                dict(
                    id=cid,
                    practice_id=p.id,
                    patient_id=pa.id,
                    coverage_id=c.id,
                    payer_id="summit",
                    idempotency_key=cid,
                    request_digest="0" * 64,
                    control_number=f"B{i:010d}",
                    submission={},
                    total_charge=Decimal("100.00"),
                    service_date_from=day,
                    service_date_to=day,
                    frequency_code="1",
                    state="finalized",
                    created_at=now,
                    updated_at=now,
                )
            )
        await s.execute(insert(SubmittedClaim), claims)
        for r in range(N // 10):
            rid = str(uuid.uuid4())
            await s.execute(
                insert(Remittance).values(
                    id=rid,
                    practice_id=p.id,
                    payer_id="summit",
                    trace_number=f"T{r}",
                    payment_date=date(2025, 3, 1) + timedelta(r % 500),
                    amount=Decimal("600.00"),
                    method_code="ACH",
                    source="fetched",
                    findings=[],
                    received_at=now,
                )
            )
            for k in range(10):
                i = r * 10 + k
                rcid = str(uuid.uuid4())
                rcs.append(
                    dict(
                        id=rcid,
                        remittance_id=rid,
                        practice_id=p.id,
                        ordinal=k + 1,
                        control_number=f"B{i:010d}",
                        status_code="1",
                        charge=Decimal("100.00"),
                        paid=Decimal("60.00"),
                        remarks=[],
                        match_state="matched",
                        claim_id=claims[i]["id"],
                    )
                )
                adjs.append(
                    dict(
                        id=str(uuid.uuid4()),
                        remittance_claim_id=rcid,
                        group_code="CO",
                        reason_code="45" if i % 7 else "197",
                        amount=Decimal("40.00"),
                        remarks=[],
                    )
                )
        await s.execute(insert(RemittanceClaim), rcs)
        await s.execute(insert(RemittanceAdjustment), adjs)
    if db.engine.dialect.name == "postgresql":  # as autovacuum would, before anyone queries
        async with db.engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.exec_driver_sql("ANALYZE")
    figures: dict[str, float] = {}
    for name, fn in (
        (
            "claimHistory page 500",
            lambda s: claim_history_page(s, p.id, HistoryFilter(), first=500),
        ),
        ("claimHistory totals", lambda s: claim_history_totals(s, p.id, HistoryFilter())),
        (
            "claimHistory page 500 denialReasons=197",
            lambda s: claim_history_page(
                s, p.id, HistoryFilter(denial_reasons=("197",)), first=500
            ),
        ),
        (
            "claimHistory page 500 paid in March 2025",
            lambda s: claim_history_page(
                s,
                p.id,
                HistoryFilter(paid_from=date(2025, 3, 1), paid_to=date(2025, 3, 31)),
                first=500,
            ),
        ),
        (
            "remittanceHistory page 500 denialReasons=197",
            lambda s: remittance_history_page(
                s, p.id, HistoryFilter(denial_reasons=("197",)), first=500
            ),
        ),
        (
            "remittanceHistory page 500",
            lambda s: remittance_history_page(s, p.id, HistoryFilter(), first=500),
        ),
        ("remittanceHistory totals", lambda s: remittance_history_totals(s, p.id, HistoryFilter())),
    ):
        async with db.session() as s:
            t = time.perf_counter()
            await fn(s)
            figures[name] = round((time.perf_counter() - t) * 1000, 1)
            print(f"{name}: {figures[name]} ms")
    await db.dispose()
    print(json.dumps({"claims": N, "backend": db.engine.dialect.name, "ms": figures}))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=10000)
    asyncio.run(main(parser.parse_args().claims))
