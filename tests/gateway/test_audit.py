"""The PHI audit trail: one write per request, append-only, queryable by practice admins only."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, select, text

from gateway.storage.audit_tables import AuditEvent
from tests.gateway.conftest import Gateway
from tests.gateway.people import People

SUMMARY = """query Summary($id: ID!) { patient(id: $id) {
  firstName birthDate coverages { memberId }
  claims(status: ALL) { claims { memberId totalCharge } }
} }"""
EVENTS = """query($patient: ID, $actor: ID, $kind: String, $first: Int! = 50, $after: String) {
  auditEvents(patientId: $patient, actorId: $actor, kind: $kind, first: $first, after: $after) {
    edges { node { kind actorId actorKind patientId fields operation requestId clientAddress detail } }
    hasNextPage endCursor } }"""


async def _rows(gateway: Gateway) -> list[AuditEvent]:
    async with gateway.services.database.session() as session:
        return list(await session.scalars(select(AuditEvent).order_by(AuditEvent.occurred_at)))


async def test_one_write_per_request_names_patient_fields_actor_and_request(
    gateway: Gateway, world: Any
) -> None:
    person = next(k for k in world.people if len(world.coverages_of(k)) >= 2)
    patient_id = gateway.patient_ids[person]
    inserts: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO AUDIT_EVENTS"):
            inserts.append(statement)

    engine = gateway.services.database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = await gateway.post(SUMMARY, {"id": patient_id})
        second = await gateway.post("{ patients(first: 3) { edges { node { lastName } } } }")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == second.status_code == 200
    assert len(inserts) == 2  # one per request, however many fields and patients were read
    rows = await _rows(gateway)
    summary = [r for r in rows if r.request_id == response.headers["x-request-id"]]
    assert len(summary) == 1
    row = summary[0]
    assert (row.kind, row.patient_id, row.practice_id, row.actor_kind) == (
        "phi.read",
        patient_id,
        gateway.practice_id,
        "api_key",
    )
    assert row.fields == [
        "Claim.memberId",
        "Coverage.memberId",
        "Patient.birthDate",
        "Patient.firstName",
    ]
    assert row.operation == "Summary" and row.client_address == "127.0.0.1"
    listing = [r for r in rows if r.request_id == second.headers["x-request-id"]]
    assert len(listing) == 3 and {tuple(r.fields) for r in listing} == {("Patient.lastName",)}
    assert "firstName" not in str([r.detail for r in rows])


async def test_denied_fields_are_not_recorded_as_read(gateway: Gateway, people: People) -> None:
    patient_id = next(iter(gateway.patient_ids.values()))
    await gateway.query(SUMMARY, {"id": patient_id}, key=people.analyst.token)
    assert [r for r in await _rows(gateway) if r.kind == "phi.read"] == []


async def test_the_trail_is_append_only(gateway: Gateway) -> None:
    await gateway.query("{ patients(first: 1) { edges { node { firstName } } } }")
    for statement in ("UPDATE audit_events SET kind = 'nothing'", "DELETE FROM audit_events"):
        with pytest.raises(Exception, match="append-only"):
            async with gateway.services.database.transaction() as session:
                await session.execute(text(statement))
    assert len(await _rows(gateway)) == 1


async def test_admins_query_their_practice_events_by_patient_and_actor(
    gateway: Gateway, people: People, world: Any
) -> None:
    ids = list(gateway.patient_ids.values())
    await gateway.query(SUMMARY, {"id": ids[0]}, key=people.biller.token)
    await gateway.query(SUMMARY, {"id": ids[1]}, key=people.front_desk.token)
    await gateway.query(SUMMARY, {"id": gateway.other_patient_id}, key=gateway.other_key)
    mine = (await gateway.query(EVENTS, {"patient": ids[0]}, key=people.admin.token))["data"][
        "auditEvents"
    ]
    assert [(e["node"]["actorId"], e["node"]["patientId"]) for e in mine["edges"]] == [
        (people.biller.id, ids[0])
    ]
    by_actor = (
        await gateway.query(EVENTS, {"actor": people.front_desk.id}, key=people.admin.token)
    )["data"]["auditEvents"]
    assert {e["node"]["patientId"] for e in by_actor["edges"]} == {ids[1]}
    # The other practice's reads are not in A's trail, and A's are not in B's.
    theirs = (
        await gateway.query(EVENTS, {"patient": gateway.other_patient_id}, key=people.admin.token)
    )["data"]
    assert theirs["auditEvents"]["edges"] == []
    other = (await gateway.query(EVENTS, {}, key=people.other_admin.token))["data"]["auditEvents"][
        "edges"
    ]
    assert other and {e["node"]["patientId"] for e in other} == {gateway.other_patient_id}
    paged = (await gateway.query(EVENTS, {"first": 1}, key=people.admin.token))["data"][
        "auditEvents"
    ]
    rest = await gateway.query(
        EVENTS, {"first": 50, "after": paged["endCursor"]}, key=people.admin.token
    )
    assert (
        paged["hasNextPage"]
        and len(rest["data"]["auditEvents"]["edges"])
        == len(mine["edges"]) + len(by_actor["edges"]) - 1
    )
    denied = await gateway.query(EVENTS, {}, key=people.biller.token)
    assert denied["data"]["auditEvents"] is None
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_logins_keys_and_approvals_are_audited(gateway: Gateway, people: People) -> None:
    from tests.gateway.people import PASSWORD, anonymous

    login = "mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { challenge errors { code } } }"
    await anonymous(gateway, login, {"e": people.biller.email, "p": "wrong-password-99"})
    step = (await anonymous(gateway, login, {"e": people.biller.email, "p": PASSWORD}))["data"][
        "login"
    ]
    complete = "mutation($c: String!, $k: String!) { completeLogin(input: {challenge: $c, code: $k}) { errors { code } } }"
    await anonymous(gateway, complete, {"c": step["challenge"], "k": people.biller.code()})
    create = """mutation { createApiKey(input: {name: "billing system", scopes: ["claims:read"]}) { apiKey { id } secret } }"""
    created = (await gateway.query(create, key=people.admin.token))["data"]["createApiKey"]
    await gateway.query(
        "mutation($id: ID!) { revokeApiKey(id: $id) { errors { code } } }",
        {"id": created["apiKey"]["id"]},
        key=people.admin.token,
    )
    kinds = [(r.kind, r.actor_id, r.practice_id) for r in await _rows(gateway)]
    assert kinds == [
        ("login.failed", people.biller.id, gateway.practice_id),
        ("login.password_accepted", people.biller.id, gateway.practice_id),
        ("login.succeeded", people.biller.id, gateway.practice_id),
        ("api_key.created", people.admin.id, gateway.practice_id),
        ("api_key.revoked", people.admin.id, gateway.practice_id),
    ]
    assert created["secret"] not in str([r.detail for r in await _rows(gateway)])


async def test_no_response_leaves_without_its_audit_record(gateway: Gateway) -> None:
    async with gateway.services.database.transaction() as session:
        await session.execute(text("ALTER TABLE audit_events RENAME TO audit_events_away"))
    try:
        response = await gateway.post(
            "{ patients(first: 2) { edges { node { firstName lastName } } } }"
        )
        body = response.json()
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "AUDIT_UNAVAILABLE"
    finally:
        async with gateway.services.database.transaction() as session:
            await session.execute(text("ALTER TABLE audit_events_away RENAME TO audit_events"))


async def test_a_response_replayed_from_the_cache_is_audited_again(
    gateway: Gateway, world: Any
) -> None:
    person = next(k for k in world.people if len(world.coverages_of(k)) >= 2)
    patient_id = gateway.patient_ids[person]
    responses = [await gateway.post(SUMMARY, {"id": patient_id}) for _ in range(4)]
    assert any(r.headers.get("x-response-cache") == "hit" for r in responses), (
        "no cache hit to audit"
    )
    assert len({r.text for r in responses[1:]}) == 1
    rows = [r for r in await _rows(gateway) if r.kind == "phi.read"]
    assert sorted(r.request_id for r in rows) == sorted(
        r.headers["x-request-id"] for r in responses
    )
    assert {tuple(r.fields) for r in rows} == {
        ("Claim.memberId", "Coverage.memberId", "Patient.birthDate", "Patient.firstName")
    }
    assert {(r.patient_id, r.operation) for r in rows} == {(patient_id, "Summary")}
