"""The CAQH CORE Phase II envelope on the payer side: read a multipart request, write the answer.

A request is a ``multipart/form-data`` POST carrying ``PayloadType``, ``ProcessingMode``,
``PayloadID``, ``TimeStamp``, ``SenderID``, ``ReceiverID``, ``CORERuleVersion``, the X12 text in
``Payload`` (empty for a batch pickup) and, for username/password authentication, ``UserName`` and
``Password`` (HTTP Basic is accepted too). The answer is a multipart form with the same envelope
fields, sender and receiver swapped, plus ``ErrorCode`` (``Success`` or a CORE error code) and
``ErrorMessage``.

:class:`CoreFormMiddleware` reads the form before the fault layer runs, so faults can be limited to
one operation: the operation of a request is only known from its ``PayloadType`` field.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import HTTP

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CORE_RULE_VERSION = "2.2.0"
ENVELOPE_FIELDS = (
    "PayloadType",
    "ProcessingMode",
    "PayloadID",
    "TimeStamp",
    "SenderID",
    "ReceiverID",
    "CORERuleVersion",
)
#: Where :class:`CoreFormMiddleware` leaves the parsed form in the ASGI scope.
FORM_KEY = "core.form"

#: CORE payload types and the contract operation each one is (for stats and per-operation faults).
OPERATIONS: Mapping[str, str] = {
    "X12_270_Request_005010X279A1": "eligibility",
    "X12_276_Request_005010X212": "claim_status",
    "X12_837_Request_005010X222A1": "claim_submission",
    "X12_835_Response_005010X221A1": "payments",  # batch pickup of waiting remittances
}


class CoreError(Exception):
    """A request the CORE envelope layer refuses: HTTP status, CORE ``ErrorCode`` and message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class CoreRequest:
    """The envelope fields of one request (credentials are checked, then forgotten)."""

    payload_type: str
    processing_mode: str
    payload_id: str
    sender_id: str
    receiver_id: str
    payload: str


def read_form(content_type: str, body: bytes) -> dict[str, str] | None:
    """The fields of a multipart form, or None when the body is not multipart."""
    if not content_type.lower().startswith("multipart/"):
        return None
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    if not isinstance(message, EmailMessage) or not message.is_multipart():
        return None
    fields: dict[str, str] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        raw = part.get_payload(decode=True)
        if isinstance(name, str):
            fields[name] = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else ""
    return fields


def core_request(
    form: Mapping[str, str] | None,
    authorization: str,
    credentials: Mapping[str, str] | None,
    receiver_id: str,
) -> CoreRequest:
    """Check envelope and credentials; CoreError says what is wrong, as CORE names it."""
    if form is None:
        raise CoreError(400, "PayloadTypeRequired", "the request is not a CORE multipart form")
    if credentials is not None and not _authorized(form, authorization, credentials):
        raise CoreError(401, "UnAuthorized", "user name or password is not valid")
    for name in ENVELOPE_FIELDS:
        if not form.get(name, "").strip():
            raise CoreError(400, f"{name}Required", f"the {name} field is required")
    if form["CORERuleVersion"].strip() != CORE_RULE_VERSION:
        raise CoreError(400, "VersionMismatch", f"this endpoint speaks CORE {CORE_RULE_VERSION}")
    if form["ProcessingMode"] not in ("RealTime", "Batch"):
        raise CoreError(400, "ProcessingModeIllegal", "ProcessingMode is RealTime or Batch")
    if form["ReceiverID"].strip() != receiver_id:
        raise CoreError(400, "ReceiverIDIllegal", f"this endpoint is receiver {receiver_id}")
    if form["PayloadType"] not in OPERATIONS:
        raise CoreError(
            400, "PayloadTypeIllegal", f"payload type {form['PayloadType']} is not served"
        )
    return CoreRequest(
        payload_type=form["PayloadType"],
        processing_mode=form["ProcessingMode"],
        payload_id=form["PayloadID"],
        sender_id=form["SenderID"].strip(),
        receiver_id=form["ReceiverID"].strip(),
        payload=form.get("Payload", ""),
    )


def _authorized(form: Mapping[str, str], authorization: str, expected: Mapping[str, str]) -> bool:
    user, password = form.get("UserName"), form.get("Password")
    if user is None and authorization.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return False
        user, _, password = decoded.partition(":")
    # Both comparisons always run, so the time taken does not say which one failed.
    user_ok = hmac.compare_digest((user or "").encode(), expected.get("username", "").encode())
    password_ok = hmac.compare_digest(
        (password or "").encode(), expected.get("password", "").encode()
    )
    return user_ok and password_ok


def core_answer(
    form: Mapping[str, str] | None,
    payload_type: str,
    payload: str,
    *,
    status: int = 200,
    error_code: str = "Success",
    message: str = "",
) -> Response:
    """The multipart answer to ``form`` (sender and receiver swapped)."""
    form = form or {}
    fields = {
        "PayloadType": payload_type,
        "ProcessingMode": form.get("ProcessingMode", "RealTime"),
        "PayloadID": form.get("PayloadID") or str(uuid.uuid4()),
        "TimeStamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "SenderID": form.get("ReceiverID", ""),
        "ReceiverID": form.get("SenderID", ""),
        "CORERuleVersion": CORE_RULE_VERSION,
        "ErrorCode": error_code,
        "ErrorMessage": message,
        "Payload": payload,
    }
    boundary = f"core-{uuid.uuid4().hex}"
    body = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    )
    body += f"--{boundary}--\r\n"
    return Response(body, status, media_type=f"multipart/form-data; boundary={boundary}")


def core_error_answer(form: Mapping[str, str] | None, error: CoreError) -> Response:
    """A CORE error: no payload, the error code and message in the envelope."""
    response = core_answer(
        form,
        (form or {}).get("PayloadType", ""),
        "",
        status=error.status,
        error_code=error.code,
        message=error.message,
    )
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="sandbox-x12-payer"'
    return response


def core_operation(scope: Scope) -> str | None:
    """The contract operation of a request, from the form :class:`CoreFormMiddleware` read."""
    form = scope.get(FORM_KEY)
    if isinstance(form, dict):
        operation = OPERATIONS.get(form.get("PayloadType", ""))
        if operation is not None:
            return operation
    return f"{scope.get('method')} {scope.get('path')}"


class CoreFormMiddleware:
    """Reads the whole request body, parses the CORE form into ``scope[FORM_KEY]``, then replays
    the body to the app (so the fault layer and the endpoint both see it)."""

    def __init__(self, app: ASGIApp, skip_prefix: str = "/_control/") -> None:
        self.app = app
        self.skip_prefix = skip_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.skip_prefix):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break  # the client went away before sending its body
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        content_type = dict(scope["headers"]).get(b"content-type", b"").decode("latin-1")
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: wait for the disconnect, as a server would

        await self.app({**scope, FORM_KEY: read_form(content_type, body)}, replay, send)
