"""What the request path's cheaper SQL must not change: an unfinished write is still rolled back when
its connection is returned, and the one patient lookup statement (built once, run with bound values)
still answers for the practice and patient it is given, never another's."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from sqlalchemy import event, func, select

from gateway.graphql.patient_lookup import patient_with_coverages
from gateway.practices import create_practice
from gateway.storage.database import Database
from gateway.storage.tables import Coverage, Patient


async def _practice(database: Database, npi: str, name: str) -> str:
    return await create_practice(database, name, npi, "123456789")


async def _patient(database: Database, practice_id: str, last_name: str, cards: int) -> str:
    async with database.transaction() as session:
        patient = Patient(
            practice_id=practice_id,
            first_name="Ann",
            last_name=last_name,
            birth_date=date(1980, 1, 2),
        )
        session.add(patient)
        await session.flush()
        for priority in range(cards, 0, -1):  # inserted last-first: the lookup must order them
            session.add(
                Coverage(
                    practice_id=practice_id,
                    patient_id=patient.id,
                    payer_id=f"payer{priority}",
                    member_id=f"M{priority}",
                    priority=priority,
                )
            )
        return patient.id


async def test_an_uncommitted_write_is_rolled_back_when_its_connection_returns(
    database: Database,
) -> None:
    practice_id = await _practice(database, "1234567893", "Bench Family Medicine")
    async with database.engine.connect() as connection:  # closed without commit
        await connection.execute(
            Patient.__table__.insert().values(
                id="left-open",
                practice_id=practice_id,
                first_name="A",
                last_name="B",
                birth_date=date(1990, 1, 1),
            )
        )
    async with database.session() as session:
        found = await session.scalar(select(func.count()).where(Patient.id == "left-open"))
        assert found == 0
    # and the pooled connection carries no transaction into its next use
    async with database.transaction() as session:
        session.add(
            Patient(
                id="next",
                practice_id=practice_id,
                first_name="C",
                last_name="D",
                birth_date=date(1990, 1, 1),
            )
        )
    async with database.session() as session:
        assert await session.scalar(select(func.count()).where(Patient.id == "next")) == 1


async def test_reads_send_no_rollback_to_sqlite_and_writes_still_do(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    if database.engine.dialect.name != "sqlite":
        return  # asyncpg's rollback outside a transaction is already free (no round trip)
    import aiosqlite

    sent: list[str] = []  # ROLLBACKs that reached aiosqlite's connection thread
    real = aiosqlite.Connection.rollback

    async def counted(self: aiosqlite.Connection) -> None:
        sent.append("rollback")
        await real(self)

    monkeypatch.setattr(aiosqlite.Connection, "rollback", counted)
    practice_id = await _practice(database, "1234567893", "Bench Family Medicine")
    sent.clear()
    async with database.session() as session:
        await session.scalar(select(func.count()).select_from(Patient))
    assert sent == [], "a read paid a round trip to aiosqlite's thread for a ROLLBACK"
    async with database.engine.connect() as connection:  # a write left open
        await connection.execute(
            Patient.__table__.insert().values(
                id="open",
                practice_id=practice_id,
                first_name="A",
                last_name="B",
                birth_date=date(1990, 1, 1),
            )
        )
    assert sent == ["rollback"], "an unfinished write was not rolled back"


async def test_the_shared_lookup_statement_answers_for_the_values_it_is_given(
    database: Database,
) -> None:
    first = await _practice(database, "1234567893", "Bench Family Medicine")
    second = await _practice(database, "1245319599", "Harbor Pediatrics")
    ann = await _patient(database, first, "First", cards=2)
    bob = await _patient(database, second, "Second", cards=1)

    patient, cards = await patient_with_coverages(database, first, ann)
    assert patient is not None and patient.last_name == "First"
    assert [card.priority for card in cards] == [1, 2]
    assert {card.practice_id for card in cards} == {first}

    patient, cards = await patient_with_coverages(database, second, bob)
    assert patient is not None and patient.last_name == "Second"
    assert [card.member_id for card in cards] == ["M1"]

    assert await patient_with_coverages(database, second, ann) == (None, [])  # another practice's
    assert await patient_with_coverages(database, first, "no-such-id") == (None, [])


async def test_concurrent_reads_reuse_the_pooled_sqlite_connections(database: Database) -> None:
    if database.engine.dialect.name != "sqlite":
        return  # PostgreSQL keeps SQLAlchemy's default pool
    opened: list[object] = []
    event.listen(database.engine.sync_engine, "connect", lambda *_: opened.append(True))

    async def read() -> None:
        async with database.session() as session:
            await session.scalar(select(func.count()).select_from(Patient))
            await asyncio.sleep(0.01)  # all 15 held at once

    await asyncio.gather(*(read() for _ in range(15)))
    warmed = len(opened)
    for _ in range(3):
        await asyncio.gather(*(read() for _ in range(15)))
    assert len(opened) == warmed, "connections were closed on return and opened again"
    assert database.engine.pool.size() == 15  # type: ignore[attr-defined]
