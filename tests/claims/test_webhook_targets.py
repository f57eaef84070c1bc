"""Webhooks cannot reach inside: every non-public address class is refused at registration and again
at delivery, against the address actually connected to; a name that resolves elsewhere later is
caught; only operator-allowed networks open; redirects are not followed; TLS still checks the name."""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

import httpx
import pytest
import trustme
import uvicorn
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from gateway.claims import webhooks
from gateway.claims.settings import ClaimsSettings
from gateway.claims.webhook_addresses import (
    AddressRefused,
    WebhookAddressGuard,
    parse_networks,
    system_resolver,
)
from gateway.claims.webhook_transport import PinnedAddressTransport
from gateway.storage.claims_tables import Webhook, WebhookDelivery
from tests.claims.conftest import SUBMIT, as_input, billed, new_key, office_visit
from tests.claims.webhook_receivers import receiver, register
from tests.gateway.conftest import Gateway

#: One or more URLs per class the issue names; each must be refused whatever the scheme.
INSIDE = [
    "http://127.0.0.1/hook",  # loopback
    "https://127.0.0.2/hook",
    "http://[::1]/hook",
    "http://localhost/hook",  # a name that resolves to loopback
    "http://2130706433/hook",  # decimal, octal, hex and short IPv4 forms
    "http://017700000001/hook",
    "http://0x7f.1/hook",
    "http://127.1/hook",
    "https://10.0.0.1/hook",  # RFC 1918
    "https://172.16.5.4/hook",
    "https://192.168.1.10/hook",
    "http://169.254.169.254/latest/meta-data/",  # link-local: cloud metadata, both schemes
    "https://169.254.169.254/latest/meta-data/",
    "https://100.64.0.1/hook",  # CGNAT 100.64/10
    "http://100.100.100.200/latest/meta-data/",  # Alibaba's metadata, inside CGNAT
    "http://0.0.0.0/hook",  # unspecified
    "http://[::]/hook",
    "https://224.0.0.1/hook",  # multicast
    "https://[ff02::1]/hook",
    "https://255.255.255.255/hook",  # broadcast, reserved
    "https://240.0.0.1/hook",
    "https://[fd12:3456::1]/hook",  # IPv6 unique-local
    "https://[fc00::1]/hook",
    "https://[fe80::1]/hook",  # IPv6 link-local
    "https://[fec0::1]/hook",  # IPv6 site-local (deprecated, still inside)
    "http://[::ffff:127.0.0.1]/hook",  # IPv4-mapped IPv6
    "http://[::ffff:169.254.169.254]/hook",
    "https://[::ffff:10.0.0.1]/hook",
    "https://[64:ff9b::a9fe:a9fe]/hook",  # NAT64 of 169.254.169.254
    "https://[2002:7f00:1::1]/hook",  # 6to4 of 127.0.0.1
    "https://[::127.0.0.1]/hook",  # IPv4-compatible (deprecated)
    "http://metadata.google.internal/computeMetadata/v1/",  # metadata host names
    "http://Metadata.Google.Internal./computeMetadata/v1/",
    "http://metadata/computeMetadata/v1/",
    "http://instance-data/latest/meta-data/",
    "https://metadata.azure.com/metadata/instance",
]
#: Forms httpx will not parse (so nothing could be sent to them either): refused as INVALID_URL.
UNPARSABLE = ["http://0177.0.0.1/hook", "http://127.0.0.01/hook"]


async def _submit_claim(gateway: Gateway, world: Any, today: Any) -> None:
    """A claim accepted now: its "submitted" status queues one delivery per webhook."""
    who = await billed(gateway.services.database, gateway.patient_ids, world, "lakeshore")
    body = await gateway.query(
        SUBMIT, {"input": as_input(office_visit(world, who, today)), "key": new_key()}
    )
    assert body["data"]["submitClaim"]["errors"] == [], body


async def _deliveries(gateway: Gateway) -> list[WebhookDelivery]:
    async with gateway.services.database.session() as session:
        return list(await session.scalars(select(WebhookDelivery)))


def _sender(gateway: Gateway) -> webhooks.WebhookSender:
    assert gateway.services.claims is not None
    sender = gateway.services.claims.webhooks
    sender.backoff = type(sender.backoff)(base=0.0, cap=0.0)  # every attempt is due at once
    return sender


def _resolve_as(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[str]]
) -> list[str]:
    """The gateway's resolver answers from ``answers`` (what a partner's DNS says right now);
    returns the names it was asked, in order."""
    asked: list[str] = []

    async def resolver(host: str, port: int) -> list[str]:
        if host not in answers:
            return await system_resolver(host, port)  # literals, localhost
        asked.append(host)
        return list(answers[host])

    assert gateway.services.claims is not None
    monkeypatch.setattr(gateway.services.claims.webhook_guard, "resolver", resolver)
    return asked


async def test_registration_refuses_every_inside_address(http_webhook_gateway: Gateway) -> None:
    accepted = []
    for url in INSIDE:
        payload = await register(http_webhook_gateway, url)
        if [(e["code"], e["field"]) for e in payload["errors"]] != [
            ("ADDRESS_NOT_ALLOWED", ["input", "url"])
        ]:
            accepted.append((url, payload))
        # The answer never says where a name led: that would map the gateway's private network.
        assert all("127.0.0.1" not in e["message"] for e in payload["errors"])
    for url in UNPARSABLE:
        payload = await register(http_webhook_gateway, url)
        if [e["code"] for e in payload["errors"]] != ["INVALID_URL"]:
            accepted.append((url, payload))
    assert accepted == []


async def test_plain_http_and_loopback_are_refused_by_default(claims_gateway: Gateway) -> None:
    """No exemption for loopback any more: http needs the setting, loopback needs an allowed network."""
    http = await register(claims_gateway, "http://127.0.0.1:8080/hook")
    assert [e["code"] for e in http["errors"]] == ["INVALID_URL"]
    https = await register(claims_gateway, "https://localhost:8443/hook")
    assert [e["code"] for e in https["errors"]] == ["ADDRESS_NOT_ALLOWED"]


async def test_delivery_refuses_inside_addresses_and_sends_nothing(
    http_webhook_gateway: Gateway,
) -> None:
    """Rows registered before the rule (or while a name resolved publicly) are judged again at send."""
    gateway = http_webhook_gateway
    async with receiver() as partner:
        urls = [
            *INSIDE,
            *UNPARSABLE,
            *(
                partner.url(host=host)
                for host in ("127.0.0.1", "localhost", "2130706433", "127.1", "[::ffff:127.0.0.1]")
            ),
        ]
        async with gateway.services.database.transaction() as session:
            for url in urls:
                session.add(
                    Webhook(
                        practice_id=gateway.practice_id,
                        url=url,
                        secret=webhooks.new_secret(),
                        events=[webhooks.STATUS_CHANGED],
                    )
                )
            await session.flush()
            queued = await webhooks.enqueue(
                session, gateway.practice_id, webhooks.STATUS_CHANGED, {"claimId": "c-1"}
            )
        assert queued == len(urls)
        sender = _sender(gateway)
        sender.batch_size = len(urls)
        assert await sender.run_once() == len(urls)
        outcomes = {(d.state, d.last_status_code, d.last_error) for d in await _deliveries(gateway)}
        assert outcomes == {
            ("pending", None, "ADDRESS_NOT_ALLOWED"),
            ("pending", None, "INVALID_URL"),
        }
        assert partner.hits == []


async def test_a_name_that_resolves_inside_later_is_refused_at_delivery(
    http_webhook_gateway: Gateway, monkeypatch: pytest.MonkeyPatch, world: Any, today: Any
) -> None:
    gateway = http_webhook_gateway
    answers = {"partner.example": ["93.184.216.34"], "mixed.example": ["93.184.216.34", "10.0.0.7"]}
    _resolve_as(gateway, monkeypatch, answers)
    async with receiver() as partner:
        mixed = await register(gateway, "https://mixed.example/hook")
        assert [e["code"] for e in mixed["errors"]] == ["ADDRESS_NOT_ALLOWED"]  # every address
        hook = await register(gateway, partner.url(host="partner.example"))
        assert hook["errors"] == []

        answers["partner.example"] = ["127.0.0.1"]  # DNS rebinding: now it points at loopback
        await _submit_claim(gateway, world, today)
        sender = _sender(gateway)
        assert await sender.run_once() == 1
        answers["partner.example"] = ["93.184.216.34", "::ffff:127.0.0.1"]
        assert await sender.run_once() == 1
        [delivery] = await _deliveries(gateway)
        assert (delivery.state, delivery.attempts, delivery.last_error) == (
            "pending",
            2,
            "ADDRESS_NOT_ALLOWED",
        )
        assert partner.hits == []


async def test_allowed_network_opens_loopback_and_the_checked_address_is_the_one_used(
    webhook_gateway: Gateway, monkeypatch: pytest.MonkeyPatch, world: Any, today: Any
) -> None:
    """partner.example exists only in the gateway's resolver: the post can reach the receiver only
    through the address the guard judged, and the receiver still sees the name as Host."""
    gateway = webhook_gateway
    asked = _resolve_as(gateway, monkeypatch, {"partner.example": ["127.0.0.1"]})
    async with receiver() as partner:
        hook = await register(gateway, partner.url(host="partner.example"))
        assert hook["errors"] == []
        # The allow-list opens the networks it names and nothing else.
        for inside in ("https://10.0.0.1/hook", "http://169.254.169.254/", "http://[fd00::1]/"):
            refused = await register(gateway, inside)
            assert [e["code"] for e in refused["errors"]] == ["ADDRESS_NOT_ALLOWED"], inside

        await _submit_claim(gateway, world, today)
        assert await _sender(gateway).run_once() == 1
        [delivery] = await _deliveries(gateway)
        assert (delivery.state, delivery.last_status_code) == ("delivered", 204)
        [(path, headers)] = partner.hits
        assert (path, headers["host"]) == ("/hooks/claims", f"partner.example:{partner.port}")
        assert asked == ["partner.example", "partner.example"]  # registration, then the delivery


async def test_redirects_are_not_followed(webhook_gateway: Gateway, world: Any, today: Any) -> None:
    gateway = webhook_gateway
    async with receiver() as partner:
        assert (await register(gateway, partner.url("/redirect")))["errors"] == []
        await _submit_claim(gateway, world, today)
        assert await _sender(gateway).run_once() == 1
        [delivery] = await _deliveries(gateway)
        assert (delivery.state, delivery.last_status_code) == ("pending", 302)  # not delivered
        assert [path for path, _ in partner.hits] == ["/redirect"]  # the target never hit


async def test_tls_is_verified_against_the_name_after_pinning(tmp_path: Any) -> None:
    """The connection goes to the judged IP, but the certificate must still match the URL's name."""
    authority = trustme.CA()
    certificate = authority.issue_cert("partner.example")
    certificate.cert_chain_pems[0].write_to_path(str(tmp_path / "cert.pem"))
    certificate.private_key_pem.write_to_path(str(tmp_path / "key.pem"))

    async def hook(_: Any) -> Response:
        return Response(status_code=204)

    config = uvicorn.Config(
        Starlette(routes=[Route("/hook", hook, methods=["POST"])]),
        host="127.0.0.1",
        port=0,
        ssl_certfile=str(tmp_path / "cert.pem"),
        ssl_keyfile=str(tmp_path / "key.pem"),
        log_config=None,
        lifespan="off",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    trusted = ssl.create_default_context()
    authority.configure_trust(trusted)
    guard = WebhookAddressGuard(allowed_networks=parse_networks("127.0.0.0/8"))

    async def resolver(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    guard.resolver = resolver
    client = httpx.AsyncClient(transport=PinnedAddressTransport(guard, verify=trusted))
    try:
        good = await client.post(f"https://partner.example:{port}/hook", content=b"{}")
        assert good.status_code == 204
        # Same address, another name: a new connection, whose certificate does not match it.
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            await client.post(f"https://impostor.example:{port}/hook", content=b"{}")
        with pytest.raises(AddressRefused):
            await client.post("https://metadata.google.internal/computeMetadata/v1/")
    finally:
        await client.aclose()
        server.should_exit = True
        await task


def test_allowed_networks_setting() -> None:
    assert ClaimsSettings.from_environ({}).allowed_networks() == ()
    allowed = ClaimsSettings.from_environ(
        {"PAYER_GATEWAY_CLAIMS_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8, ::1/128"}
    ).allowed_networks()
    assert [str(n) for n in allowed] == ["127.0.0.0/8", "::1/128"]
    with pytest.raises(
        ValueError, match=r"PAYER_GATEWAY_CLAIMS_WEBHOOK_ALLOWED_NETWORKS: '10\.0/33'"
    ):
        ClaimsSettings.from_environ({"PAYER_GATEWAY_CLAIMS_WEBHOOK_ALLOWED_NETWORKS": "10.0/33"})
