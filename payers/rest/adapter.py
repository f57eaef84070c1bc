"""``RestPayerAdapter``: a payer behind a JSON REST API (see :mod:`payers.sandbox.rest_app`).

Settings: ``base_url`` (http or https), ``credentials["api_key"]`` sent as a bearer token,
``timeout_seconds``. Every failure becomes one of the contract's errors, carrying the payer id:

==============================================  =========================================
httpx timeout, or no answer within the timeout  ``PayerTimeout``
connection refused / dropped, 5xx, 429          ``PayerUnavailable``
``TRY_LATER`` (in any status, 200 included)     ``PayerUnavailable`` with the reason in plain words
404 ``MEMBER_NOT_FOUND``                        ``MemberNotFound``
401 / 403                                       ``PayerRejected`` (credentials refused)
other 4xx, or an error body inside a 2xx        ``PayerRejected`` with the payer's codes
not JSON, wrong content type, wrong shape       ``PayerProtocolError``
==============================================  =========================================

Answers carry the JSON they came from as ``exchange`` (the request body we sent, or ``GET <url>``,
and the response body as received; never the API key): eligibility, claim status, the statuses of
searched claims (one member's), submission acknowledgments and payments (asked for one member,
the payer answers only that member's).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any, ClassVar, TypeVar

import httpx

from payers.codesets import plain_words
from payers.contract import (
    Capability,
    MemberNotFound,
    PayerProtocolError,
    PayerRejected,
    PayerRejection,
    PayerSettings,
    PayerTimeout,
    PayerUnavailable,
    payer_deadline,
)
from payers.model import (
    Claim,
    ClaimRef,
    ClaimStatus,
    ClaimStatusFilter,
    ClaimSubmission,
    Code,
    Demographics,
    DiscoveredCoverage,
    EligibilityResult,
    MemberQuery,
    PayerExchange,
    Payment,
    SubmissionAck,
)
from payers.rest import coverage_wire, wire
from payers.rest.json_body import answer_json, request_json

T = TypeVar("T")
#: The payer's error code for "cannot answer now, send it again later".
TRY_LATER = "TRY_LATER"
JSON_MEDIA = "application/json"
#: URLs with a query kept per adapter (the same member's payments are asked again and again); bounded.
MAX_QUERY_URLS = 256


class RestPayerAdapter:
    """One payer behind the REST payer API; all six capabilities."""

    protocol: ClassVar[str] = "rest"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(Capability)
    required_credentials: ClassVar[frozenset[str]] = frozenset({"api_key"})

    def __init__(self, settings: PayerSettings, client: httpx.AsyncClient) -> None:
        self.settings = settings
        self.client = client
        self._base = settings.base_url.rstrip("/")
        # Built once, not per call: httpx parses a URL string and merges header dicts each time.
        auth = {"Authorization": f"Bearer {settings.credentials.get('api_key', '')}"}
        self._get_headers = httpx.Headers({**auth, "Accept": JSON_MEDIA})
        self._post_headers = httpx.Headers(
            {**auth, "Accept": JSON_MEDIA, "Content-Type": JSON_MEDIA}
        )
        self._timeout = httpx.Timeout(settings.timeout_seconds)
        self._urls: dict[str, httpx.URL] = {}
        self._query_urls: dict[tuple[str, tuple[tuple[str, str], ...]], httpx.URL] = {}

    @classmethod
    def validate_settings(cls, settings: PayerSettings) -> None:
        """Refuse a base URL that is not an absolute http(s) URL."""
        try:
            url = httpx.URL(settings.base_url)
        except httpx.InvalidURL as exc:
            raise ValueError(f"base_url {settings.base_url!r} is not a URL: {exc}") from exc
        if url.scheme not in {"http", "https"} or not url.host:
            raise ValueError(f"base_url {settings.base_url!r} must be an http:// or https:// URL")

    # --- capabilities ---------------------------------------------------------------------------

    async def check_eligibility(
        self, member: MemberQuery, service_types: Sequence[str], as_of: date
    ) -> EligibilityResult:
        """Eligibility and benefits of ``member`` on ``as_of``."""
        body = {
            "member": wire.member_json(member),
            "serviceTypes": list(service_types) or ["30"],
            "asOf": as_of.isoformat(),
        }
        data, exchange = await self._call("POST", "/v1/eligibility", json_body=body)
        return self._decode(lambda: wire.eligibility(data, self.settings.id, exchange))

    async def search_claims(
        self, member: MemberQuery, since: date | None, status: ClaimStatusFilter
    ) -> Sequence[Claim]:
        """Claims of ``member`` with service on or after ``since`` in the given state."""
        body = {
            "member": wire.member_json(member),
            "since": since.isoformat() if since else None,
            "status": status.value,
        }
        data, exchange = await self._call("POST", "/v1/claims/search", json_body=body)
        return self._decode(
            lambda: tuple(
                wire.claim(c, self.settings.id, exchange) for c in wire.items(data, "claims")
            )
        )

    async def claim_status(self, ref: ClaimRef) -> ClaimStatus:
        """Current status of one claim, by payer claim id or else by control number."""
        if ref.payer_claim_id:
            path, params = f"/v1/claims/{ref.payer_claim_id}/status", None
        elif ref.control_number:
            path, params = "/v1/claims/status", {"controlNumber": ref.control_number}
        else:
            raise PayerRejected(
                self.settings.id, "a claim status request needs a payer claim id or control number"
            )
        data, exchange = await self._call("GET", path, params=params)
        return self._decode(
            lambda: wire.claim_status(
                data.get("status") if isinstance(data, dict) else None, exchange
            )
        )

    async def payments(self, member: MemberQuery | None, since: date | None) -> Sequence[Payment]:
        """Remittances paid on or after ``since``, for ``member`` or all of the provider's."""
        params = {}
        if member is not None:
            params["memberId"] = member.member_id
        if since is not None:
            params["since"] = since.isoformat()
        data, exchange = await self._call("GET", "/v1/payments", params=params)
        return self._decode(
            lambda: tuple(
                wire.payment(p, self.settings.id, exchange) for p in wire.items(data, "payments")
            )
        )

    async def submit_claim(self, claim: ClaimSubmission, control_number: str) -> SubmissionAck:
        """Send a claim; the payer deduplicates on ``control_number``."""
        body = wire.submission_json(claim, control_number)
        data, exchange = await self._call("POST", "/v1/claims", json_body=body)
        return self._decode(lambda: wire.submission_ack(data, exchange))

    async def discover_coverage(self, demographics: Demographics) -> Sequence[DiscoveredCoverage]:
        """Coverage the payer holds for a person, found by name and birth date."""
        body = wire.demographics_json(demographics)
        data, _ = await self._call("POST", "/v1/coverage/discovery", json_body=body)
        return self._decode(
            lambda: tuple(
                coverage_wire.discovered(c, self.settings.id) for c in wire.items(data, "coverages")
            )
        )

    # --- HTTP and error translation ---------------------------------------------------------------

    async def _call(
        self, method: str, path: str, *, json_body: Any = None, params: dict[str, str] | None = None
    ) -> tuple[Any, PayerExchange]:
        """The JSON the payer answered, and the exchange it came from."""
        payer = self.settings.id
        timeout = self.settings.timeout_seconds
        # Serialized here, not by httpx, so the exchange keeps exactly the bytes that were sent.
        content = None if json_body is None else request_json(json_body)
        headers = self._get_headers if content is None else self._post_headers
        try:
            # The deadline also covers transports that ignore httpx timeouts (ASGITransport); under
            # the gateway's deadline it starts no timer of its own (payers/deadline.py).
            async with payer_deadline(timeout):
                response = await self.client.request(
                    method,
                    self._url(path, params),
                    content=content,
                    headers=headers,
                    timeout=self._timeout,
                )
        except (TimeoutError, httpx.TimeoutException) as exc:
            raise PayerTimeout(payer, f"no answer within {timeout:g} s") from exc
        except (httpx.ConnectError, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            raise PayerUnavailable(payer, f"cannot reach the payer: {type(exc).__name__}") from exc
        except httpx.HTTPError as exc:
            raise PayerProtocolError(payer, f"HTTP failure: {type(exc).__name__}: {exc}") from exc
        # Read once: httpx looks a header up by scanning every header, decoding each.
        content_type = response.headers.get("content-type")
        data = self._answer(response, content_type or "")
        exchange = PayerExchange.of(
            "rest",
            f"{method} {response.request.url}" if content is None else content.decode(),
            response.content.decode("utf-8", "replace"),
            request_content_type=JSON_MEDIA if content is not None else "text/plain",
            response_content_type=JSON_MEDIA if content_type is None else content_type,
            at=datetime.now(UTC),
        )
        return data, exchange

    def _url(self, path: str, params: dict[str, str] | None) -> httpx.URL:
        """The absolute URL of ``path`` (with ``params`` as its query), parsed once and kept."""
        if not params:
            url = self._urls.get(path)
            if url is None:
                url = httpx.URL(self._base + path)
                if len(self._urls) < MAX_QUERY_URLS:  # claim ids in paths cannot grow it forever
                    self._urls[path] = url
            return url
        key = (path, tuple(params.items()))
        url = self._query_urls.get(key)
        if url is None:
            url = httpx.URL(self._url(path, None), params=params)
            while len(self._query_urls) >= MAX_QUERY_URLS:
                del self._query_urls[next(iter(self._query_urls))]
            self._query_urls[key] = url
        return url

    def _answer(self, response: httpx.Response, content_type: str) -> Any:
        payer, status = self.settings.id, response.status_code
        success = 200 <= status < 300
        data = self._json(response, content_type)
        if success and data is None:
            raise PayerProtocolError(payer, f"HTTP {status} without a JSON body")
        code, message, reasons = wire.error_body(data)
        rejections = [
            PayerRejection(code=reason, follow_up=follow_up) for reason, follow_up in reasons
        ]
        if code == TRY_LATER or status >= 500 or status == 429:
            raise PayerUnavailable(
                payer, _unavailable_words(status, code, message, reasons), rejections
            )
        if success and code is None:
            return data
        detail = message or f"HTTP {status}"
        if status in (401, 403):
            raise PayerRejected(
                payer,
                f"the payer refused our credentials (HTTP {status}): check the api_key "
                f"credential configured for payer {payer!r}",
            )
        if code is None:
            raise PayerProtocolError(payer, f"HTTP {status} without the payer's error body")
        if code in {"MEMBER_NOT_FOUND", "DEMOGRAPHICS_MISMATCH"}:
            raise MemberNotFound(payer, detail, rejections)
        raise PayerRejected(payer, f"{code}: {detail}", rejections)

    def _json(self, response: httpx.Response, content_type: str) -> Any:
        """The JSON body; ``None`` for a non-JSON error body; protocol error for a bad 2xx body."""
        content_type = content_type.split(";")[0].strip().lower()
        is_json = content_type == "application/json" or content_type.endswith("+json")
        success = 200 <= response.status_code < 300
        if not is_json:
            if success:
                raise PayerProtocolError(
                    self.settings.id,
                    f"expected application/json, got {content_type or 'nothing'!r}",
                )
            return None
        try:
            return answer_json(response.content)
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
            if success:
                raise PayerProtocolError(
                    self.settings.id, f"the answer is not valid JSON: {exc}"
                ) from exc
            return None

    def _decode(self, build: Callable[[], T]) -> T:
        try:
            return build()
        except (wire.WireError, TypeError, KeyError, AttributeError) as exc:
            raise PayerProtocolError(self.settings.id, f"unexpected answer shape: {exc}") from exc


def _unavailable_words(
    status: int, code: str | None, message: str | None, reasons: Sequence[tuple[Code, str | None]]
) -> str:
    """Why the payer cannot answer now, in plain words where we have them for its reasons."""
    said = [plain_words(reason) for reason, _ in reasons]
    words = "; ".join(w for w in said if w) or message
    codes = ", ".join(f"{r.code} {r.description}" for r, _ in reasons)
    head = f"the payer answered HTTP {status}" + (f" {code}" if code else "")
    text = f"{head}: {words}" if words else head
    return f"{text} ({codes})" if codes else text
