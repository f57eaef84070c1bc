"""FHIR REST over the adapter's ``httpx.AsyncClient``: searches with paging, POSTed operations.

Every failure leaves as a contract error carrying the payer id::

    httpx timeout, no answer within the timeout    -> PayerTimeout
    connection errors, HTTP 408/429/5xx            -> PayerUnavailable
    HTTP 401 (after one token refresh), 403, 4xx   -> PayerRejected (OperationOutcome issues
                                                      as reasons)
    an error code meaning "no such member"         -> MemberNotFound (AAA 58/65/67/71/72/73/75)
    an error code meaning "try later"              -> PayerUnavailable (AAA 42/80, or an
                                                      OperationOutcome issue of a transient
                                                      type, in any HTTP status, 200 included),
                                                      with the reason in plain words
    wrong content type, not JSON, not valid FHIR,
    wrong resourceType, runaway paging             -> PayerProtocolError

Searches follow the Bundle ``next`` link to the end, at most ``options["max_pages"]`` pages
(default :data:`DEFAULT_MAX_PAGES`); more is a protocol error rather than a silently truncated
answer. A ``next`` link must stay on the configured base URL's origin: the bearer token is never
sent elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import httpx

from payers.codesets import plain_words
from payers.contract import (
    MemberNotFound,
    PayerError,
    PayerProtocolError,
    PayerRejected,
    PayerRejection,
    PayerSettings,
    PayerTimeout,
    PayerUnavailable,
    payer_deadline,
)
from payers.fhir.adjudication import reason_codes
from payers.fhir.auth import TokenSource
from payers.fhir.resources import (
    FhirContentError,
    ParsedResource,
    dump_json,
    load_json,
    parse_bundle,
    parse_resource,
)
from payers.fhir.transcript import RoundTrip
from payers.model import Code

DEFAULT_MAX_PAGES = 20
FHIR_JSON = "application/fhir+json"
_JSON_TYPES = ("application/fhir+json", "application/json", "application/json+fhir")
MEMBER_NOT_FOUND_CODES = frozenset({"58", "65", "67", "71", "72", "73", "75"})
TRY_LATER_CODES = frozenset({"42", "80"})
ISSUE_TYPE = "http://hl7.org/fhir/issue-type"
#: OperationOutcome issue types under "transient" (the content may be valid later).
TRANSIENT_ISSUES = frozenset(
    {"transient", "lock-error", "no-store", "exception", "timeout", "incomplete", "throttled"}
)


def contract_error(payer_id: str, codes: Sequence[Code], message: str) -> PayerError:
    """The contract error a payer's own error codes call for."""
    aaa = {c.code for c in codes if c.system == "aaa-reject-reason"}
    if aaa & MEMBER_NOT_FOUND_CODES:
        return MemberNotFound(payer_id, message, [PayerRejection(code) for code in codes])
    transient = any(c.system == ISSUE_TYPE and c.code in TRANSIENT_ISSUES for c in codes)
    if aaa & TRY_LATER_CODES or transient:
        reasons = [PayerRejection(code) for code in codes]
        words = " ".join(w for w in (plain_words(c) for c in codes) if w)
        if words:  # the payer's own codes beside our wording, the request's story left out
            stated = "; ".join(f"{c.code} {c.description}" for c in codes)
            return PayerUnavailable(
                payer_id, f"the payer cannot answer now: {words} ({stated})", reasons
            )
        return PayerUnavailable(payer_id, f"the payer cannot answer now: {message}", reasons)
    return PayerRejected(payer_id, message, [PayerRejection(code) for code in codes])


class FhirClient:
    """One payer's FHIR endpoint: base URL, token, paging bound."""

    def __init__(self, settings: PayerSettings, client: httpx.AsyncClient, tokens: TokenSource):
        self.settings = settings
        self.tokens = tokens
        self._client = client
        self.base_url = settings.base_url.rstrip("/")
        self.max_pages = int(settings.options.get("max_pages", DEFAULT_MAX_PAGES))

    async def search(
        self,
        resource_type: str,
        params: Mapping[str, str],
        *,
        transcript: list[RoundTrip] | None = None,
    ) -> list[ParsedResource[Any]]:
        """All ``resource_type`` entries of a search, across pages (each page's round trip is added
        to ``transcript`` when given)."""
        url: str | None = f"{self.base_url}/{resource_type}"
        query: Mapping[str, str] | None = params
        seen: set[str] = set()
        found: list[ParsedResource[Any]] = []
        pages = 0
        while url is not None:
            if pages == self.max_pages:
                raise PayerProtocolError(
                    self.settings.id,
                    f"{resource_type} search has more than {self.max_pages} pages; "
                    "narrow the search or raise the payer's max_pages option",
                )
            response = await self._send("GET", url, params=query)
            body = self._body(response, f"{resource_type} search")
            if body.get("resourceType") == "OperationOutcome":
                raise self._outcome_error(body, f"{resource_type} search", response.status_code)
            try:
                page = parse_bundle(body, "searchset")
            except FhirContentError as exc:
                raise PayerProtocolError(
                    self.settings.id, f"{resource_type} search: {exc}"
                ) from exc
            found.extend(page.of_type(resource_type))
            _note(transcript, "GET", response, None)
            pages += 1
            seen.add(str(response.request.url))
            url, query = page.next_url, None
            if url is not None:
                self._check_next(url, seen)
        return found

    async def submit(
        self,
        path: str,
        resource: Mapping[str, Any],
        expected: Sequence[str],
        *,
        transcript: list[RoundTrip] | None = None,
    ) -> ParsedResource[Any]:
        """POST a resource to an operation (``Claim/$submit``) and read the returned resource
        (the round trip is added to ``transcript`` when given)."""
        what = f"POST {path}"
        content = dump_json(resource)
        response = await self._send("POST", f"{self.base_url}/{path.lstrip('/')}", content=content)
        body = self._body(response, what)
        if body.get("resourceType") == "OperationOutcome":
            raise self._outcome_error(body, what, response.status_code)
        try:
            parsed = parse_resource(body, expected)
        except FhirContentError as exc:
            raise PayerProtocolError(self.settings.id, f"{what}: {exc}") from exc
        _note(transcript, "POST", response, content)
        return parsed

    async def _send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        content: bytes | None = None,
    ) -> httpx.Response:
        headers = {"Accept": FHIR_JSON}
        if content is not None:
            headers["Content-Type"] = FHIR_JSON
        for attempt in (1, 2):
            token = await self.tokens.token() if self.tokens.enabled else None
            if token:
                headers["Authorization"] = f"Bearer {token}"
            timeout = self.settings.timeout_seconds
            try:
                # The deadline also covers transports that ignore httpx timeouts (ASGI); under the
                # gateway's deadline it starts no timer of its own (payers/deadline.py).
                async with payer_deadline(timeout):
                    response = await self._client.request(
                        method,
                        url,
                        params=params,
                        content=content,
                        headers=headers,
                        timeout=timeout,
                    )
            except (httpx.TimeoutException, TimeoutError) as exc:
                raise PayerTimeout(
                    self.settings.id, f"{method} {_path(url)}: no answer within {timeout:g} s"
                ) from exc
            except httpx.HTTPError as exc:
                raise PayerUnavailable(
                    self.settings.id, f"{method} {_path(url)} failed: {type(exc).__name__}"
                ) from exc
            if response.status_code == 401 and token and attempt == 1:
                self.tokens.invalidate(token)  # expired or revoked early: one fresh token, once
                continue
            return response
        return response

    def _body(self, response: httpx.Response, what: str) -> dict[str, Any]:
        payer, status = self.settings.id, response.status_code
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        body: dict[str, Any] | None = None
        if media in _JSON_TYPES:
            try:
                body = load_json(response.content)
            except FhirContentError as exc:
                if status < 400:
                    raise PayerProtocolError(payer, f"{what}: {exc}") from exc
        elif status < 400:
            raise PayerProtocolError(
                payer, f"{what}: content type {media or 'none'!r} is not FHIR JSON"
            )
        if status < 300 and body is not None:
            return body
        if status < 300:
            raise PayerProtocolError(payer, f"{what}: empty answer")
        if body is not None and body.get("resourceType") == "OperationOutcome":
            raise self._outcome_error(body, what, status)
        raise self._status_error(status, f"{what}: HTTP {status}", ())

    def _outcome_error(self, body: dict[str, Any], what: str, status: int) -> PayerError:
        try:
            outcome = parse_resource(body, ("OperationOutcome",)).resource
        except FhirContentError as exc:
            return PayerProtocolError(self.settings.id, f"{what}: {exc}")
        issues = [i for i in outcome.issue or () if i.severity in ("error", "fatal")]
        if not issues:
            return PayerProtocolError(self.settings.id, f"{what}: answered an OperationOutcome")
        codes = list(reason_codes(i.details for i in issues if i.details is not None))
        codes += [
            Code(ISSUE_TYPE, str(i.code), i.diagnostics or str(i.code))
            for i in issues
            if i.details is None or str(i.code) in TRANSIENT_ISSUES
        ]
        text = "; ".join(_issue_text(i) for i in issues)
        return self._status_error(status, f"{what}: HTTP {status}: {text}", codes)

    def _status_error(self, status: int, message: str, codes: Iterable[Code]) -> PayerError:
        payer = self.settings.id
        if status in (408, 429) or status >= 500:
            return PayerUnavailable(payer, message)
        if status == 401:
            return PayerRejected(
                payer, f"authentication refused: {message}", [PayerRejection(lookup_http(status))]
            )
        return contract_error(payer, list(codes) or [lookup_http(status)], message)

    def _check_next(self, url: str, seen: set[str]) -> None:
        base, link = urlsplit(self.base_url), urlsplit(url)
        if (link.scheme, link.netloc) != (base.scheme, base.netloc):
            raise PayerProtocolError(
                self.settings.id, f"next link leaves the payer's base URL ({link.netloc})"
            )
        if url in seen:
            raise PayerProtocolError(self.settings.id, "next link repeats an earlier page")


def _note(
    transcript: list[RoundTrip] | None, method: str, response: httpx.Response, sent: bytes | None
) -> None:
    """Add a round trip the answer is built from to the caller's transcript (PHI: never logged)."""
    if transcript is not None:
        transcript.append(
            RoundTrip(
                method,
                str(response.request.url),
                sent,
                response.content,
                response.headers.get("content-type", ""),
            )
        )


def lookup_http(status: int) -> Code:
    return Code("http-status", str(status), f"HTTP status {status}")


def _issue_text(issue: Any) -> str:
    details = issue.details.text if issue.details is not None and issue.details.text else None
    return str(issue.diagnostics or details or issue.code)


def _path(url: str) -> str:
    """The URL path only: query strings carry member ids and must not reach logs."""
    return urlsplit(url).path
