from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import httpx
import pytest

from payers.codesets import lookup
from payers.contract import Capability, PayerSettings
from payers.model import (
    ClaimLine,
    ClaimRef,
    ClaimState,
    ClaimStatusFilter,
    ClaimSubmission,
    Demographics,
    DiscoveredCoverage,
    MemberQuery,
    SubscriberRelation,
)
from payers.registry import AdapterRegistry, RegistryError, build_adapter
from payers.rest.adapter import RestPayerAdapter
from payers.sandbox.rest_app import create_rest_app
from payers.sandbox.world import World

TODAY = date(2025, 11, 27)  # the day tests/rest/conftest.py builds the world for
OSCAR_ID = "LHP205517604"


def payer_settings(payer_id: str, *, api_key: str, timeout: float = 2.0) -> PayerSettings:
    return PayerSettings(
        id=payer_id,
        name=payer_id.title(),
        adapter="rest",
        base_url=f"http://{payer_id}.test/",
        timeout_seconds=timeout,
        credentials={"api_key": api_key},
    )


def _member(world: World, member_id: str = OSCAR_ID, book: str = "lakeshore") -> MemberQuery:
    person = world.books[book].members[member_id].person
    return MemberQuery(member_id, person.first_name, person.last_name, person.birth_date)


def _submission(world: World, total: str = "185.00") -> ClaimSubmission:
    day = TODAY - timedelta(days=1)
    return ClaimSubmission(
        member=_member(world),
        billing_provider_npi=world.providers["mfm"].npi,
        billing_provider_tax_id="84-7301296",
        billing_provider_name="Elmridge Family Medicine",
        rendering_provider_npi=world.providers["dr_exampleton"].npi,
        place_of_service="11",
        frequency_code="1",
        diagnoses=("J069", "R05.9"),
        lines=(
            ClaimLine(
                1,
                lookup("procedure", "99213"),
                Decimal("150.00"),
                diagnosis_pointers=(1, 2),
                service_date=day,
            ),
            ClaimLine(
                2,
                lookup("procedure", "87880"),
                Decimal("35.00"),
                modifiers=("QW",),
                diagnosis_pointers=(1,),
                service_date=day,
            ),
        ),
        total_charge=Decimal(total),
    )


def test_adapter_declares_the_contract() -> None:
    assert RestPayerAdapter.protocol == "rest"
    assert RestPayerAdapter.capabilities == frozenset(Capability)
    assert RestPayerAdapter.required_credentials == frozenset({"api_key"})
    assert AdapterRegistry.discover({}).get("rest") is RestPayerAdapter


def test_validate_settings_wants_an_http_url() -> None:
    RestPayerAdapter.validate_settings(payer_settings("lakeshore", api_key="k"))
    for url in ("ftp://payer.example", "payer.example/api", "https://"):
        bad = PayerSettings(
            id="p", name="P", adapter="rest", base_url=url, credentials={"api_key": "k"}
        )
        with pytest.raises(ValueError, match="base_url"):
            RestPayerAdapter.validate_settings(bad)
        with pytest.raises(RegistryError, match="payer 'p'"):
            build_adapter(bad, AdapterRegistry.discover({}), httpx.AsyncClient())


async def test_eligibility_equals_the_world(adapter: RestPayerAdapter, world: World) -> None:
    book = world.books["lakeshore"]
    result = await adapter.check_eligibility(_member(world), ["30"], TODAY)
    assert result == book.eligibility(book.members[OSCAR_ID], ["30"], TODAY)
    assert result.benefits == book.benefits[OSCAR_ID]
    assert result.payer_id == "lakeshore" and result.active
    office = await adapter.check_eligibility(_member(world), ["98", "UC"], TODAY)
    assert [b.amount for b in office.benefits[1:]] == [
        Decimal("25.00"),
        Decimal("50.00"),
        Decimal("75.00"),
    ]


async def test_eligibility_of_a_terminated_member(adapter: RestPayerAdapter, world: World) -> None:
    result = await adapter.check_eligibility(_member(world, "LHP562200981"), ["30"], TODAY)
    assert not result.active and result.plan.end < TODAY
    assert [b.code.code for b in result.benefits] == ["6"]


async def test_claim_search_equals_the_world(adapter: RestPayerAdapter, world: World) -> None:
    book = world.books["lakeshore"]
    claims = await adapter.search_claims(_member(world), None, ClaimStatusFilter.ALL)
    assert tuple(claims) == book.claims[OSCAR_ID]
    open_claims = await adapter.search_claims(_member(world), None, ClaimStatusFilter.OPEN)
    assert [c.status.state for c in open_claims] == [ClaimState.INFORMATION_REQUESTED]
    since = await adapter.search_claims(
        _member(world), TODAY - timedelta(days=40), ClaimStatusFilter.CLOSED
    )
    assert [c.control_number for c in since] == ["EFM1000241"]


async def test_claim_status_by_claim_id_and_control_number(
    adapter: RestPayerAdapter, world: World
) -> None:
    claim = world.books["lakeshore"].find_claim(control_number="EFM1000241")
    by_id = await adapter.claim_status(
        ClaimRef(_member(world), payer_claim_id=claim.payer_claim_id)
    )
    by_cn = await adapter.claim_status(ClaimRef(_member(world), control_number="EFM1000241"))
    assert by_id == by_cn == claim.status
    assert (by_id.state, by_id.category.code, by_id.status.code) == (ClaimState.DENIED, "F2", "21")


async def test_payments_equal_the_world(adapter: RestPayerAdapter, world: World) -> None:
    book = world.books["lakeshore"]
    assert tuple(await adapter.payments(None, None)) == book.payments
    mine = await adapter.payments(_member(world), TODAY - timedelta(days=60))
    assert tuple(mine) == book.payments_for(OSCAR_ID, TODAY - timedelta(days=60))
    assert [(p.trace_number, p.amount, len(p.claims)) for p in mine] == [
        ("1LKS0051377", Decimal("190.93"), 2)
    ]
    denied = next(c for c in mine[0].claims if c.control_number == "EFM1000241")
    assert denied.lines[0].adjustments[0].remarks[0].code == "N290"


async def test_coverage_discovery(adapter: RestPayerAdapter, world: World) -> None:
    lily = world.people["lily"]
    found = await adapter.discover_coverage(Demographics("Lily", "Sample", lily.birth_date))
    member = world.books["lakeshore"].members["LHP205517612"]
    assert list(found) == [
        DiscoveredCoverage(
            "lakeshore",
            "LHP205517612",
            member.plan,
            SubscriberRelation.CHILD,
            Demographics("Lily", "Sample", lily.birth_date, "F", lily.postal_code),
        )
    ]
    assert await adapter.discover_coverage(Demographics("Lily", "Sample", date(2000, 1, 1))) == ()


async def test_submission_is_deduplicated_on_control_number(
    adapter: RestPayerAdapter, world: World, http: httpx.AsyncClient
) -> None:
    first = await adapter.submit_claim(_submission(world), "PGW-0001")
    again = await adapter.submit_claim(_submission(world), "PGW-0001")
    assert first.accepted and not first.duplicate
    assert again.duplicate and again.payer_claim_id == first.payer_claim_id == "LK2533150001"
    assert first.status.state is ClaimState.ACKNOWLEDGED and first.status.category.code == "A1"
    other = await adapter.submit_claim(_submission(world), "PGW-0002")
    assert other.payer_claim_id == "LK2533150002"
    stats = (await http.get("http://lakeshore.test/_control/stats")).json()
    assert stats["claims_received"] == {"PGW-0001": 2, "PGW-0002": 1}
    assert stats["requests"]["claim_submission"] == 3
    claims = await adapter.search_claims(_member(world), None, ClaimStatusFilter.OPEN)
    assert [c.control_number for c in claims][:2] == ["PGW-0002", "PGW-0001"]
    assert claims[1].diagnoses[0].code == "J06.9"
    status = await adapter.claim_status(ClaimRef(_member(world), control_number="PGW-0001"))
    assert status.payer_claim_id == "LK2533150001" and status.state is ClaimState.ACKNOWLEDGED
    await http.post("http://lakeshore.test/_control/reset")
    assert not (await adapter.submit_claim(_submission(world), "PGW-0001")).duplicate


async def test_a_claim_that_does_not_add_up_is_rejected(
    adapter: RestPayerAdapter, world: World
) -> None:
    ack = await adapter.submit_claim(_submission(world, total="999.00"), "PGW-0003")
    assert not ack.accepted and ack.payer_claim_id is None
    assert [(c.system, c.code) for c in ack.reasons] == [
        ("claim-status-category", "A7"),
        ("claim-status", "178"),
    ]
    assert ack.status.state is ClaimState.REJECTED


async def test_two_rest_payers_serve_their_own_books(world: World) -> None:
    app = create_rest_app(world.books["cascade"], api_key="cascade-key")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:
        cascade = RestPayerAdapter(payer_settings("cascade", api_key="cascade-key"), http)
        result = await cascade.check_eligibility(
            _member(world, "CMI6139024401", "cascade"), [], TODAY
        )
        assert (
            result.payer_id == "cascade"
            and result.benefits == world.books["cascade"].benefits["CMI6139024401"]
        )


async def test_each_query_reaches_the_payer_as_asked(
    adapter: RestPayerAdapter, world: World
) -> None:
    """URLs are kept per adapter (payers/rest/adapter.py ``_url``): a kept one never answers for
    different parameters."""
    book = world.books["lakeshore"]
    recent, older = TODAY - timedelta(days=10), TODAY - timedelta(days=60)
    for since in (older, recent, older, None):
        got = await adapter.payments(_member(world), since)
        assert tuple(got) == book.payments_for(OSCAR_ID, since)
        query = f"memberId={OSCAR_ID}" + (f"&since={since}" if since else "")
        assert all(
            p.exchange.request == f"GET http://lakeshore.test/v1/payments?{query}" for p in got
        )
    assert tuple(await adapter.payments(None, None)) == book.payments


async def test_every_answer_carries_the_exchange_it_came_from(
    adapter: RestPayerAdapter, world: World
) -> None:
    eligibility = await adapter.check_eligibility(_member(world), ["30"], TODAY)
    assert eligibility.exchange is not None
    assert json.loads(eligibility.exchange.request)["member"]["memberId"] == OSCAR_ID
    assert json.loads(eligibility.exchange.response)["memberId"] == OSCAR_ID
    claims = await adapter.search_claims(_member(world), None, ClaimStatusFilter.ALL)
    assert len({id(c.status.exchange) for c in claims}) == 1  # one search, one exchange
    searched = claims[0].status.exchange
    assert searched is not None and json.loads(searched.request)["status"] == "all"
    status = await adapter.claim_status(ClaimRef(_member(world), control_number="EFM1000241"))
    assert status.exchange is not None and status.exchange.request.startswith("GET http://")
    payments = await adapter.payments(_member(world), None)
    assert payments and all(p.exchange is not None for p in payments)
