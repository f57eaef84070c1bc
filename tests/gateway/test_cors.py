"""CORS: an exact allow-list of origins, correct preflights, no wildcard, nothing for other origins."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from gateway.config import GatewaySettings
from gateway.http.cors import CorsSettingError, allowed_origins
from gateway.storage.database import Database
from gateway.storage.migrate import upgrade
from tests.gateway.conftest import Gateway, start_gateway

PORTAL = "https://portal.example.org"
OTHER = "https://evil.example"


@pytest.fixture
async def with_portal(tmp_path: Path, world: Any) -> AsyncIterator[Gateway]:
    """A gateway that lets the portal's origin call it (SQLite: nothing here depends on the database)."""
    database = Database(f"sqlite:///{tmp_path / 'gateway.db'}")
    await upgrade(database)
    settings = GatewaySettings(
        database_url=database.url,
        anonymous_rate_limit_per_minute=100_000,
        cors_origins=f" {PORTAL} , http://localhost:5173",
    )
    async for gateway in start_gateway(database, world, settings=settings):
        yield gateway
    await database.dispose()


def _preflight(origin: str, headers: str = "authorization, content-type") -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": headers,
    }


def _cors_headers(response: Any) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.startswith("access-control-")}


async def test_preflight_from_a_listed_origin_is_answered(with_portal: Gateway) -> None:
    response = await with_portal.client.options("/graphql", headers=_preflight(PORTAL))
    assert response.status_code == 200
    cors = _cors_headers(response)
    assert cors["access-control-allow-origin"] == PORTAL
    assert set(cors["access-control-allow-methods"].split(", ")) == {"GET", "POST"}
    allowed = {h.strip().lower() for h in cors["access-control-allow-headers"].split(",")}
    assert {"authorization", "content-type"} <= allowed
    assert "access-control-allow-credentials" not in cors
    assert "Origin" in response.headers["vary"]
    assert int(cors["access-control-max-age"]) > 0


@pytest.mark.parametrize(
    ("origin", "headers"),
    [
        (OTHER, "authorization, content-type"),  # not listed
        ("https://portal.example.org.evil.example", "authorization"),  # a prefix is not a match
        ("null", "authorization"),  # sandboxed frames and file: pages
        (PORTAL, "authorization, x-forwarded-for"),  # listed, but asks for a header we do not take
    ],
)
async def test_any_other_preflight_is_refused_without_cors_headers(
    with_portal: Gateway, origin: str, headers: str
) -> None:
    response = await with_portal.client.options("/graphql", headers=_preflight(origin, headers))
    assert response.status_code == 403
    assert _cors_headers(response) == {}
    assert response.json()["errors"][0]["extensions"]["code"] == "CORS_REFUSED"


async def test_requests_from_a_listed_origin_can_read_the_answer(with_portal: Gateway) -> None:
    response = await with_portal.client.post(
        "/graphql",
        json={"query": "{ payers { id } }"},
        headers={"Origin": PORTAL, "Authorization": f"Bearer {with_portal.key}"},
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == PORTAL
    assert response.headers["access-control-expose-headers"] == "X-Request-ID"
    assert "Origin" in response.headers["vary"]


async def test_requests_from_other_origins_get_no_cors_headers(with_portal: Gateway) -> None:
    response = await with_portal.client.post(
        "/graphql",
        json={"query": "{ payers { id } }"},
        headers={"Origin": OTHER, "Authorization": f"Bearer {with_portal.key}"},
    )
    assert _cors_headers(response) == {}
    assert "Origin" in response.headers["vary"]  # a shared cache keeps answers apart by origin


async def test_no_origin_is_allowed_by_default(gateway: Gateway) -> None:
    assert GatewaySettings().cors_origins == ""
    for origin in (PORTAL, "http://localhost:5173", f"http://{gateway.client.base_url.host}"):
        response = await gateway.client.options("/graphql", headers=_preflight(origin))
        assert response.status_code == 403 and _cors_headers(response) == {}, origin


def test_origins_are_read_exactly_and_normalized() -> None:
    assert allowed_origins("") == ()
    assert allowed_origins("https://a.example, http://localhost:8080 ,https://a.example") == (
        "https://a.example",
        "http://localhost:8080",
    )
    # Browsers send the host in lower case and leave out the default port.
    assert allowed_origins("https://Portal.Example.org:443") == ("https://portal.example.org",)
    assert allowed_origins("http://portal.example.org:80") == ("http://portal.example.org",)


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("*", "may not be '*'"),
        ("https://a.example, *", "may not be '*'"),
        ("https://a.example/", "is not an origin"),  # a trailing slash never matches an Origin
        ("https://a.example/app", "is not an origin"),
        ("portal.example.org", "is not an origin"),
        ("null", "is not an origin"),
        ("ftp://a.example", "is not an origin"),
        ("https://user@a.example", "is not an origin"),
        ("https://a.example:port", "invalid port"),
    ],
)
def test_a_wildcard_or_anything_but_an_origin_is_refused(setting: str, message: str) -> None:
    with pytest.raises(CorsSettingError, match="PAYER_GATEWAY_CORS_ORIGINS") as refused:
        allowed_origins(setting)
    assert message in str(refused.value)


async def test_the_app_refuses_a_wildcard_at_start(gateway: Gateway) -> None:
    from dataclasses import replace

    from gateway.http.app import create_app

    settings = replace(gateway.services.settings, cors_origins="*")
    with pytest.raises(CorsSettingError):
        create_app(replace(gateway.services, settings=settings))


def test_serve_refuses_a_wildcard_with_one_line() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAYER_GATEWAY_")}
    env.update(
        PAYER_GATEWAY_JWT_SECRET="j" * 48,
        PAYER_GATEWAY_PSEUDONYM_SECRET="p" * 48,
        PAYER_GATEWAY_DATA_KEYS=os.environ["PAYER_GATEWAY_DATA_KEYS"],
        PAYER_GATEWAY_CORS_ORIGINS="*",
    )
    command = Path(sys.executable).with_name("payer-gateway")
    done = subprocess.run(
        [str(command), "serve", "--port", "1"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith(
        "payer-gateway: cannot start: PAYER_GATEWAY_CORS_ORIGINS may not be '*'"
    )
