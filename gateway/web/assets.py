"""The portal's static files: our CSS and script, and the vendored htmx (see static/VENDORED.md)."""

from __future__ import annotations

import re
from pathlib import Path

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.staticfiles import NotModifiedResponse, PathLike, StaticFiles
from starlette.types import ASGIApp, Scope

from gateway.web.templating import STATIC_DIR

MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".svg": "image/svg+xml",
    "": "text/plain; charset=utf-8",  # LICENSE
}
_VERSIONED = re.compile(r"^[a-z0-9-]+-\d+\.\d+\.\d+")  # htmx-2.0.11: never changes under its URL


class PortalAssets(StaticFiles):
    """Only the kinds of file above; versioned folders cached as immutable, ours revalidated."""

    def __init__(self) -> None:
        super().__init__(directory=STATIC_DIR)

    async def get_response(self, path: str, scope: Scope) -> Response:
        if Path(path).suffix not in MEDIA_TYPES:
            return PlainTextResponse("Not found", status_code=404)
        try:
            return await super().get_response(path, scope)
        except HTTPException as exc:
            status = 405 if exc.status_code == 405 else 404
            return PlainTextResponse(
                "Not found" if status == 404 else "Use GET", status_code=status
            )

    def file_response(
        self, full_path: PathLike, stat_result: object, scope: Scope, status_code: int = 200
    ) -> Response:
        versioned = _VERSIONED.match(Path(full_path).parent.name)
        response = FileResponse(
            full_path,
            status_code=status_code,
            stat_result=stat_result,  # type: ignore[arg-type]
            media_type=MEDIA_TYPES[Path(full_path).suffix],
            headers={
                "Cache-Control": "public, max-age=31536000, immutable" if versioned else "no-cache"
            },
        )
        if self.is_not_modified(response.headers, Headers(scope=scope)):
            return NotModifiedResponse(response.headers)
        return response


def portal_assets() -> ASGIApp:
    return GZipMiddleware(PortalAssets(), minimum_size=1024, compresslevel=6)
