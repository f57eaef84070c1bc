"""CAQH CORE Phase II-style exchange of X12 payloads over HTTP POST (MIME multipart/form-data).

The request carries the CORE envelope fields (ProcessingMode, PayloadType, PayloadID, TimeStamp,
SenderID, ReceiverID, CORERuleVersion) and the X12 text in ``Payload``; the response is a multipart
form with the same fields plus ``ErrorCode``/``ErrorMessage``. CORE username/password
authentication sends ``UserName`` and ``Password`` as two more fields of the request form.

Every failure becomes a contract error: httpx timeouts, or no answer within the deadline ->
PayerTimeout; connection failures and 5xx/429 -> PayerUnavailable; CORE envelope errors and 4xx ->
PayerRejected (our request is wrong); an unreadable answer -> PayerProtocolError.

Each exchange's raw X12 is appended to a bounded in-memory record (PHI: it is never logged).
"""

from __future__ import annotations

import time
import uuid
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import HTTP

import httpx

from payers.contract import (
    PayerProtocolError,
    PayerRejected,
    PayerRejection,
    PayerTimeout,
    PayerUnavailable,
    payer_deadline,
)
from payers.model import Code

CORE_RULE_VERSION = "2.2.0"
REAL_TIME = "RealTime"
BATCH = "Batch"
# CORE error codes meaning "the receiver cannot take it now" (anything else is about our request).
_UNAVAILABLE_CODES = frozenset(
    {"Busy", "ReceiverDown", "ServerBusy", "ServiceUnavailable", "Timeout"}
)


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request/response pair as sent and received (raw X12: PHI, kept in memory only)."""

    payload_type: str
    payload_id: str
    started: datetime
    seconds: float
    request: str
    response: str | None
    http_status: int | None
    error_code: str | None


class CoreTransport:
    """Sends one X12 payload to a payer's CORE endpoint and returns the payload it answers."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        url: str,
        payer_id: str,
        sender_id: str,
        receiver_id: str,
        timeout: float,
        record: deque[Exchange],
        credentials: tuple[str, str] | None = None,
    ) -> None:
        self.client = client
        self.url = url
        self.payer_id = payer_id
        self.sender_id = sender_id
        self.receiver_id = receiver_id
        self.timeout = timeout
        self.record = record
        self._credentials = credentials  # (user name, password); never logged or recorded

    async def exchange(
        self, payload_type: str, payload: str, mode: str = REAL_TIME, *, allow_empty: bool = False
    ) -> str:
        """POST ``payload`` as ``payload_type``; the X12 text of the answer
        ("" only if ``allow_empty``: a batch pickup with nothing waiting)."""
        payload_id = str(uuid.uuid4())
        started = datetime.now(UTC)
        clock = time.monotonic()
        form = {
            "ProcessingMode": mode,
            "PayloadType": payload_type,
            "PayloadID": payload_id,
            "TimeStamp": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "SenderID": self.sender_id,
            "ReceiverID": self.receiver_id,
            "CORERuleVersion": CORE_RULE_VERSION,
            "Payload": payload,
        }
        if self._credentials is not None:
            form["UserName"], form["Password"] = self._credentials
        status: int | None = None
        fields: dict[str, str] = {}
        try:
            # The deadline also covers transports that ignore httpx timeouts (ASGITransport) and
            # payers that trickle bytes slowly enough to defeat httpx's per-read timeout; under the
            # gateway's deadline it starts no timer of its own (payers/deadline.py).
            async with payer_deadline(self.timeout):
                response = await self.client.post(
                    self.url, files={k: (None, v) for k, v in form.items()}, timeout=self.timeout
                )
            status = response.status_code
            fields = self._fields(response)
        except (TimeoutError, httpx.TimeoutException) as exc:
            raise PayerTimeout(self.payer_id, f"no answer within {self.timeout:g} s") from exc
        except httpx.HTTPError as exc:
            raise PayerUnavailable(
                self.payer_id, f"cannot reach the payer: {type(exc).__name__}"
            ) from exc
        finally:
            self.record.append(
                Exchange(
                    payload_type,
                    payload_id,
                    started,
                    time.monotonic() - clock,
                    payload,
                    fields.get("Payload"),
                    status,
                    fields.get("ErrorCode"),
                )
            )
        return self._payload(status, fields, allow_empty)

    def _fields(self, response: httpx.Response) -> dict[str, str]:
        """The form fields of a multipart answer ({} when the body is not multipart)."""
        content_type = response.headers.get("content-type", "")
        if not content_type.lower().startswith("multipart/"):
            return {}
        head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
        message = BytesParser(policy=HTTP).parsebytes(head + response.content)
        fields: dict[str, str] = {}
        if isinstance(message, EmailMessage) and message.is_multipart():
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                if isinstance(name, str):
                    raw = part.get_payload(decode=True)
                    fields[name] = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else ""
        return fields

    def _payload(self, status: int | None, fields: dict[str, str], allow_empty: bool) -> str:
        error_code = fields.get("ErrorCode", "")
        message = fields.get("ErrorMessage", "") or error_code
        if status is not None and (status >= 500 or status == 429):
            raise PayerUnavailable(
                self.payer_id, f"payer answered HTTP {status} {message}".rstrip()
            )
        if error_code in _UNAVAILABLE_CODES:
            busy = PayerRejection(Code("core-error", error_code, message or error_code))
            raise PayerUnavailable(
                self.payer_id, f"payer is busy (CORE {error_code}): {message}", [busy]
            )
        if (status is not None and status >= 400) or (error_code and error_code != "Success"):
            code = error_code or f"HTTP{status}"
            reason = PayerRejection(Code("core-error", code, message or f"HTTP status {status}"))
            raise PayerRejected(
                self.payer_id, f"payer refused the CORE envelope ({code}): {message}", [reason]
            )
        if not fields:
            raise PayerProtocolError(self.payer_id, "payer answer is not a CORE multipart message")
        payload = fields.get("Payload", "")
        if not payload.strip() and not allow_empty:
            raise PayerProtocolError(self.payer_id, "payer answer has no Payload")
        return payload
