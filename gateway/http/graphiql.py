"""GraphiQL served entirely by the gateway: our page, our start-up script, vendored assets, no CDN.

The page has no inline script (the Content-Security-Policy allows none; see security_headers.py): it
loads React, ReactDOM and GraphiQL from ``ASSETS_PATH`` and starts them with ``start.js``. The
vendored files live in ``static/graphiql/<package>-<version>/`` (re-created by
``tools/vendor-graphiql.sh``); the page finds each package's folder, so an upgrade changes no code.

Assets in a versioned folder never change under their URL and are cached as immutable; our own files
beside them (``start.js``, ``page.css``) are revalidated on every load (ETag). Everything is sent
gzip-compressed to browsers that accept it.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from string import Template

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.staticfiles import NotModifiedResponse, PathLike, StaticFiles
from starlette.types import ASGIApp, Scope

from gateway.http.errors import error_response

ASSETS_PATH = "/static/graphiql"
ASSETS_DIR = Path(__file__).with_name("static") / "graphiql"
PAGE_TEMPLATE = Path(__file__).with_name("graphiql.html")

#: The only kinds of file served from the assets folder (anything else there is a 404).
MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    "": "text/plain; charset=utf-8",  # LICENSE
}
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
_VERSIONED_FOLDER = re.compile(r"^[a-z0-9-]+-\d+\.\d+\.\d+")  # graphiql-3.8.3


@functools.cache
def graphiql_page() -> str:
    """The GraphiQL page's HTML, pointing at the vendored assets."""

    def vendored(package: str) -> str:
        (folder,) = ASSETS_DIR.glob(f"{package}-[0-9]*")  # exactly one version is vendored
        return f"{ASSETS_PATH}/{folder.name}"

    graphiql, react, react_dom = vendored("graphiql"), vendored("react"), vendored("react-dom")
    return Template(PAGE_TEMPLATE.read_text(encoding="utf-8")).substitute(
        graphiql_css=f"{graphiql}/graphiql.min.css",
        graphiql_js=f"{graphiql}/graphiql.min.js",
        react=f"{react}/react.production.min.js",
        react_dom=f"{react_dom}/react-dom.production.min.js",
        page_css=f"{ASSETS_PATH}/page.css",
        start_js=f"{ASSETS_PATH}/start.js",
    )


def graphiql_response(enabled: bool) -> Response:
    """The page, or (GraphiQL turned off) a 404 that says how to turn it on."""
    if enabled:
        return HTMLResponse(graphiql_page(), headers={"Cache-Control": REVALIDATE})
    return error_response(
        404,
        "GRAPHIQL_DISABLED",
        "GraphiQL is turned off on this gateway (the operator turns it on with "
        "PAYER_GATEWAY_GRAPHIQL=true). Send GraphQL requests as POST with a JSON body.",
    )


class GraphiQLAssets(StaticFiles):
    """The assets folder with fixed content types, cache headers and JSON errors."""

    def __init__(self) -> None:
        super().__init__(directory=ASSETS_DIR)

    async def get_response(self, path: str, scope: Scope) -> Response:
        if Path(path).suffix not in MEDIA_TYPES:
            return _missing()
        try:
            return await super().get_response(path, scope)
        except HTTPException as exc:
            if exc.status_code == 405:
                return error_response(
                    405, "METHOD_NOT_ALLOWED", "Assets are read with GET.", {"Allow": "GET, HEAD"}
                )
            return _missing()

    def file_response(
        self, full_path: PathLike, stat_result: object, scope: Scope, status_code: int = 200
    ) -> Response:
        versioned = _VERSIONED_FOLDER.match(Path(full_path).parent.name)
        cache = IMMUTABLE if versioned else REVALIDATE
        response = FileResponse(
            full_path,
            status_code=status_code,
            stat_result=stat_result,  # type: ignore[arg-type]
            media_type=MEDIA_TYPES[Path(full_path).suffix],
            headers={"Cache-Control": cache},
        )
        if self.is_not_modified(response.headers, Headers(scope=scope)):
            return NotModifiedResponse(response.headers)
        return response


def graphiql_assets() -> ASGIApp:
    """The ASGI app to mount at ``ASSETS_PATH``."""
    # GraphiQL 3's bundle is 3.5 MB unminified; gzip brings it to well under a megabyte.
    return GZipMiddleware(GraphiQLAssets(), minimum_size=1024, compresslevel=6)


def _missing() -> Response:
    return error_response(404, "NOT_FOUND", "There is no such asset.")
