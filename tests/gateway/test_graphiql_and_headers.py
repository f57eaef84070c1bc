"""Browser-facing responses: security headers on every response, GraphiQL off by default, its assets."""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.config import GatewaySettings
from gateway.http.graphiql import ASSETS_DIR
from gateway.storage.database import Database
from gateway.storage.migrate import upgrade
from tests.gateway.conftest import Gateway, start_gateway

HTML = {"Accept": "text/html"}


@pytest.fixture
async def with_graphiql(tmp_path: Path, world: Any) -> AsyncIterator[Gateway]:
    """A gateway with GraphiQL on (on SQLite only: nothing here depends on the database)."""
    database = Database(f"sqlite:///{tmp_path / 'gateway.db'}")
    await upgrade(database)
    settings = GatewaySettings(
        database_url=database.url, anonymous_rate_limit_per_minute=100_000, graphiql=True
    )
    async for gateway in start_gateway(database, world, settings=settings):
        yield gateway
    await database.dispose()


class _PageParts(HTMLParser):
    """The page's scripts, stylesheets, inline styles and any other URL it names."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str | None] = []
        self.inline: list[str] = []
        self.urls: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script":
            self.scripts.append(found.get("src"))
        if tag in {"script", "style"}:
            self._in = tag
        if "style" in found or any(name.startswith("on") for name in found):
            self.inline.append(f"{tag} {found}")
        self.urls += [v for k, v in found.items() if k in {"src", "href", "action"} and v]

    def handle_data(self, data: str) -> None:
        if self._in and data.strip():
            self.inline.append(f"<{self._in}> {data.strip()[:40]}")

    def handle_endtag(self, tag: str) -> None:
        self._in = None


def _directives(policy: str) -> dict[str, list[str]]:
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {name: sources for name, *sources in parts}


def _assert_common_headers(response: httpx.Response, label: str) -> None:
    assert response.headers.get("x-content-type-options") == "nosniff", label
    assert response.headers.get("referrer-policy") == "no-referrer", label
    assert "content-security-policy" in response.headers, label


async def test_every_response_carries_the_security_headers(with_graphiql: Gateway) -> None:
    client, key = with_graphiql.client, {"Authorization": f"Bearer {with_graphiql.key}"}
    page = await client.get("/graphql", headers=HTML)
    responses = {
        "GraphiQL page": page,
        "GraphQL answer": await client.post(
            "/graphql", json={"query": "{ payers { id } }"}, headers=key
        ),
        "401": await client.post("/graphql", json={"query": "{ payers { id } }"}),
        "413": await client.post("/graphql", content=b" " * (300 * 1024), headers=key),
        "health": await client.get("/healthz"),
        "metrics": await client.get("/metrics"),
        "asset": await client.get("/static/graphiql/start.js"),
        "missing asset": await client.get("/static/graphiql/missing.js"),
        "unknown path": await client.get("/no-such-page"),
    }
    for label, response in responses.items():
        _assert_common_headers(response, label)
        if response.headers["content-type"].startswith("text/html"):
            assert response is page, label
        else:  # not a page: a policy that allows nothing, should a browser ever render it
            assert _directives(response.headers["content-security-policy"]) == {
                "default-src": ["'none'"],
                "frame-ancestors": ["'none'"],
            }, label


async def test_pages_allow_only_the_gateways_own_assets_and_no_framing(
    with_graphiql: Gateway,
) -> None:
    response = await with_graphiql.client.get("/graphql", headers=HTML)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    policy = _directives(response.headers["content-security-policy"])
    assert policy["default-src"] == ["'none'"]
    assert policy["script-src"] == ["'self'"]  # no inline script, no eval, no CDN
    assert policy["style-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"] and policy["object-src"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    # Only 'self', 'none' and data: (fonts and icons embedded in GraphiQL's stylesheet) anywhere.
    sources = {source for values in policy.values() for source in values}
    assert sources <= {"'self'", "'none'", "data:"}, sources
    assert set(policy["img-src"]) == set(policy["font-src"]) == {"'self'", "data:"}
    assert response.headers["x-frame-options"] == "DENY"


async def test_the_last_resort_500_carries_the_headers_too(with_graphiql: Gateway) -> None:
    from starlette.routing import Route

    from gateway.http.app import create_app

    async def broken(_: Any) -> Any:
        raise RuntimeError("a bug")

    app = create_app(with_graphiql.services)
    # A route that fails, on the real app (first: the portal at "/" answers every other path).
    app.router.routes.insert(0, Route("/broken", broken))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
        response = await client.get("/broken")
    assert response.status_code == 500
    _assert_common_headers(response, "500")


async def test_graphiql_page_has_no_inline_code_and_names_only_its_own_assets(
    with_graphiql: Gateway,
) -> None:
    response = await with_graphiql.client.get("/graphql", headers=HTML)
    parts = _PageParts()
    parts.feed(response.text)
    assert parts.inline == []
    assert parts.scripts and all(parts.scripts), "every script is a file"
    assert [url for url in parts.urls if url != "data:,"], "the page loads its assets"
    for url in parts.urls:
        assert url == "data:," or url.startswith("/static/graphiql/"), url
    for url in parts.urls:
        if url.startswith("/"):
            asset = await with_graphiql.client.get(url)
            assert asset.status_code == 200, url


async def test_graphiql_is_off_by_default(gateway: Gateway) -> None:
    assert GatewaySettings().graphiql is False
    response = await gateway.client.get("/graphql", headers=HTML)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "GRAPHIQL_DISABLED"
    assert "PAYER_GATEWAY_GRAPHIQL=true" in error["message"]
    assert (await gateway.client.get("/static/graphiql/start.js")).status_code == 404
    # The API itself is unaffected.
    assert (await gateway.query("{ payers { id } }"))["data"]["payers"]


def test_the_setting_turns_graphiql_on() -> None:
    assert GatewaySettings.from_environ({"PAYER_GATEWAY_GRAPHIQL": "true"}).graphiql is True
    assert GatewaySettings.from_environ({}).graphiql is False


async def test_graphiql_page_loads_without_a_key_when_on(with_graphiql: Gateway) -> None:
    response = await with_graphiql.client.get("/graphql", headers=HTML)
    assert response.status_code == 200
    assert '<div id="graphiql">' in response.text
    assert response.headers["x-request-id"]


@pytest.mark.parametrize(
    ("path", "content_type", "cache"),
    [
        ("graphiql-3.8.3/graphiql.min.js", "text/javascript; charset=utf-8", "immutable"),
        ("graphiql-3.8.3/graphiql.min.css", "text/css; charset=utf-8", "immutable"),
        ("react-18.3.1/react.production.min.js", "text/javascript; charset=utf-8", "immutable"),
        ("react-dom-18.3.1/LICENSE", "text/plain; charset=utf-8", "immutable"),
        ("start.js", "text/javascript; charset=utf-8", "no-cache"),
        ("page.css", "text/css; charset=utf-8", "no-cache"),
        ("VENDORED.md", "text/markdown; charset=utf-8", "no-cache"),
    ],
)
async def test_assets_have_their_content_type_and_cache_policy(
    with_graphiql: Gateway, path: str, content_type: str, cache: str
) -> None:
    url = f"/static/graphiql/{path}"
    response = await with_graphiql.client.get(url, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    assert cache in response.headers["cache-control"]
    assert response.content == (ASSETS_DIR / path).read_bytes()
    if len(response.content) > 1024:
        assert response.headers["content-encoding"] == "gzip"
    again = await with_graphiql.client.get(url, headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/static/graphiql/missing.js", 404),
        ("GET", "/static/graphiql/graphiql-3.8.3/graphiql.min.js.map", 404),  # not vendored
        ("GET", "/static/graphiql/%2e%2e/graphiql.py", 404),
        ("POST", "/static/graphiql/start.js", 405),
    ],
)
async def test_asset_errors_are_json_with_a_code(
    with_graphiql: Gateway, method: str, path: str, status: int
) -> None:
    response = await with_graphiql.client.request(method, path)
    assert response.status_code == status
    assert response.json()["errors"][0]["extensions"]["code"] in {"NOT_FOUND", "METHOD_NOT_ALLOWED"}


def test_vendored_assets_match_their_manifest_and_carry_their_licence() -> None:
    manifest = (ASSETS_DIR / "VENDORED.md").read_text(encoding="utf-8")
    rows = re.findall(
        r"^\| (\S+) \| (\S+) \| (\S+) \| `([^`]+)` \| `([0-9a-f]{64})` \|$", manifest, re.M
    )
    listed = {path: digest for *_, path, digest in rows}
    on_disk = {
        str(path.relative_to(ASSETS_DIR)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in ASSETS_DIR.glob("*-[0-9]*/*")
    }
    assert listed == on_disk
    for name, version, licence, *_ in rows:
        assert licence == "MIT" and (ASSETS_DIR / f"{name}-{version}" / "LICENSE").exists()
    script = Path("tools/vendor-graphiql.sh").read_text(encoding="utf-8")
    for name, version, *_ in rows:
        assert f'"{name} {version} sha512-' in script, f"{name} {version} is pinned in the script"


@pytest.mark.slow
def test_a_built_wheel_ships_the_page_and_every_asset(tmp_path: Path) -> None:
    import subprocess
    import sys
    import zipfile

    root = Path(__file__).resolve().parents[2]
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(root)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("payer_gateway-*.whl")
    shipped = set(zipfile.ZipFile(wheel).namelist())
    package = root / "gateway" / "http"
    wanted = [package / "graphiql.html", *(p for p in ASSETS_DIR.rglob("*") if p.is_file())]
    missing = [str(p.relative_to(root)) for p in wanted if str(p.relative_to(root)) not in shipped]
    assert missing == []
