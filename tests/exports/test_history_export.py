"""GET /exports/history: contents equal the ledger in every format, de-identified by default,
refused without the scope, audited, month partitions readable as a dataset."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select

from gateway.storage.audit_tables import AuditEvent
from gateway.storage.claim_lines_tables import SubmittedClaimLine
from gateway.storage.claims_tables import SubmittedClaim
from gateway.storage.ledger_tables import (
    RemittanceAdjustment,
    RemittanceClaim,
    RemittanceLine,
)
from gateway.storage.tables import Coverage, Patient
from tests.exports.conftest import History, members

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


def read_table(files: dict[str, bytes], table: str, fmt: str) -> list[dict[str, Any]]:
    data = files[f"{table}.{fmt}"]
    if fmt == "parquet":
        return pq.read_table(io.BytesIO(data)).to_pylist()
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(data.decode())))
    return [json.loads(row) for row in data.decode().splitlines()]


async def ledger(history: History) -> dict[str, Any]:
    practice = history.gateway.practice_id
    async with history.gateway.services.database.session() as session:

        async def one(statement: Any) -> Any:
            return (await session.execute(statement)).one()

        payments = RemittanceClaim.practice_id == practice
        return {
            "claims": await one(
                select(func.count(), func.sum(SubmittedClaim.total_charge)).where(
                    SubmittedClaim.practice_id == practice
                )
            ),
            "claim_lines": await one(
                select(func.count(), func.sum(SubmittedClaimLine.charge)).where(
                    SubmittedClaimLine.practice_id == practice
                )
            ),
            "payments": await one(
                select(func.count(), func.sum(RemittanceClaim.paid)).where(payments)
            ),
            "payment_lines": await one(
                select(func.count(), func.sum(RemittanceLine.paid))
                .join(RemittanceClaim, RemittanceClaim.id == RemittanceLine.remittance_claim_id)
                .where(payments)
            ),
            "adjustments": await one(
                select(func.count(), func.sum(RemittanceAdjustment.amount))
                .join(
                    RemittanceClaim, RemittanceClaim.id == RemittanceAdjustment.remittance_claim_id
                )
                .where(payments)
            ),
        }


MONEY = {
    "claims": "total_charge",
    "claim_lines": "charge",
    "payments": "paid",
    "payment_lines": "paid",
    "adjustments": "amount",
}


@pytest.mark.parametrize("fmt", ["parquet", "csv", "ndjson"])
async def test_contents_equal_the_ledger_row_for_row(history: History, fmt: str) -> None:
    response = await history.export(history.analyst_key, format=fmt)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    files = members(response)
    expected = await ledger(history)
    manifest = json.loads(files["manifest.json"])
    for table, column in MONEY.items():
        rows = read_table(files, table, fmt)
        count, total = expected[table]
        assert count > 0
        assert len(rows) == count == manifest["rows"][table], table
        assert sum(Decimal(str(r[column])) for r in rows) == Decimal(total).quantize(
            Decimal("0.01")
        ), table
    claims = {r["claim_id"] for r in read_table(files, "claims", fmt)}
    assert claims == set(history.claim_ids)
    adjustments = read_table(files, "adjustments", fmt)
    co45 = next(a for a in adjustments if a["reason_code"] == "45" and a["remark_codes"])
    assert co45["group_code_description"].startswith("Contractual")
    assert co45["remark_codes"] == "N130"
    assert co45["reason_code_description"]


async def test_parquet_types_are_decimal_dates_and_utc_timestamps(history: History) -> None:
    files = members(await history.export(history.analyst_key))
    claims = pq.read_table(io.BytesIO(files["claims.parquet"]))
    assert claims.schema.field("total_charge").type == pa.decimal128(12, 2)
    assert claims.schema.field("service_date_from").type == pa.date32()
    assert claims.schema.field("submitted_at").type == pa.timestamp("us", tz="UTC")
    payments = pq.read_table(io.BytesIO(files["payments.parquet"]))
    assert payments.schema.field("paid").type == pa.decimal128(12, 2)
    assert payments.schema.field("payment_date").type == pa.date32()
    assert all(isinstance(v, Decimal) for v in payments.column("paid").to_pylist())


async def test_missing_amounts_stay_missing(history: History) -> None:
    """A NULL quantity or allowed amount is null in the export, not 0 (SQLite's printf of NULL)."""
    files = members(await history.export(history.analyst_key))
    adjustments = pq.read_table(io.BytesIO(files["adjustments.parquet"])).to_pylist()
    async with history.gateway.services.database.session() as session:
        rows = await session.execute(select(RemittanceAdjustment.id, RemittanceAdjustment.quantity))
        stored = {adjustment_id: quantity for adjustment_id, quantity in rows}
    exported = {a["adjustment_id"]: a["quantity"] for a in adjustments}
    assert None in exported.values()
    assert exported == {k: stored[k] for k in exported}
    lines = pq.read_table(io.BytesIO(files["payment_lines.parquet"])).to_pylist()
    assert None in {line["allowed"] for line in lines}


async def identities(history: History) -> set[str]:
    practice = history.gateway.practice_id
    async with history.gateway.services.database.session() as session:
        people = (
            await session.execute(select(Patient).where(Patient.practice_id == practice))
        ).scalars()
        found: set[str] = set()
        for person in people:
            found |= {person.first_name, person.last_name, person.birth_date.isoformat(), person.id}
            found |= {v for v in (person.address_line1, person.phone, person.postal_code) if v}
        cards = (
            await session.execute(select(Coverage).where(Coverage.practice_id == practice))
        ).scalars()
        found |= {card.member_id for card in cards}
    return {value for value in found if len(value) >= 3}


@pytest.mark.parametrize("fmt", ["parquet", "csv", "ndjson"])
@pytest.mark.parametrize("partition", ["none", "month"])
async def test_de_identified_by_default_in_every_column(
    history: History, fmt: str, partition: str
) -> None:
    files = members(await history.export(history.analyst_key, format=fmt, partition=partition))
    secrets = await identities(history)
    assert secrets
    for name, data in files.items():
        if name.endswith(".parquet"):
            table = pq.read_table(io.BytesIO(data))
            text = " ".join(str(v) for c in table.columns for v in c.to_pylist())
            text += " " + " ".join(table.column_names)
        else:
            text = data.decode()
        for secret in secrets:
            assert secret not in text, f"{name} holds an identity value"
    claims = files.get("claims.parquet") or files.get(f"claims.{fmt}")
    if claims is not None:
        assert b"patient_key" in claims or "patient_key" in str(pq.read_schema(io.BytesIO(claims)))


async def test_identified_export_needs_phi_read_and_carries_names(history: History) -> None:
    refused = await history.export(history.analyst_key, identified="true")
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    files = members(await history.export(history.phi_key, identified="true", format="csv"))
    claims = read_table(files, "claims", "csv")
    assert all(row["patient_last_name"] and row["member_id"] for row in claims)


async def test_a_caller_without_the_scope_is_refused(history: History) -> None:
    response = await history.export(history.no_scope_key)
    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    anonymous = await history.gateway.client.get(
        "/exports/history", params={"from": "2026-01-01", "to": "2026-12-31"}
    )
    assert anonymous.status_code == 401
    other = await history.export(history.gateway.other_key)  # another practice's full key
    assert other.status_code == 200
    assert json.loads(members(other)["manifest.json"])["rows"]["claims"] == 0


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"to": "2029-01-01"}, "EXPORT_RANGE_TOO_LONG"),
        ({"format": "xlsx"}, "BAD_EXPORT_REQUEST"),
        ({"from": "yesterday"}, "BAD_EXPORT_REQUEST"),
        ({"payers": ",".join(f"p{n}" for n in range(21))}, "EXPORT_TOO_MANY_PAYERS"),
        ({"partition": "week"}, "BAD_EXPORT_REQUEST"),
    ],
)
async def test_bad_requests_are_refused_with_codes(
    history: History, params: dict[str, str], code: str
) -> None:
    response = await history.export(history.analyst_key, **params)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == code


async def test_every_export_is_audited_with_slice_columns_and_counts(history: History) -> None:
    response = await history.export(history.analyst_key, format="ndjson", payers="x12-sandbox")
    assert response.status_code == 200
    async with history.gateway.services.database.session() as session:
        events = (
            (
                await session.execute(
                    select(AuditEvent)
                    .where(AuditEvent.kind.in_(["history.export.started", "history.exported"]))
                    .order_by(AuditEvent.occurred_at)
                )
            )
            .scalars()
            .all()
        )
    started, finished = events
    assert started.practice_id == history.gateway.practice_id
    assert started.actor_kind == "api_key"
    assert started.detail["payers"] == "x12-sandbox"
    assert started.detail["format"] == "ndjson"
    assert "patient_key" in started.detail["columns"]
    assert "patient_last_name" not in started.detail["columns"]
    manifest = json.loads(members(response)["manifest.json"])
    assert finished.detail["finished"] == "true"
    for table, count in manifest["rows"].items():
        assert finished.detail[f"rows.{table}"] == str(count)


async def test_month_partitions_read_as_a_dataset(history: History, tmp_path: Path) -> None:
    response = await history.export(history.analyst_key, partition="month")
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        archive.extractall(tmp_path)
    names = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.parquet"))
    assert "claims/service_month=2026-10/part-0.parquet" in names
    assert "claims/service_month=2026-11/part-0.parquet" in names
    lines = ds.dataset(tmp_path / "claim_lines", format="parquet", partitioning="hive")
    expected_lines = (await ledger(history))["claim_lines"][0]
    assert lines.count_rows() == expected_lines
    by_month = duckdb.sql(
        f"SELECT service_month, count(*), sum(paid) FROM read_parquet("
        f"'{tmp_path}/payments/*/*.parquet', hive_partitioning = true) GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert [m for m, _, _ in by_month] == ["2026-10", "2026-11"]
    assert sum(n for _, n, _ in by_month) == (await ledger(history))["payments"][0]
