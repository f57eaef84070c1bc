"""FhirPayerAdapter end to end against a real FHIR test server (Starlette, via ASGITransport)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fhir_test_server import CLIENT_ID, CLIENT_SECRET, FhirTestServer
from tests_fhir_data import SUBMISSION

from payers.contract import (
    Capability,
    MemberNotFound,
    PayerProtocolError,
    PayerRejected,
    PayerSettings,
    PayerUnavailable,
)
from payers.fhir.adapter import FhirPayerAdapter
from payers.model import (
    ClaimRef,
    ClaimState,
    ClaimStatusFilter,
    Demographics,
    MemberQuery,
)

D = Decimal
BASE = "http://payer.test/fhir"
BB2_MEMBER = MemberQuery("2SW4N00AA00", "Jane", "Doe", date(1950, 3, 24))
CARIN_MEMBER = MemberQuery("88800933501", "John", "Smith", date(1943, 1, 1))


def settings(**options: Any) -> PayerSettings:
    return PayerSettings(
        id="fhir-test",
        name="FHIR test payer",
        adapter="fhir",
        base_url=BASE,
        credentials={"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
        options={"token_url": "http://payer.test/token", **options},
    )


@pytest.fixture
def server() -> FhirTestServer:
    return FhirTestServer()


@pytest.fixture
async def client(server: FhirTestServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=server.app())) as http:
        yield http


@pytest.fixture
def adapter(client: httpx.AsyncClient) -> FhirPayerAdapter:
    return FhirPayerAdapter(settings(), client)


def test_declares_protocol_and_every_capability() -> None:
    assert FhirPayerAdapter.protocol == "fhir"
    assert FhirPayerAdapter.capabilities == frozenset(Capability)


def test_validate_settings_refuses_broken_configs() -> None:
    FhirPayerAdapter.validate_settings(settings())
    bad_url = PayerSettings(id="x", name="x", adapter="fhir", base_url="payer.test/fhir")
    with pytest.raises(ValueError, match="not an http"):
        FhirPayerAdapter.validate_settings(bad_url)
    no_secret = PayerSettings(
        id="x",
        name="x",
        adapter="fhir",
        base_url=BASE,
        credentials={"client_id": "a"},
        options={"token_url": "https://auth.test/token"},
    )
    with pytest.raises(ValueError, match="credentials lack client_secret"):
        FhirPayerAdapter.validate_settings(no_secret)
    with pytest.raises(ValueError, match="max_pages"):
        FhirPayerAdapter.validate_settings(settings(max_pages=0))


async def test_search_claims_pages_through_bb2_eobs(
    adapter: FhirPayerAdapter, server: FhirTestServer
) -> None:
    claims = await adapter.search_claims(BB2_MEMBER, None, ClaimStatusFilter.ALL)
    assert len(claims) == 13  # 3 claims + 10 Part D events, 2 per page
    assert sum(1 for url in server.requests if "ExplanationOfBenefit" in url) == 7
    carrier = claims[0]
    assert carrier.payer_claim_id == "22639159481" and carrier.member_id == "2SW4N00AA00"
    assert carrier.paid_amount == D("50.0")
    recent = await adapter.search_claims(BB2_MEMBER, date(2016, 1, 1), ClaimStatusFilter.ALL)
    assert len(recent) == 10 and {c.claim_type for c in recent} == {"pharmacy"}
    assert await adapter.search_claims(BB2_MEMBER, None, ClaimStatusFilter.OPEN) == []


async def test_unknown_member_is_member_not_found(adapter: FhirPayerAdapter) -> None:
    stranger = MemberQuery("2SW4N00AA00", "Jane", "Doe", date(1951, 1, 1))  # wrong birth date
    with pytest.raises(MemberNotFound) as caught:
        await adapter.search_claims(stranger, None, ClaimStatusFilter.ALL)
    assert caught.value.payer_id == "fhir-test"


async def test_payments_for_a_member_and_since(adapter: FhirPayerAdapter) -> None:
    payments = await adapter.payments(CARIN_MEMBER, None)
    assert payments == []  # the CARIN examples state no payment
    bb2 = await adapter.payments(BB2_MEMBER, None)
    assert [p.amount for p in bb2] == [D("50.0"), D("10000.0"), D("20.0")]
    assert bb2[1].claims[0].charge == D("10000.0")
    everyone = await adapter.payments(None, None)
    assert len(everyone) == 3


async def test_eligibility_round_trip(adapter: FhirPayerAdapter) -> None:
    result = await adapter.check_eligibility(CARIN_MEMBER, ["30", "F6"], date(2024, 3, 1))
    assert result.active and result.member_id == "88800933501" and result.payer_id == "fhir-test"
    assert len(result.benefits) == 6
    assert result.benefits[0].remaining == D("496252.0")


async def test_eligibility_member_not_found_code(adapter: FhirPayerAdapter) -> None:
    with pytest.raises(MemberNotFound, match="codes 75"):
        await adapter.check_eligibility(BB2_MEMBER, ["30"], date(2024, 3, 1))


async def test_submit_claim_then_status_and_retry_is_idempotent(
    adapter: FhirPayerAdapter, server: FhirTestServer
) -> None:
    ack = await adapter.submit_claim(SUBMISSION, "CN-20240302-0001")
    assert ack.accepted and ack.payer_claim_id == "TP00001"
    assert ack.control_number == "CN-20240302-0001"
    assert ack.status is not None and ack.status.state is ClaimState.ACKNOWLEDGED
    again = await adapter.submit_claim(SUBMISSION, "CN-20240302-0001")
    assert again.payer_claim_id == "TP00001" and len(server.claims) == 1
    status = await adapter.claim_status(
        ClaimRef(member=CARIN_MEMBER, control_number="CN-20240302-0001")
    )
    assert status.category.code == "A1" and status.total_charge == D("224.90")


async def test_claim_status_by_payer_id_eob_fallback_and_not_found(
    adapter: FhirPayerAdapter,
) -> None:
    corpus = await adapter.claim_status(ClaimRef(member=CARIN_MEMBER, payer_claim_id="R3500"))
    assert corpus.category.code == "F1" and corpus.paid_amount == D("100.47")
    eob = await adapter.claim_status(ClaimRef(member=BB2_MEMBER, payer_claim_id="4412920419"))
    assert eob.paid_amount == D("20.0") and eob.state is ClaimState.FINALIZED
    missing = await adapter.claim_status(ClaimRef(member=BB2_MEMBER, control_number="NOPE"))
    assert missing.category.code == "A4"


async def test_rejected_claim(adapter: FhirPayerAdapter) -> None:
    from dataclasses import replace

    ack = await adapter.submit_claim(replace(SUBMISSION, diagnoses=()), "CN-2")
    assert not ack.accepted and [r.code for r in ack.reasons] == ["16"]
    assert ack.status is not None and ack.status.state is ClaimState.REJECTED


async def test_discover_coverage(adapter: FhirPayerAdapter) -> None:
    found = await adapter.discover_coverage(Demographics("Jane", "Doe", date(1950, 3, 24)))
    assert [c.plan.name for c in found if c.plan] == ["Part A", "Part B", "Part C", "Part D"]
    assert {c.member_id for c in found} == {"2SW4N00AA00"}


# --- tokens ------------------------------------------------------------------------------------


async def test_token_is_fetched_once_for_concurrent_callers(
    adapter: FhirPayerAdapter, server: FhirTestServer
) -> None:
    await asyncio.gather(
        *(adapter.search_claims(CARIN_MEMBER, None, ClaimStatusFilter.ALL) for _ in range(5))
    )
    assert server.token_requests == 1


async def test_token_refreshed_once_on_401(
    adapter: FhirPayerAdapter, server: FhirTestServer
) -> None:
    await adapter.search_claims(CARIN_MEMBER, None, ClaimStatusFilter.ALL)
    server.tokens.clear()  # the payer revoked every token early
    claims = await adapter.search_claims(CARIN_MEMBER, None, ClaimStatusFilter.ALL)
    assert len(claims) == 3 and server.token_requests == 2


async def test_token_expiry_margin(client: httpx.AsyncClient, server: FhirTestServer) -> None:
    now = [1000.0]
    server.token_lifetime = 60
    adapter = FhirPayerAdapter(settings(), client)
    adapter.tokens._clock = lambda: now[0]
    await adapter.discover_coverage(Demographics("John", "Smith", date(1943, 1, 1)))
    now[0] += 53  # 60 s lifetime minus a 6 s margin: still valid
    await adapter.discover_coverage(Demographics("John", "Smith", date(1943, 1, 1)))
    assert server.token_requests == 1
    now[0] += 2
    await adapter.discover_coverage(Demographics("John", "Smith", date(1943, 1, 1)))
    assert server.token_requests == 2


async def test_bad_client_secret_is_rejected(client: httpx.AsyncClient) -> None:
    wrong = PayerSettings(
        id="fhir-test",
        name="x",
        adapter="fhir",
        base_url=BASE,
        credentials={"client_id": CLIENT_ID, "client_secret": "guess"},
        options={"token_url": "http://payer.test/token"},
    )
    with pytest.raises(PayerRejected, match=r"token request refused .*invalid_client") as caught:
        await FhirPayerAdapter(wrong, client).payments(None, None)
    assert "guess" not in str(caught.value)


# --- faults ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "error", "message"),
    [
        ("html", PayerProtocolError, "content type 'text/html' is not FHIR JSON"),
        ("broken-json", PayerProtocolError, "body is not JSON"),
        ("wrong-type", PayerProtocolError, "expected Bundle, got Coverage"),
        ("server-error", PayerUnavailable, "HTTP 503: database unavailable"),
        ("bad-request", PayerRejected, "HTTP 400: unknown search parameter"),
        ("endless", PayerProtocolError, "next link repeats an earlier page"),
        ("foreign-next", PayerProtocolError, "next link leaves the payer's base URL"),
    ],
)
async def test_faults_become_contract_errors(
    adapter: FhirPayerAdapter, server: FhirTestServer, fault: str, error: type, message: str
) -> None:
    server.faults.add(fault)
    with pytest.raises(error, match=message) as caught:
        await adapter.payments(None, None)
    assert caught.value.payer_id == "fhir-test"


async def test_paging_bound(client: httpx.AsyncClient) -> None:
    bounded = FhirPayerAdapter(settings(max_pages=3), client)
    with pytest.raises(PayerProtocolError, match="more than 3 pages"):
        await bounded.search_claims(BB2_MEMBER, None, ClaimStatusFilter.ALL)


async def test_operation_outcome_on_rejected_request_carries_codes(
    adapter: FhirPayerAdapter, server: FhirTestServer
) -> None:
    server.faults.add("bad-request")
    with pytest.raises(PayerRejected) as caught:
        await adapter.discover_coverage(Demographics("Jane", "Doe", date(1950, 3, 24)))
    assert [r.code.code for r in caught.value.reasons] == ["invalid"]


async def test_connection_failure_is_unavailable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse)) as http:
        with pytest.raises(PayerUnavailable, match="ConnectError"):
            await FhirPayerAdapter(settings(), http).payments(None, None)
