"""What a portal page costs to load: its HTML plus every same-origin asset it names, each counted once,
as served (gzip when the server compresses). Shared by tests/web/test_page_weight.py and bench/portal.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

#: The issue's bound on one page, HTML and assets together.
PAGE_BUDGET_BYTES = 300_000
#: Paths that are steps of signing in or out, not pages to measure.
NOT_PAGES = frozenset({"/login/code", "/login/recovery-codes", "/logout"})
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)""")


class _AssetLinks(HTMLParser):
    """Stylesheets, scripts, images and icons an HTML page makes the browser fetch."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script" and found.get("src"):
            self.urls.append(str(found["src"]))
        elif tag in {"img", "source"} and found.get("src"):
            self.urls.append(str(found["src"]))
        elif tag == "link" and found.get("href"):
            rel = set((found.get("rel") or "").lower().split())
            if rel & {"stylesheet", "icon", "preload", "modulepreload"}:
                self.urls.append(str(found["href"]))
        elif tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))


def asset_urls(html: str) -> list[str]:
    parser = _AssetLinks()
    parser.feed(html)
    return parser.urls


def page_links(html: str) -> list[str]:
    """Where a page's links go (to find ids for pages with a path parameter)."""
    parser = _AssetLinks()
    parser.feed(html)
    return parser.links


@dataclass
class PageWeight:
    """Bytes transferred for a page: the HTML and each asset (URL -> bytes)."""

    path: str
    html_bytes: int
    assets: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.html_bytes + sum(self.assets.values())


def _same_origin(base: str, url: str) -> str | None:
    absolute = urljoin(base, url)
    if urlsplit(absolute).netloc != urlsplit(base).netloc:
        return None
    return absolute.split("#", 1)[0]


async def _transferred(
    client: httpx.AsyncClient, url: str, headers: dict[str, str] | None = None
) -> tuple[int, httpx.Response]:
    """Bytes on the wire (a gzip answer counts compressed) of one GET, as a browser asks for it."""
    asked = {"Accept": "text/html", "Accept-Encoding": "gzip", **(headers or {})}
    async with client.stream("GET", url, headers=asked) as response:
        await response.aread()
        return response.num_bytes_downloaded, response


async def page_weight(
    client: httpx.AsyncClient,
    path: str,
    counted: Iterable[str] = (),
    headers: dict[str, str] | None = None,
) -> PageWeight:
    """Weigh ``path`` with a signed-in ``client``: its HTML, then its assets and what CSS imports
    (``counted``: asset URLs already loaded, e.g. by the page a fragment is swapped into)."""
    html_bytes, response = await _transferred(client, path, headers)
    assert response.status_code == 200, (path, response.status_code)
    base = str(response.url)
    weight = PageWeight(path, html_bytes)
    seen = set(counted)
    queue = [u for u in (_same_origin(base, a) for a in asset_urls(response.text)) if u]
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        size, asset = await _transferred(client, url)
        weight.assets[url] = size
        if "css" in asset.headers.get("content-type", ""):
            queue += [u for u in (_same_origin(url, a) for a in _CSS_URL.findall(asset.text)) if u]
    return weight


def page_routes(screens: Iterable[Any]) -> list[str]:
    """The GET paths of every screen (``gateway.web.SCREENS``), parameters left as ``{name}``."""
    paths: list[str] = []
    for screen in screens:
        for route in screen.ROUTES:
            methods = getattr(route, "methods", None) or set()
            if "GET" in methods and route.path not in NOT_PAGES and route.path not in paths:
                paths.append(route.path)
    return paths


def fill_path(route_path: str, known_links: Iterable[str], ids: dict[str, str]) -> str | None:
    """A concrete path for a route: parameters from ``ids`` (by name), else a link seen on a page."""
    names = re.findall(r"{(\w+)(?::\w+)?}", route_path)
    if not names:
        return route_path
    if all(n in ids for n in names):
        return re.sub(r"{(\w+)(?::\w+)?}", lambda found: ids[found.group(1)], route_path)
    pattern = re.compile(
        "^" + re.sub(r"\\{(\w+)(?::\w+)?\\}", r"[^/?#]+", re.escape(route_path)) + "$"
    )
    for link in known_links:
        if pattern.match(urlsplit(link).path):
            return urlsplit(link).path
    return None
