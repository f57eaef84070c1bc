from __future__ import annotations

import asyncio
import socket
import time
from datetime import date
from decimal import Decimal

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from payers.contract import (
    MemberNotFound,
    PayerProtocolError,
    PayerRejected,
    PayerSettings,
    PayerTimeout,
    PayerUnavailable,
)
from payers.model import ClaimRef, ClaimStatusFilter, Demographics, MemberQuery
from payers.rest.adapter import RestPayerAdapter
from payers.sandbox.rest_app import create_rest_app
from payers.sandbox.world import World

TODAY = date(2025, 11, 27)


def _oscar(world: World, **changes: object) -> MemberQuery:
    person = world.people["oscar"]
    fields = {
        "member_id": "LHP205517604",
        "first_name": person.first_name,
        "last_name": person.last_name,
        "birth_date": person.birth_date,
        **changes,
    }
    return MemberQuery(**fields)  # type: ignore[arg-type]


async def _set_faults(http: httpx.AsyncClient, **faults: object) -> None:
    response = await http.put("http://lakeshore.test/_control/faults", json=faults)
    assert response.status_code == 200


async def test_wrong_api_key_is_a_rejection_about_credentials(
    http: httpx.AsyncClient, lakeshore_settings: PayerSettings, world: World
) -> None:
    wrong = PayerSettings(**{**_fields(lakeshore_settings), "credentials": {"api_key": "nope"}})
    with pytest.raises(PayerRejected, match="api_key") as caught:
        await RestPayerAdapter(wrong, http).check_eligibility(_oscar(world), ["30"], TODAY)
    assert caught.value.payer_id == "lakeshore" and caught.value.reasons == ()


def _fields(settings: PayerSettings) -> dict[str, object]:
    return {name: getattr(settings, name) for name in settings.__slots__}  # type: ignore[attr-defined]


async def test_unknown_member_is_member_not_found(adapter: RestPayerAdapter, world: World) -> None:
    with pytest.raises(MemberNotFound) as caught:
        await adapter.check_eligibility(_oscar(world, member_id="LHP999999999"), ["30"], TODAY)
    assert caught.value.payer_id == "lakeshore" and caught.value.code == "MEMBER_NOT_FOUND"
    with pytest.raises(MemberNotFound):
        await adapter.payments(_oscar(world, member_id="LHP999999999"), None)


async def test_demographic_mismatch_is_member_not_found_with_payer_codes(
    adapter: RestPayerAdapter, world: World
) -> None:
    with pytest.raises(MemberNotFound) as caught:
        await adapter.search_claims(
            _oscar(world, birth_date=date(1970, 1, 1)), None, ClaimStatusFilter.ALL
        )
    reasons = caught.value.reasons
    assert [(r.code.system, r.code.code, r.follow_up) for r in reasons] == [
        ("aaa-reject-reason", "71", "C")
    ]
    assert "demographics do not match" in caught.value.message


async def test_unknown_claim_is_rejected_with_277_codes(
    adapter: RestPayerAdapter, world: World
) -> None:
    with pytest.raises(PayerRejected) as caught:
        await adapter.claim_status(ClaimRef(_oscar(world), payer_claim_id="LK000"))
    assert [r.code.code for r in caught.value.reasons] == ["A4", "35"]
    with pytest.raises(PayerRejected):
        await adapter.claim_status(ClaimRef(_oscar(world)))


async def test_server_errors_are_unavailable(
    adapter: RestPayerAdapter, http: httpx.AsyncClient, world: World
) -> None:
    await _set_faults(http, error_rate=1.0)
    with pytest.raises(PayerUnavailable) as caught:
        await adapter.payments(None, None)
    assert type(caught.value) is PayerUnavailable and caught.value.retryable
    assert "503" in caught.value.message


async def test_latency_is_felt_by_the_adapter(
    adapter: RestPayerAdapter, http: httpx.AsyncClient
) -> None:
    await _set_faults(http, latency_ms=120)
    started = time.perf_counter()
    assert len(await adapter.payments(None, None)) == 3
    assert time.perf_counter() - started >= 0.12


@pytest.mark.timed
async def test_hang_becomes_a_timeout(
    http: httpx.AsyncClient, lakeshore_settings: PayerSettings, world: World
) -> None:
    await _set_faults(http, hang=True)
    quick = PayerSettings(**{**_fields(lakeshore_settings), "timeout_seconds": 0.2})
    started = time.perf_counter()
    with pytest.raises(PayerTimeout) as caught:
        await RestPayerAdapter(quick, http).check_eligibility(_oscar(world), ["30"], TODAY)
    assert 0.2 <= time.perf_counter() - started < 1.0
    assert caught.value.code == "PAYER_TIMEOUT" and isinstance(caught.value.__cause__, TimeoutError)


async def test_malformed_answer_is_a_protocol_error(
    adapter: RestPayerAdapter, http: httpx.AsyncClient, world: World
) -> None:
    await _set_faults(http, malformed=True)
    with pytest.raises(PayerProtocolError, match="not valid JSON"):
        await adapter.check_eligibility(_oscar(world), ["30"], TODAY)


def _odd_payer() -> Starlette:
    async def html(request):  # type: ignore[no-untyped-def]
        return HTMLResponse("<html>maintenance</html>")

    async def wrong_shape(request):  # type: ignore[no-untyped-def]
        return JSONResponse({"payments": [{"traceNumber": "1", "method": "ACH", "amount": 12.5}]})

    async def not_found(request):  # type: ignore[no-untyped-def]
        return HTMLResponse("no", status_code=404)

    return Starlette(
        routes=[
            Route("/v1/eligibility", html, methods=["POST"]),
            Route("/v1/payments", wrong_shape),
            Route("/v1/coverage/discovery", not_found, methods=["POST"]),
        ]
    )


async def test_answers_outside_the_protocol(
    lakeshore_settings: PayerSettings, world: World
) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=_odd_payer())) as http:
        adapter = RestPayerAdapter(lakeshore_settings, http)
        with pytest.raises(PayerProtocolError, match="text/html"):
            await adapter.check_eligibility(_oscar(world), ["30"], TODAY)
        with pytest.raises(PayerProtocolError, match="'amount' must be a decimal string"):
            await adapter.payments(None, None)
        with pytest.raises(PayerProtocolError, match="404"):
            await adapter.discover_coverage(_demographics(world))


def _demographics(world: World) -> Demographics:
    person = world.people["oscar"]
    return Demographics(person.first_name, person.last_name, person.birth_date)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_refused_connection_is_unavailable(
    lakeshore_settings: PayerSettings, world: World
) -> None:
    closed = PayerSettings(
        **{**_fields(lakeshore_settings), "base_url": f"http://127.0.0.1:{_free_port()}"}
    )
    async with httpx.AsyncClient() as http:
        with pytest.raises(PayerUnavailable, match="ConnectError"):
            await RestPayerAdapter(closed, http).check_eligibility(_oscar(world), ["30"], TODAY)


async def test_over_a_real_socket(lakeshore_settings: PayerSettings, world: World) -> None:
    app = create_rest_app(
        world.books["lakeshore"], api_key=lakeshore_settings.credentials["api_key"]
    )
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", lifespan="off", timeout_graceful_shutdown=1)
    )
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        live = PayerSettings(
            **{**_fields(lakeshore_settings), "base_url": url, "timeout_seconds": 0.3}
        )
        async with httpx.AsyncClient() as http:
            adapter = RestPayerAdapter(live, http)
            result = await adapter.check_eligibility(_oscar(world), ["30"], TODAY)
            assert result.benefits == world.books["lakeshore"].benefits["LHP205517604"]
            await http.put(f"{url}/_control/faults", json={"hang": True})
            with pytest.raises(PayerTimeout):
                await adapter.payments(None, None)
    finally:
        server.should_exit = True
        await serving
        sock.close()


@pytest.mark.parametrize(
    ("reason", "words"),
    [
        ("42", "The payer cannot respond right now; retry later."),
        ("80", "No response came back from the payer; retry later."),
    ],
)
async def test_busy_payer_is_unavailable_in_plain_words(
    adapter: RestPayerAdapter,
    http: httpx.AsyncClient,
    world: World,
    reason: str,
    words: str,
) -> None:
    await _set_faults(http, busy=True, busy_reason=reason)
    with pytest.raises(PayerUnavailable) as caught:
        await adapter.check_eligibility(_oscar(world), ["30"], TODAY)
    assert type(caught.value) is PayerUnavailable and caught.value.retryable
    assert caught.value.payer_id == "lakeshore"
    assert caught.value.message.startswith(f"the payer answered HTTP 200 TRY_LATER: {words}")
    assert f"({reason} " in caught.value.message
    with pytest.raises(PayerUnavailable, match=f"HTTP 200 TRY_LATER: {words}"):
        await adapter.claim_status(ClaimRef(_oscar(world), control_number="EFM1000214"))
    # the other operations get HTTP 503 with the same body: the payer's words still come through
    with pytest.raises(PayerUnavailable, match=f"HTTP 503 TRY_LATER: {words}"):
        await adapter.payments(None, None)


async def test_an_error_body_inside_a_200_is_not_taken_for_an_answer(
    lakeshore_settings: PayerSettings,
) -> None:
    async def refuse(request: object) -> JSONResponse:
        return JSONResponse(
            {"error": {"code": "PLAN_LOCKED", "message": "plan year closed", "reasons": []}}
        )

    app = Starlette(routes=[Route("/v1/payments", refuse)])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client:
        adapter = RestPayerAdapter(lakeshore_settings, client)
        with pytest.raises(PayerRejected, match="PLAN_LOCKED: plan year closed"):
            await adapter.payments(None, None)


def _payments_answered_as(content_type: str | None) -> Starlette:
    body = b'{"payments": [{"traceNumber": "T1", "method": "ACH", "amount": "12.50"}]}'

    async def payments(request):  # type: ignore[no-untyped-def]
        headers = {} if content_type is None else {"content-type": content_type}
        return Response(body, headers=headers)

    return Starlette(routes=[Route("/v1/payments", payments)])


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "Application/JSON; charset=UTF-8", " application/vnd.payer+json ;v=2"],
)
async def test_json_answers_are_read_whatever_the_spelling_of_their_type(
    lakeshore_settings: PayerSettings, content_type: str
) -> None:
    app = _payments_answered_as(content_type)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:
        (payment,) = await RestPayerAdapter(lakeshore_settings, http).payments(None, None)
    assert payment.amount == Decimal("12.50")
    assert payment.exchange is not None
    assert payment.exchange.response_content_type == content_type  # as the payer said it


@pytest.mark.parametrize(
    ("content_type", "refusal"),
    [
        (None, "got 'nothing'"),
        ("text/plain", "got 'text/plain'"),
        ("application/jsonx", "got 'application/jsonx'"),
    ],
)
async def test_answers_not_typed_as_json_are_refused(
    lakeshore_settings: PayerSettings, content_type: str | None, refusal: str
) -> None:
    app = _payments_answered_as(content_type)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:
        with pytest.raises(PayerProtocolError, match=f"expected application/json, {refusal}"):
            await RestPayerAdapter(lakeshore_settings, http).payments(None, None)
