"""aiohttp's request, with a small body written at once on Python 3.11 (gateway/aiohttp_transport.py).

aiohttp 3.14 writes a request body in a task of its own. On Python 3.12+ it starts that task
eagerly, so a small body goes out at once; on 3.11 the task first runs on the event loop's next
turn. A headline request's payer calls are mostly POSTs (eligibility, claim search), so each of them
cost a task, and every one reached the socket only after all the calls started with it had run
their first step (the GETs went out first). :class:`PayerRequest` writes a body of bytes that fits
the writer's buffer (so the write never waits to drain) in ``send`` itself, through aiohttp's own
``write_bytes`` (the same errors, the same end of the request), as the eager task does.

Everything else (streams, 100-continue, compression, chunking, traces, proxies, upload trackers, a
paused transport, a larger body) goes aiohttp's own way, and so does everything on another Python or
another aiohttp minor version than the one this mirrors (:data:`REQUEST_CLASS`).
"""

from __future__ import annotations

import sys
from typing import Any

import aiohttp
from aiohttp import hdrs
from aiohttp.http_writer import StreamWriter
from aiohttp.payload import BytesPayload

#: Bodies up to StreamWriter.write's drain limit: writing them never waits.
_AT_ONCE = 0x10000


class PayerRequest(aiohttp.ClientRequest):
    """A ``ClientRequest`` whose small bytes body is sent in ``send`` (see the module docstring)."""

    async def send(self, conn: Any) -> aiohttp.ClientResponse:
        body = self._body
        protocol = conn.protocol
        if (
            type(body) is not BytesPayload
            or body.size is None
            or body.size > _AT_ONCE
            or self.method == hdrs.METH_CONNECT
            or self.proxy is not None
            or self._continue is not None
            or self.compress
            or self.chunked is not None
            or self._traces
            or self._upload_tracker is not None
            or protocol is None
            or protocol.writing_paused
        ):
            return await super().send(conn)
        # What aiohttp's send does before the body, for an origin-form request.
        writer = StreamWriter(protocol, self.loop)
        if (
            self.method in self.POST_METHODS
            and (
                self._skip_auto_headers is None or hdrs.CONTENT_TYPE not in self._skip_auto_headers
            )
            and hdrs.CONTENT_TYPE not in self.headers
        ):
            self.headers[hdrs.CONTENT_TYPE] = "application/octet-stream"
        v = self.version
        if hdrs.CONNECTION not in self.headers:
            if conn._connector.force_close:
                if v == aiohttp.HttpVersion11:
                    self.headers[hdrs.CONNECTION] = "close"
            elif v == aiohttp.HttpVersion10:
                self.headers[hdrs.CONNECTION] = "keep-alive"
        status_line = f"{self.method} {self.url.raw_path_qs} HTTP/{v.major}.{v.minor}"
        await writer.write_headers(status_line, self.headers)
        # aiohttp's own body writer, awaited here instead of in a task: headers and body in one
        # write, then the end of the request and the read timeout's start.
        await self.write_bytes(writer, conn, self._get_content_length())
        response_class = self.response_class
        assert response_class is not None
        response = response_class(
            self.method,
            self.original_url,
            writer=None,
            continue100=self._continue,
            timer=self._timer,
            request_info=self.request_info,
            traces=self._traces,
            loop=self.loop,
            session=self._session,
            stream_writer=writer,
        )
        self.response = response  # type: ignore[assignment]  # aiohttp types it as None
        return response


def _mirrored() -> bool:
    """Whether PayerRequest applies: Python 3.11 and the aiohttp minor version it mirrors."""
    return sys.version_info < (3, 12) and aiohttp.__version__.startswith("3.14.")


#: The request class the payer transport's session uses.
REQUEST_CLASS: type[aiohttp.ClientRequest] = PayerRequest if _mirrored() else aiohttp.ClientRequest
