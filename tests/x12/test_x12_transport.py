"""CORE-style exchange and the adapter against a tiny CORE endpoint (ASGI, payer edge)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import HTTP

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from payers.contract import (
    Capability,
    PayerProtocolError,
    PayerRejected,
    PayerSettings,
    PayerUnavailable,
)
from payers.model import ClaimRef, ClaimState, MemberQuery
from payers.x12.adapter import X12PayerAdapter

MEMBER = MemberQuery("123456789", "JOHN", "SMITH", date(1963, 5, 19))


def core_endpoint(answers: dict[str, tuple[int, dict[str, str]]]) -> Starlette:
    """Answers each PayloadType with (HTTP status, form fields); records what it received."""
    seen: list[dict[str, str]] = []

    async def endpoint(request: Request) -> Response:
        head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
        message = BytesParser(policy=HTTP).parsebytes(head + await request.body())
        assert isinstance(message, EmailMessage)
        form = {
            str(p.get_param("name", header="content-disposition")): p.get_content()
            for p in message.iter_parts()
        }
        seen.append(form)
        status, fields = answers[form["PayloadType"]]
        fields = {"PayloadID": form["PayloadID"], "ErrorCode": "Success", **fields}
        boundary = "core-boundary"
        body = (
            "".join(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
                for k, v in fields.items()
            )
            + f"--{boundary}--\r\n"
        )
        return Response(body, status, media_type=f"multipart/form-data; boundary={boundary}")

    app = Starlette(routes=[Route("/core", endpoint, methods=["POST"])])
    app.state.seen = seen
    return app


def settings(**options: object) -> PayerSettings:
    base = {
        "sender_id": "CLINIC01",
        "receiver_id": "PAYER01",
        "payer_id": "60054",
        "provider_npi": "1234567893",
        "provider_name": "RIVERSIDE FAMILY MEDICINE",
        "billing_address": {
            "street": "100 MAIN ST",
            "city": "SPRINGFIELD",
            "state": "IL",
            "postal_code": "62701",
        },
    }
    return PayerSettings(
        id="acme-x12",
        name="Acme Health",
        adapter="x12",
        base_url="http://payer.test/core",
        options={**base, **options},
    )


def adapter_for(app: Starlette, **options: object) -> X12PayerAdapter:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app))
    return X12PayerAdapter(settings(**options), client)


async def test_eligibility_round_trip(corpus):
    app = core_endpoint(
        {
            "X12_270_Request_005010X279A1": (
                200,
                {"Payload": corpus("271_5010_subscriber_plan_copay_lfh.x12")},
            )
        }
    )
    adapter = adapter_for(app, control_number_start=100)
    result = await adapter.check_eligibility(MEMBER, ["30"], date(2025, 3, 3))
    assert (result.member_id, result.active, len(result.benefits)) == ("123456789", True, 5)
    (sent,) = app.state.seen
    assert (sent["ProcessingMode"], sent["CORERuleVersion"], sent["SenderID"]) == (
        "RealTime",
        "2.2.0",
        "CLINIC01",
    )
    assert sent["Payload"].startswith("ISA*00*") and "*000000101*" in sent["Payload"]
    (exchange,) = adapter.exchanges
    assert exchange.request == sent["Payload"] and exchange.response == corpus(
        "271_5010_subscriber_plan_copay_lfh.x12"
    )
    assert adapter.control_numbers.last == 101


async def test_claim_status_picks_the_claim(corpus):
    app = core_endpoint(
        {"X12_276_Request_005010X212": (200, {"Payload": corpus("277_5010_claim_level_lfh.x12")})}
    )
    status = await adapter_for(app).claim_status(ClaimRef(MEMBER, payer_claim_id="0529675341"))
    assert (status.state, status.paid_amount, status.control_number) == (
        ClaimState.FINALIZED,
        Decimal("7599.00"),
        "J0234567",
    )


async def test_payments_batch_pickup_filters_by_member(corpus):
    app = core_endpoint(
        {
            "X12_835_Response_005010X221A1": (
                200,
                {"Payload": corpus("835_5010_managed_care_lfh.x12")},
            )
        }
    )
    adapter = adapter_for(app)
    assert len(await adapter.payments(None, None)) == 1
    assert await adapter.payments(MEMBER, None) == []
    assert app.state.seen[0]["ProcessingMode"] == "Batch"


async def test_http_500_is_unavailable():
    app = core_endpoint({"X12_270_Request_005010X279A1": (500, {"ErrorMessage": "down"})})
    with pytest.raises(PayerUnavailable, match="HTTP 500"):
        await adapter_for(app).check_eligibility(MEMBER, ["30"], date(2025, 3, 3))


async def test_core_error_code_is_a_rejection():
    app = core_endpoint(
        {
            "X12_270_Request_005010X279A1": (
                200,
                {"ErrorCode": "UnAuthorized", "ErrorMessage": "bad sender"},
            )
        }
    )
    with pytest.raises(PayerRejected) as e:
        await adapter_for(app).check_eligibility(MEMBER, ["30"], date(2025, 3, 3))
    assert e.value.reasons[0].code.code == "UnAuthorized"


async def test_non_multipart_answer_is_a_protocol_error():
    app = Starlette(routes=[Route("/core", lambda r: Response("hello"), methods=["POST"])])
    with pytest.raises(PayerProtocolError, match="not a CORE multipart"):
        await adapter_for(app).check_eligibility(MEMBER, ["30"], date(2025, 3, 3))


async def test_connection_failure_is_unavailable():
    client = httpx.AsyncClient()
    closed_port = PayerSettings(
        id="acme-x12",
        name="Acme",
        adapter="x12",
        base_url="http://127.0.0.1:9/core",
        options=settings().options,
    )
    adapter = X12PayerAdapter(closed_port, client)
    with pytest.raises(PayerUnavailable, match="cannot reach"):
        await adapter.check_eligibility(MEMBER, ["30"], date(2025, 3, 3))
    await client.aclose()


def test_capabilities_and_settings():
    assert Capability.CLAIM_SEARCH not in X12PayerAdapter.capabilities
    assert X12PayerAdapter.protocol == "x12"
    X12PayerAdapter.validate_settings(settings())
    with pytest.raises(ValueError, match="payer_id"):
        X12PayerAdapter.validate_settings(settings(payer_id=""))
    bad_url = PayerSettings(
        id="a", name="A", adapter="x12", base_url="ftp://x", options=settings().options
    )
    with pytest.raises(ValueError, match="http"):
        X12PayerAdapter.validate_settings(bad_url)
