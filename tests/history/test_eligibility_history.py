"""eligibilityHistory: the practice's final batch eligibility checks, as stored; filters, order,
cursors that hold while checks keep finishing, tenancy, scopes, PHI masking and audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update

from gateway.history.cursors import encode_cursor
from gateway.history.filters import EligibilityFilter
from gateway.identity import CLAIMS_READ, ELIGIBILITY_READ, PATIENTS_READ, PHI_READ, create_api_key
from gateway.storage.audit_tables import AuditEvent
from gateway.storage.batch_tables import EligibilityBatch, EligibilityCheck
from gateway.storage.tables import Practice
from tests.gateway.conftest import Gateway
from tests.history.eligibility_rows import ELIGIBILITY, Stored, cards, store_check
from tests.history.queries import every_page

T0 = datetime(2026, 3, 9, 15, 0, tzinfo=UTC)


def _nodes(answer: dict[str, Any]) -> list[dict[str, Any]]:
    assert "errors" not in answer, answer
    return [e["node"] for e in answer["data"]["eligibilityHistory"]["edges"]]


async def _ids(gateway: Gateway, filter: dict[str, Any]) -> set[str]:
    nodes = await every_page(gateway, ELIGIBILITY, "eligibilityHistory", {"filter": filter}, 2)
    return {n["id"] for n in nodes}


async def test_rows_equal_what_is_stored(gateway: Gateway) -> None:
    database = gateway.services.database
    ours = await cards(database, gateway.practice_id)
    active = await store_check(database, ours[0], T0)
    inactive = await store_check(database, ours[1], T0 - timedelta(hours=1), active=False)
    missing = await store_check(
        database, ours[2], T0 - timedelta(hours=2), state="failed", error_code="MEMBER_NOT_FOUND"
    )
    timed_out = await store_check(
        database,
        ours[3],
        T0 - timedelta(hours=3),
        state="failed",
        error_code="PAYER_TIMEOUT",
        attempts=4,
    )
    await store_check(database, ours[4], None, state="pending")  # still work, not history
    theirs = await cards(database, gateway.other_practice_id)
    await store_check(database, theirs[0], T0 + timedelta(hours=1))

    history = (await gateway.query(ELIGIBILITY))["data"]["eligibilityHistory"]
    async with database.session() as session:
        stored = {
            c.id: c
            for c in await session.scalars(
                select(EligibilityCheck).where(
                    EligibilityCheck.practice_id == gateway.practice_id,
                    EligibilityCheck.state.in_(("succeeded", "failed")),
                )
            )
        }
        recorded = dict(
            (await session.execute(select(EligibilityBatch.id, EligibilityBatch.created_at))).all()
        )
    assert history["totalCount"] == len(stored) == 4
    nodes = [e["node"] for e in history["edges"]]
    assert [n["id"] for n in nodes] == [active.id, inactive.id, missing.id, timed_out.id]
    for node in nodes:
        check = stored[node["id"]]
        assert datetime.fromisoformat(node["checkedAt"]) == check.finished_at
        assert datetime.fromisoformat(node["checkedAt"]).tzinfo is not None
        assert datetime.fromisoformat(node["recordedAt"]) == recorded[check.batch_id]
        assert node["source"] == "BATCH" and node["batchId"] == check.batch_id
        assert node["asOf"] == "2026-03-09"
        assert node["payerId"] == check.payer_id and node["payer"]["id"] == check.payer_id
        assert node["payer"]["name"]
        assert node["attempts"] == check.attempts
        key = await gateway.query(
            "query($id: ID!) { patient(id: $id) { patientKey } }", {"id": check.patient_id}
        )
        assert node["patientKey"] == key["data"]["patient"]["patientKey"]

    by_id = {n["id"]: n for n in nodes}
    answered = by_id[active.id]
    assert answered["outcome"] == "ACTIVE" and answered["active"] is True
    assert answered["plan"] == {
        "name": "Silver PPO",
        "groupNumber": "GRP-778",
        "groupName": "Harbor Works",
    }
    # the in-network individual plan-wide lines, never the service-type, family or OON ones
    assert Decimal(answered["deductibleRemaining"]) == Decimal("820.10")
    assert Decimal(answered["outOfPocketRemaining"]) == Decimal("2500.55")
    assert answered["errorCode"] is None and answered["errorDescription"] is None
    assert by_id[inactive.id]["outcome"] == "INACTIVE" and by_id[inactive.id]["active"] is False
    failed = by_id[timed_out.id]
    assert failed["outcome"] == "FAILED" and failed["active"] is None and failed["plan"] is None
    assert failed["deductibleRemaining"] is None and failed["outOfPocketRemaining"] is None
    assert failed["errorCode"] == "PAYER_TIMEOUT" and failed["attempts"] == 4
    assert "did not answer in time" in failed["errorDescription"]
    assert "no member" in by_id[missing.id]["errorDescription"]


async def test_filters(gateway: Gateway) -> None:
    database = gateway.services.database
    async with database.transaction() as session:
        await session.execute(
            update(Practice)
            .where(Practice.id == gateway.practice_id)
            .values(time_zone="America/New_York")
        )
    ours = await cards(database, gateway.practice_id)
    payer_a = ours[0].payer_id
    other_payer = next(c for c in ours if c.payer_id != payer_a)
    # 03:30 UTC on March 10 is 23:30 on March 9 in New York (EDT since March 8)
    late_evening = await store_check(database, ours[0], datetime(2026, 3, 10, 3, 30, tzinfo=UTC))
    morning = await store_check(
        database, ours[0], datetime(2026, 3, 10, 14, 0, tzinfo=UTC), active=False
    )
    failed = await store_check(
        database,
        other_payer,
        datetime(2026, 3, 11, 4, 30, tzinfo=UTC),  # 00:30 March 11 in New York
        state="failed",
        error_code="MEMBER_NOT_FOUND",
    )
    unavailable = await store_check(
        database,
        other_payer,
        datetime(2026, 3, 8, 12, 0, tzinfo=UTC),
        state="failed",
        error_code="PAYER_UNAVAILABLE",
        attempts=5,
    )
    every = {late_evening.id, morning.id, failed.id, unavailable.id}

    assert await _ids(gateway, {}) == every
    same_payer = {
        s.id for s in (late_evening, morning, failed, unavailable) if s.payer_id == payer_a
    }
    assert await _ids(gateway, {"payerIds": [payer_a]}) == same_payer
    assert await _ids(gateway, {"outcomes": ["ACTIVE"]}) == {late_evening.id}
    assert await _ids(gateway, {"outcomes": ["INACTIVE", "FAILED"]}) == {
        morning.id,
        failed.id,
        unavailable.id,
    }
    assert await _ids(gateway, {"errorCodes": ["member_not_found"]}) == {failed.id}
    # the practice's days, not UTC dates
    assert await _ids(
        gateway, {"checkedDateFrom": "2026-03-09", "checkedDateTo": "2026-03-09"}
    ) == {late_evening.id}
    assert await _ids(
        gateway, {"checkedDateFrom": "2026-03-10", "checkedDateTo": "2026-03-10"}
    ) == {morning.id}
    assert await _ids(gateway, {"checkedDateFrom": "2026-03-11"}) == {failed.id}
    assert await _ids(gateway, {"checkedDateTo": "2026-03-08"}) == {unavailable.id}
    combined = {"checkedDateFrom": "2026-03-09", "outcomes": ["FAILED"]}
    assert await _ids(gateway, combined) == {failed.id}
    answer = await gateway.query(ELIGIBILITY, {"filter": combined})
    assert answer["data"]["eligibilityHistory"]["totalCount"] == 1

    bad = await gateway.query(
        ELIGIBILITY,
        {
            "filter": {
                "payerIds": ["no good!"],
                "errorCodes": ["not a code"],
                "checkedDateFrom": "2026-03-10",
                "checkedDateTo": "2026-03-09",
            }
        },
    )
    assert bad["data"]["eligibilityHistory"] is None
    extensions = bad["errors"][0]["extensions"]
    assert extensions["code"] == "BAD_USER_INPUT"
    assert {p["field"] for p in extensions["problems"]} == {
        "filter.payerIds",
        "filter.errorCodes",
        "filter.checkedTo",
    }


async def test_order_and_cursor_hold_while_checks_finish(gateway: Gateway) -> None:
    database = gateway.services.database
    ours = await cards(database, gateway.practice_id)
    stored: list[Stored] = []
    for n, minutes in enumerate((0, 10, 10, 20, 30)):
        # two checks end at the same instant: the id breaks the tie, newest id first
        check_id = f"chk-tie-{n}" if minutes == 10 else None
        stored.append(
            await store_check(database, ours[n], T0 - timedelta(minutes=minutes), check_id=check_id)
        )
    first = await gateway.query(ELIGIBILITY, {"first": 2})
    page = first["data"]["eligibilityHistory"]
    assert [n["id"] for n in _nodes(first)] == [stored[0].id, "chk-tie-2"]
    assert page["pageInfo"]["hasNextPage"] is True and page["pageInfo"]["hasPreviousPage"] is False

    # checks finish meanwhile: one newer than everything, one between, one older than everything
    newer = await store_check(database, ours[5], T0 + timedelta(minutes=5))
    between = await store_check(database, ours[6], T0 - timedelta(minutes=15))
    older = await store_check(database, ours[7], T0 - timedelta(hours=5))

    walked = [n["id"] for n in _nodes(first)]
    after = page["pageInfo"]["endCursor"]
    while after:
        answer = await gateway.query(ELIGIBILITY, {"first": 2, "after": after})
        walked.extend(n["id"] for n in _nodes(answer))
        info = answer["data"]["eligibilityHistory"]["pageInfo"]
        assert info["hasPreviousPage"] is True
        after = info["endCursor"] if info["hasNextPage"] else None
    # every row that was there once, in order; rows past the cursor are picked up, the newer not
    assert walked == [
        stored[0].id,
        "chk-tie-2",
        "chk-tie-1",
        between.id,
        stored[3].id,
        stored[4].id,
        older.id,
    ]
    assert newer.id not in walked
    fresh = await every_page(gateway, ELIGIBILITY, "eligibilityHistory", {}, 3)
    stamps = [(datetime.fromisoformat(n["checkedAt"]), n["id"]) for n in fresh]
    assert stamps == sorted(stamps, reverse=True) and len(fresh) == 8

    cursor = page["pageInfo"]["endCursor"]
    body, _, signature = cursor.partition(".")
    # signed for this very query, but holding a date (claimHistory's kind of key), not an instant
    scope = f"eligibilityHistory:{gateway.practice_id}:{EligibilityFilter().digest()}"
    secret = gateway.services.settings.pseudonym_secret
    dated = encode_cursor(secret, scope, T0.date(), stored[0].id)
    for bad, key, filter in (
        (cursor, gateway.other_key, None),  # another practice's cursor
        (body + "." + signature[::-1], None, None),  # altered
        (cursor, None, {"outcomes": ["ACTIVE"]}),  # made for another filter
        (dated, None, None),
    ):
        answer = await gateway.query(
            ELIGIBILITY, {"first": 2, "after": bad, "filter": filter}, key=key
        )
        assert answer["data"]["eligibilityHistory"] is None
        assert answer["errors"][0]["extensions"]["field"] == "after"
    too_many = await gateway.query(ELIGIBILITY, {"first": 501})
    assert too_many["errors"][0]["extensions"]["field"] == "first"


async def test_tenancy_scopes_phi_masking_and_audit(gateway: Gateway) -> None:
    database = gateway.services.database
    ours = await cards(database, gateway.practice_id)
    theirs = await cards(database, gateway.other_practice_id)
    mine = await store_check(database, ours[0], T0)
    other = await store_check(database, theirs[0], T0 + timedelta(minutes=1))

    seen_by_them = await gateway.query(ELIGIBILITY, key=gateway.other_key)
    assert [n["id"] for n in _nodes(seen_by_them)] == [other.id]
    assert seen_by_them["data"]["eligibilityHistory"]["totalCount"] == 1
    assert [n["id"] for n in _nodes(await gateway.query(ELIGIBILITY))] == [mine.id]

    claims_only = await create_api_key(
        database, gateway.practice_id, "claims", frozenset({CLAIMS_READ, PATIENTS_READ})
    )
    refused = await gateway.query(ELIGIBILITY, key=claims_only)
    assert refused["data"]["eligibilityHistory"] is None
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "eligibility:read" in refused["errors"][0]["message"]

    member = "query { eligibilityHistory { edges { node { id memberId } } } }"
    no_phi = await create_api_key(
        database, gateway.practice_id, "elig", frozenset({ELIGIBILITY_READ})
    )
    masked = await gateway.query(member, key=no_phi)
    assert masked["data"]["eligibilityHistory"]["edges"][0]["node"]["memberId"] is None
    assert {e["extensions"]["code"] for e in masked["errors"]} == {"FORBIDDEN"}
    async with database.session() as session:
        before = await session.scalar(select(func.count()).where(AuditEvent.kind == "phi.read"))
    with_phi = await create_api_key(
        database, gateway.practice_id, "elig-phi", frozenset({ELIGIBILITY_READ, PHI_READ})
    )
    shown = await gateway.query(member, key=with_phi)
    assert "errors" not in shown
    assert shown["data"]["eligibilityHistory"]["edges"][0]["node"]["memberId"] == ours[0].member_id
    async with database.session() as session:
        reads = list(
            await session.scalars(
                select(AuditEvent).where(AuditEvent.kind == "phi.read").offset(before or 0)
            )
        )
    assert {r.patient_id for r in reads} == {ours[0].patient_id}
    assert all("EligibilityHistoryEntry.memberId" in r.fields for r in reads)
