"""Every protocol attaches the raw exchange to its answers, equal to what went over the wire.

Each adapter talks to its sandbox payer through a wire tap: an httpx transport that hands every
request to the sandbox's ASGITransport and keeps the bytes sent and received. The exchange an answer
carries must be exactly those bytes (for X12, the ``Payload`` fields of the CORE forms), and never the
credentials that went with them.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

import httpx
import pytest

from payers.model import ClaimRef, PayerExchange
from payers.registry import AdapterRegistry, build_adapter, parse_payers_config
from payers.sandbox.launch import payers_toml, plan_sandboxes
from tests.contract.test_adapter_contract import TODAY, WORLD, active_members, query, submission

#: One sandbox payer per protocol.
PAYERS = {"rest": "lakeshore", "fhir": "northwind", "x12": "summit"}


@dataclass
class WireTap(httpx.AsyncBaseTransport):
    """Passes requests to the sandbox and keeps each (request, response) as it crossed the wire."""

    inner: httpx.AsyncBaseTransport
    trips: list[tuple[httpx.Request, bytes, httpx.Headers]] = field(default_factory=list)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        response = await self.inner.handle_async_request(request)
        body = await response.aread()
        self.trips.append((request, body, response.headers))
        return httpx.Response(response.status_code, headers=response.headers, content=body)


def form(content_type: str, body: bytes) -> dict[str, str]:
    """The fields of a multipart form (a CORE envelope)."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    assert isinstance(message, EmailMessage)
    fields = {}
    for part in message.iter_parts():
        raw = part.get_payload(decode=True)
        assert isinstance(raw, bytes)
        fields[str(part.get_param("name", header="content-disposition"))] = raw.decode()
    return fields


def on_the_wire(protocol: str, trip: tuple[httpx.Request, bytes, httpx.Headers]) -> tuple[str, str]:
    """(request text, response text) of one round trip, as the exchange should hold them."""
    request, body, headers = trip
    if protocol == "x12":
        sent = form(request.headers["content-type"], request.content)
        answered = form(headers["content-type"], body)
        return sent["Payload"], answered["Payload"]
    sent_text = request.content.decode() if request.content else f"{request.method} {request.url}"
    return sent_text, body.decode()


@dataclass
class Wired:
    protocol: str
    adapter: Any
    tap: WireTap

    def payer_trips(self) -> list[tuple[httpx.Request, bytes, httpx.Headers]]:
        """Round trips to the payer's API (an OAuth token request is not one)."""
        return [t for t in self.tap.trips if not t[0].url.path.endswith("/oauth/token")]

    def last_trip(self) -> tuple[str, str]:
        return on_the_wire(self.protocol, self.payer_trips()[-1])

    def assert_no_secrets(self, exchange: PayerExchange) -> None:
        for secret in self.adapter.settings.credentials.values():
            assert secret not in exchange.request and secret not in exchange.response


@pytest.fixture(params=sorted(PAYERS))
async def wired(request: pytest.FixtureRequest) -> AsyncIterator[Wired]:
    protocol = request.param
    key = PAYERS[protocol]
    plan = plan_sandboxes(WORLD, only={key})
    os.environ.update(plan.environ)
    (settings,) = parse_payers_config(
        payers_toml(WORLD, {key: f"http://{key}.sandbox"}, timeout_seconds=3)
    )
    tap = WireTap(httpx.ASGITransport(app=plan.apps[key]))
    async with httpx.AsyncClient(transport=tap) as client:
        yield Wired(protocol, build_adapter(settings, AdapterRegistry.discover(), client), tap)


async def test_eligibility_carries_the_exchange_that_went_over_the_wire(wired: Wired) -> None:
    member = active_members(WORLD.books[PAYERS[wired.protocol]])[0]
    before = datetime.now(UTC)
    result = await wired.adapter.check_eligibility(query(member), ["30"], TODAY)
    exchange = result.exchange
    assert exchange is not None and exchange.protocol == wired.protocol
    assert (exchange.request, exchange.response) == wired.last_trip()
    assert member.member_id in exchange.request and member.member_id in exchange.response
    assert before <= exchange.at <= datetime.now(UTC)
    wired.assert_no_secrets(exchange)
    media = {
        "x12": "application/edi-x12",
        "fhir": "application/fhir+json",
        "rest": "application/json",
    }
    assert exchange.response_content_type.startswith(media[wired.protocol])
    assert exchange.request_content_type == media[wired.protocol]


async def test_claim_status_carries_the_exchange_that_went_over_the_wire(wired: Wired) -> None:
    book = WORLD.books[PAYERS[wired.protocol]]
    member = active_members(book)[0]
    claim = book.claims_of(member.member_id)[0]
    ref = ClaimRef(
        query(member),
        claim.payer_claim_id,
        claim.control_number,
        claim.service_date_from,
        claim.total_charge,
    )
    status = await wired.adapter.claim_status(ref)
    assert status.exchange is not None and status.exchange.protocol == wired.protocol
    assert len(wired.payer_trips()) == 1, "one round trip answers a claim status here"
    assert (status.exchange.request, status.exchange.response) == wired.last_trip()
    assert claim.control_number and claim.control_number in status.exchange.response
    wired.assert_no_secrets(status.exchange)


async def test_submission_acknowledgment_carries_the_exchange(wired: Wired) -> None:
    book = WORLD.books[PAYERS[wired.protocol]]
    control = f"PGWX{book.key[:4].upper()}01"
    ack = await wired.adapter.submit_claim(submission(book), control)
    assert ack.accepted and ack.exchange is not None
    assert (ack.exchange.request, ack.exchange.response) == wired.last_trip()
    assert control in ack.exchange.request
    if wired.protocol == "x12":
        assert "ST*837*" in ack.exchange.request
        assert "ST*999*" in ack.exchange.response or "ST*277*" in ack.exchange.response
    wired.assert_no_secrets(ack.exchange)


async def test_a_members_payments_never_carry_other_patients_raw_remittances(wired: Wired) -> None:
    book = WORLD.books[PAYERS[wired.protocol]]
    paid = next(m for m in book.members.values() if book.payments_for(m.member_id))
    mine = await wired.adapter.payments(query(paid), None)
    asked = len(wired.payer_trips())
    everyone = await wired.adapter.payments(None, None)
    assert mine and everyone
    if (
        wired.protocol == "rest"
    ):  # the payer filters by member itself: the raw answer is theirs only
        assert all(p.exchange is not None for p in mine)
    else:  # an 835 batch / reconciliation may hold other patients: left off for one member
        assert all(p.exchange is None for p in mine)
    whole = everyone[0].exchange
    assert whole is not None and all(p.exchange is whole for p in everyone)
    trips = [on_the_wire(wired.protocol, t) for t in wired.payer_trips()[asked:]]
    if len(trips) == 1:
        assert (whole.request, whole.response) == trips[0]
    else:  # several FHIR searches: their bodies in order, as one JSON array
        assert whole.response == "[" + ",\n".join(r for _, r in trips) + "]"
        assert whole.request == "\n".join(q for q, _ in trips)
    if wired.protocol == "x12":
        assert whole.request == "" and "ST*835*" in whole.response


def test_long_texts_are_cut_with_a_marker_and_repr_shows_no_text() -> None:
    at = datetime(2025, 3, 4, 10, 0, tzinfo=UTC)
    exchange = PayerExchange.of(
        "x12",
        "ISA*00*" + "A" * 300,
        "short",
        request_content_type="a",
        response_content_type="b",
        at=at,
        limit=100,
    )
    assert exchange.request.startswith("ISA*00*") and exchange.request[:100] == (
        "ISA*00*" + "A" * 93
    )
    assert exchange.request.endswith("[truncated by payer-gateway: 100 of 307 characters kept]")
    assert exchange.response == "short"
    default = PayerExchange.of(
        "rest",
        "x" * (256 * 1024 + 1),
        "{}",
        request_content_type="a",
        response_content_type="b",
        at=at,
    )
    assert "262144 of 262145 characters kept" in default.request
    assert "ISA" not in repr(exchange) and "307" not in repr(exchange)
