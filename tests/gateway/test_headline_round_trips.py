"""The headline query's fixed cost in the database: statements and connection checkouts per request.

Counted with SQLAlchemy's own events on the gateway's real engine (SQLite, and PostgreSQL when
configured), so a change that adds a round trip to every headline request fails here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from sqlalchemy import event

from gateway.storage.tables import Patient
from tests.gateway.conftest import Gateway

HEADLINE = """query Summary($id: ID!, $fresh: Boolean) {
  patient(id: $id) {
    firstName lastName birthDate
    coverages { payer { id name } memberId priority }
    eligibility(fresh: $fresh) { payer { id } memberId active fetchedAt fromCache }
    claims(status: ALL, fresh: $fresh) { payer { id } claims { controlNumber } }
    payments(fresh: $fresh) { payer { id } payments { traceNumber amount } }
  }
}"""

#: One read (the patient joined to their cards) and one write (the request's audit rows).
STATEMENTS_PER_HEADLINE_REQUEST = 2
CHECKOUTS_PER_HEADLINE_REQUEST = 2


@dataclass
class RoundTrips:
    statements: list[str] = field(default_factory=list)
    checkouts: int = 0


@contextmanager
def counted(gateway: Gateway) -> Iterator[RoundTrips]:
    engine = gateway.services.database.engine.sync_engine
    seen = RoundTrips()

    def on_statement(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.statements.append(" ".join(statement.split()))

    def on_checkout(*_args: Any) -> None:
        seen.checkouts += 1

    event.listen(engine, "before_cursor_execute", on_statement)
    event.listen(engine, "checkout", on_checkout)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", on_statement)
        event.remove(engine, "checkout", on_checkout)


def _covered_twice_without_hints(gateway: Gateway, world: Any) -> str:
    """A patient with two or more cards whose payers report no other insurance (no hints written)."""
    for key in world.people:
        cards = [
            m for m in world.coverages_of(key) if m.payer_key in gateway.sandbox_apps and m.on_file
        ]
        if len(cards) >= 2 and not any(m.other_coverage for m in cards):
            return gateway.patient_ids[key]  # type: ignore[no-any-return]
    raise AssertionError("the sandbox world must have a patient covered by two payers")


async def _headline(gateway: Gateway, patient_id: str, key: str | None = None) -> dict[str, Any]:
    body = await gateway.query(HEADLINE, {"id": patient_id, "fresh": True}, key=key)
    assert "errors" not in body, body.get("errors")
    return body["data"]  # type: ignore[no-any-return]


async def test_one_headline_request_reads_patient_and_cards_in_one_statement(
    gateway: Gateway, world: Any
) -> None:
    patient_id = _covered_twice_without_hints(gateway, world)
    await _headline(gateway, patient_id)  # the API key's principal is now remembered
    with counted(gateway) as seen:
        data = await _headline(gateway, patient_id)
    cards = data["patient"]["coverages"]
    assert len(cards) >= 2 and len(data["patient"]["eligibility"]) == len(cards)
    assert [c["priority"] for c in cards] == sorted(c["priority"] for c in cards)
    reads = [s for s in seen.statements if s.startswith("SELECT")]
    writes = [s for s in seen.statements if s.startswith("INSERT INTO audit_events")]
    assert len(reads) == 1 and "FROM patients LEFT OUTER JOIN coverages" in reads[0], reads
    assert len(writes) == 1, seen.statements
    assert len(seen.statements) == STATEMENTS_PER_HEADLINE_REQUEST, seen.statements
    assert seen.checkouts == CHECKOUTS_PER_HEADLINE_REQUEST


async def test_a_patient_without_cards_answers_empty_lists_in_the_same_round_trips(
    gateway: Gateway,
) -> None:
    async with gateway.services.database.transaction() as session:
        patient = Patient(
            practice_id=gateway.practice_id,
            first_name="Ada",
            last_name="Uncovered",
            birth_date=date(1990, 5, 17),
        )
        session.add(patient)
        await session.flush()
        patient_id = patient.id
    await _headline(gateway, patient_id)
    with counted(gateway) as seen:
        data = await _headline(gateway, patient_id)
    assert data["patient"]["lastName"] == "Uncovered"
    assert data["patient"]["coverages"] == []
    assert data["patient"]["eligibility"] == data["patient"]["claims"] == []
    assert data["patient"]["payments"] == []
    assert len(seen.statements) == STATEMENTS_PER_HEADLINE_REQUEST, seen.statements
    assert seen.checkouts == CHECKOUTS_PER_HEADLINE_REQUEST


async def test_a_patient_of_another_practice_is_not_found(gateway: Gateway) -> None:
    body = await gateway.query(HEADLINE, {"id": gateway.other_patient_id, "fresh": True})
    assert body["data"]["patient"] is None
    own = await gateway.query(
        HEADLINE, {"id": gateway.other_patient_id, "fresh": True}, key=gateway.other_key
    )
    assert own["data"]["patient"]["coverages"], "the other practice sees its own patient's cards"


async def test_a_patients_cards_and_member_queries_are_built_once_per_request(
    gateway: Gateway, world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """coverages, eligibility, claims and payments share the cards (each asks for them)."""
    from gateway.graphql.types.coverage import Coverage

    built: list[str] = []
    real = Coverage.of.__func__  # type: ignore[attr-defined]

    def counted_of(cls: type[Coverage], row: Any, patient: Any, payers: Any) -> Coverage:
        built.append(row.id)
        return real(cls, row, patient, payers)  # type: ignore[no-any-return]

    monkeypatch.setattr(Coverage, "of", classmethod(counted_of))
    patient_id = _covered_twice_without_hints(gateway, world)
    data = await _headline(gateway, patient_id)
    cards = data["patient"]["coverages"]
    assert sorted(built) == sorted(set(built)) and len(built) == len(cards)
