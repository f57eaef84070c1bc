"""Searching patients by identity is reading PHI: it needs phi:read and every search is audited.

Without phi:read a caller could test a birth date, a member id or a name prefix and learn which
pseudonymous patient matches; and a name-ordered listing with name cursors would hand it the names.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from sqlalchemy import select

from gateway.identity import CLAIMS_READ, PATIENTS_READ, PAYMENTS_READ, create_api_key
from gateway.storage.audit_tables import AuditEvent
from tests.gateway.conftest import Gateway

SEARCH = "query($s: String, $after: String) { patients(search: $s, first: 3, after: $after) { edges { cursor node { id patientKey } } pageInfo { hasNextPage endCursor } } }"
ANALYST_SCOPES = frozenset({PATIENTS_READ, CLAIMS_READ, PAYMENTS_READ})


def _terms(world: Any) -> dict[str, str]:
    """One term of each kind that matches a patient of the demo practice."""
    person = next(p for p in world.people.values() if world.coverages_of(p.key))
    member = world.coverages_of(person.key)[0].member_id
    return {
        "name": person.last_name[:3],
        "birth_date": person.birth_date.isoformat(),
        "member_id": member,
    }


async def _analyst(gateway: Gateway) -> str:
    return await create_api_key(
        gateway.services.database, gateway.practice_id, "bi", ANALYST_SCOPES
    )


async def _search_events(gateway: Gateway) -> list[AuditEvent]:
    async with gateway.services.database.session() as session:
        rows = await session.scalars(
            select(AuditEvent)
            .where(AuditEvent.kind == "patients.searched")
            .order_by(AuditEvent.occurred_at)
        )
        return list(rows)


@pytest.mark.parametrize("kind", ["name", "birth_date", "member_id"])
async def test_searching_without_phi_read_is_refused(
    gateway: Gateway, world: Any, kind: str
) -> None:
    term = _terms(world)[kind]
    body = await gateway.query(SEARCH, {"s": term}, key=await _analyst(gateway))
    assert body["data"]["patients"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["extensions"]["scope"] == "phi:read"
    assert error["extensions"]["argument"] == "search"
    assert await _search_events(gateway) == []  # nothing was searched


@pytest.mark.parametrize("kind", ["name", "birth_date", "member_id"])
async def test_every_search_is_audited_with_its_kind_and_count_never_the_term(
    gateway: Gateway, world: Any, kind: str
) -> None:
    term = _terms(world)[kind]
    first = await gateway.query(SEARCH, {"s": term})
    again = await gateway.query(SEARCH, {"s": term})  # the same search twice: audited twice
    matched = len(first["data"]["patients"]["edges"])
    assert matched >= 1 and again["data"] == first["data"]
    events = await _search_events(gateway)
    assert [(e.detail, e.practice_id, e.actor_kind) for e in events] == [
        ({"termKind": kind, "matched": str(matched)}, gateway.practice_id, "api_key")
    ] * 2
    stored = json.dumps([[e.detail, e.fields, e.operation] for e in events])
    assert term not in stored and term.lower() not in stored


async def test_listing_without_phi_read_reveals_no_names(gateway: Gateway, world: Any) -> None:
    """Pages in pseudonymous order; cursors carry ids, not names."""
    analyst = await _analyst(gateway)
    seen: list[str] = []
    after = None
    while True:
        body = await gateway.query(SEARCH, {"s": None, "after": after}, key=analyst)
        page = body["data"]["patients"]
        for edge in page["edges"]:
            raw = base64.urlsafe_b64decode(edge["cursor"] + "=" * (-len(edge["cursor"]) % 4))
            for person in world.people.values():
                assert (
                    person.last_name.encode() not in raw and person.first_name.encode() not in raw
                )
            seen.append(edge["node"]["id"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == len(gateway.patient_ids)
    # A name cursor from a phi:read caller is no cursor here.
    named = await gateway.query(SEARCH, {"s": None})
    cursor = named["data"]["patients"]["pageInfo"]["endCursor"]
    refused = await gateway.query(SEARCH, {"s": None, "after": cursor}, key=analyst)
    assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_the_schema_shows_what_search_needs() -> None:
    from gateway.graphql.schema import build_schema

    sdl = build_schema().as_str()
    assert 'search: String = null @argumentRequiresScope(scope: "phi:read")' in sdl
