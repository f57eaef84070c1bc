"""Exporting a million claim lines to Parquet, from SQLite and from PostgreSQL.

For each backend it generates a practice's year straight into the tables (COPY on PostgreSQL,
executemany on SQLite): 250,000 claims with 4 lines each (1,000,000 claim lines), one claim payment
per claim with a paid line and two adjustments, in remittances of 500 claim payments. Then, in a
fresh process (so the peak memory is the export's alone), it exports the year as Parquet with
``gateway.exports.stream.HistoryExport`` (what ``GET /exports/history`` streams; the bytes are
counted and dropped) and prints the figures. ``rows`` are the claim lines exported; ``total_rows``
every row of the five tables; ``rows_per_s`` is claim lines per second of the whole export (all five
tables included).

    .venv/bin/python bench/export.py [--claims 250000] [--backends sqlite,postgresql]

PostgreSQL: PAYER_GATEWAY_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench (a new
practice is added on every run; nothing is dropped). Without it, only SQLite runs.
The last line is JSON: [{"backend", "rows", "rows_per_s", "peak_rss_mb", ...}, ...].
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy.engine import make_url

from gateway.auth.pseudonyms import patient_key
from gateway.exports.stream import HistoryExport
from gateway.exports.tables import Slice
from gateway.storage.database import Database
from gateway.storage.migrate import upgrade

YEAR_START = date(2026, 1, 1)
LINES_PER_CLAIM = 4
CLAIMS_PER_REMITTANCE = 500
PAYERS = ("x12-sandbox", "fhir-sandbox", "rest-sandbox")
PROCEDURES = (("99213", "145.00"), ("83036", "42.00"), ("36415", "18.00"), ("99214", "210.00"))
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def new_id() -> str:
    return str(uuid.uuid4())


class Rows:
    """Every generated row, table by table, in column order (ids are made as they are needed)."""

    def __init__(self, practice_id: str, patients: list[str], coverages: list[str], claims: int):
        self.practice_id, self.patients, self.coverages, self.claims = (
            practice_id,
            patients,
            coverages,
            claims,
        )
        self.claim_ids = [new_id() for _ in range(claims)]

    def served(self, n: int) -> date:
        return YEAR_START + timedelta(days=(n * 365) // self.claims)

    def claim_rows(self) -> Iterator[tuple[Any, ...]]:
        charge = sum(Decimal(c) for _, c in PROCEDURES)
        for n, claim_id in enumerate(self.claim_ids):
            day = self.served(n)
            who = n % len(self.patients)
            yield (
                claim_id, self.practice_id, self.patients[who], self.coverages[who],
                PAYERS[n % 3], claim_id, "0" * 64, f"B{n:011d}{uuid.uuid4().hex[:6]}"[:20],
                "{}", charge, day, day, "1", "paid", "F1", "65", f"PC{n}", charge - Decimal("60.00"),
                NOW, NOW, "paid",
            )  # fmt: skip

    def line_rows(self) -> Iterator[tuple[Any, ...]]:
        for n, claim_id in enumerate(self.claim_ids):
            day = self.served(n)
            for number, (code, charge) in enumerate(PROCEDURES, start=1):
                yield (new_id(), claim_id, self.practice_id, number, code,
                       "25" if number == 1 else None, "1", Decimal("1.000"), Decimal(charge), day)  # fmt: skip

    def payment_rows(self) -> Iterator[tuple[str, tuple[Any, ...]]]:
        """("remittances" | "remittance_claims" | "remittance_lines" | "remittance_adjustments", row)."""
        charge = sum(Decimal(c) for _, c in PROCEDURES)
        paid = charge - Decimal("60.00")
        for start in range(0, self.claims, CLAIMS_PER_REMITTANCE):
            remittance_id = new_id()
            count = min(CLAIMS_PER_REMITTANCE, self.claims - start)
            yield "remittances", (
                remittance_id, self.practice_id, PAYERS[start % 3], f"TRN{start:09d}{uuid.uuid4().hex[:8]}",
                self.served(start) + timedelta(days=14), paid * count, "ACH", "1234567893",
                "fetched", "[]", NOW, None,
            )  # fmt: skip
            for ordinal in range(1, count + 1):
                n = start + ordinal - 1
                day = self.served(n)
                payment_id, line_id = new_id(), new_id()
                yield "remittance_claims", (
                    payment_id, remittance_id, self.practice_id, ordinal, None, f"PC{n}", "1",
                    charge, paid, Decimal("25.00"), f"BM{n:08d}", day, day, '["N130"]', "matched",
                    self.claim_ids[n], NOW, None,
                )  # fmt: skip
                yield "remittance_lines", (
                    line_id, payment_id, 1, "99213", "[]", Decimal("1.000"), day, charge,
                    paid + Decimal("25.00"), paid, "[]",
                )  # fmt: skip
                yield "remittance_adjustments", (
                    new_id(), payment_id, line_id, "CO", "45", Decimal("35.00"), None, "[]"
                )  # fmt: skip
                yield "remittance_adjustments", (
                    new_id(), payment_id, line_id, "PR", "3", Decimal("25.00"), None, '["M15"]'
                )  # fmt: skip


COLUMNS = {
    "claims": ("id", "practice_id", "patient_id", "coverage_id", "payer_id", "idempotency_key",
               "request_digest", "control_number", "submission", "total_charge", "service_date_from",
               "service_date_to", "frequency_code", "state", "category_code", "status_code",
               "payer_claim_id", "paid_amount", "created_at", "updated_at", "financial_state"),
    "claim_lines": ("id", "claim_id", "practice_id", "line_number", "procedure_code", "modifiers",
                    "diagnosis_pointers", "units", "charge", "service_date"),
    "remittances": ("id", "practice_id", "payer_id", "trace_number", "payment_date", "amount",
                    "method_code", "payee_npi", "source", "findings", "received_at", "received_by"),
    "remittance_claims": ("id", "remittance_id", "practice_id", "ordinal", "control_number",
                          "payer_claim_id", "status_code", "charge", "paid", "patient_responsibility",
                          "member_id", "service_date_from", "service_date_to", "remarks",
                          "match_state", "claim_id", "matched_at", "matched_by"),
    "remittance_lines": ("id", "remittance_claim_id", "ordinal", "procedure_code", "modifiers", "units",
                         "service_date", "charge", "allowed", "paid", "remarks"),
    "remittance_adjustments": ("id", "remittance_claim_id", "line_id", "group_code", "reason_code",
                               "amount", "quantity", "remarks"),
}  # fmt: skip


async def practice_with_patients(database: Database) -> tuple[str, list[str], list[str]]:
    from gateway.storage.tables import Coverage, Patient, Practice

    async with database.transaction() as session:
        practice = Practice(
            name="Bench Export Clinic",
            npi=str(1_000_000_000 + int(time.time() * 1000) % 999_999_999),
            tax_id="123456789",
        )
        session.add(practice)
        await session.flush()
        patients, coverages = [], []
        for n in range(1000):
            patient = Patient(
                practice_id=practice.id,
                first_name="Sample",
                last_name=f"Bench{n}",
                birth_date=date(1970, 1, 1) + timedelta(days=n),
            )
            session.add(patient)
            await session.flush()
            coverage = Coverage(
                practice_id=practice.id,
                patient_id=patient.id,
                payer_id=PAYERS[n % 3],
                member_id=f"BM{n:08d}",
            )
            session.add(coverage)
            await session.flush()
            patients.append(patient.id)
            coverages.append(coverage.id)
    return practice.id, patients, coverages


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)  # how SQLAlchemy's Numeric stores money on SQLite
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


async def generate(url: str, claims: int) -> str:
    database = Database(url)
    await upgrade(database)
    practice_id, patients, coverages = await practice_with_patients(database)
    rows = Rows(practice_id, patients, coverages, claims)
    backend = database.engine.dialect.name
    started = time.perf_counter()
    if backend == "postgresql":
        async with database.engine.connect() as connection:
            raw = (await connection.get_raw_connection()).driver_connection
            await raw.copy_records_to_table(
                "claims", records=rows.claim_rows(), columns=COLUMNS["claims"]
            )
            await raw.copy_records_to_table(
                "claim_lines", records=rows.line_rows(), columns=COLUMNS["claim_lines"]
            )
            by_table: dict[str, list[tuple[Any, ...]]] = {}
            for table, row in rows.payment_rows():
                by_table.setdefault(table, []).append(row)
            for table in (
                "remittances",
                "remittance_claims",
                "remittance_lines",
                "remittance_adjustments",
            ):
                await raw.copy_records_to_table(
                    table, records=by_table.pop(table, []), columns=COLUMNS[table]
                )
            await raw.execute("ANALYZE")
            await connection.commit()
    else:
        path = make_url(url).database
        assert path is not None
        with sqlite3.connect(path) as connection:

            def put(table: str, values: Any) -> None:
                marks = ",".join("?" * len(COLUMNS[table]))
                connection.executemany(
                    f"INSERT INTO {table} ({','.join(COLUMNS[table])}) VALUES ({marks})",
                    (tuple(_sqlite_value(v) for v in row) for row in values),
                )

            put("claims", rows.claim_rows())
            put("claim_lines", rows.line_rows())
            by_table: dict[str, list[tuple[Any, ...]]] = {}
            for table, row in rows.payment_rows():
                by_table.setdefault(table, []).append(row)
            for table in (
                "remittances",
                "remittance_claims",
                "remittance_lines",
                "remittance_adjustments",
            ):
                put(table, by_table.pop(table, []))
            connection.execute("ANALYZE")
    print(
        f"{backend}: generated {claims * LINES_PER_CLAIM:,} claim lines in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    await database.dispose()
    return practice_id


async def export(url: str, practice_id: str) -> dict[str, Any]:
    database = Database(url)
    piece = Slice(practice_id, YEAR_START, date(2026, 12, 31), (), identified=False)
    export = HistoryExport(
        database, piece, "parquet", False, lambda p: patient_key("bench", practice_id, p)
    )
    size = 0
    cpu = time.process_time()
    started = time.perf_counter()
    async for chunk in export.chunks():
        size += len(chunk)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    await database.dispose()
    lines = export.counts["claim_lines"]
    return {
        "backend": database.engine.dialect.name,
        "rows": lines,
        "rows_per_s": round(lines / seconds),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "seconds": round(seconds, 2),
        # This process's CPU (every thread): a figure the other load of a shared machine moves less.
        "cpu_s": round(cpu, 2),
        "total_rows": sum(export.counts.values()),
        "zip_mb": round(size / 1e6, 1),
    }


def run_step(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True
    )
    sys.stderr.write(done.stderr)
    return done.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--claims", type=int, default=250_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--generate", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--export", nargs=2, metavar=("URL", "PRACTICE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        print(asyncio.run(generate(args.generate, args.claims)))
        return
    if args.export:
        print(json.dumps(asyncio.run(export(*args.export))))
        return
    results = []
    with tempfile.TemporaryDirectory() as folder:
        urls = {"sqlite": f"sqlite:///{folder}/bench-export.db"}
        if os.environ.get("PAYER_GATEWAY_BENCH_DATABASE_URL"):
            urls["postgresql"] = os.environ["PAYER_GATEWAY_BENCH_DATABASE_URL"]
        for backend in args.backends.split(","):
            if backend not in urls:
                print(f"{backend}: skipped (set PAYER_GATEWAY_BENCH_DATABASE_URL)", file=sys.stderr)
                continue
            practice_id = run_step("--claims", str(args.claims), "--generate", urls[backend])
            figures = json.loads(run_step("--export", urls[backend], practice_id))
            print(f"{backend}: {figures}")
            results.append(figures)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
