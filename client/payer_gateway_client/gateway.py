"""``Gateway``: one practice's gateway, reached with an API key over HTTP(S)."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx

from payer_gateway_client.errors import GatewayError, RateLimited, TransportFailed, error_for
from payer_gateway_client.history import (
    CLAIM_HISTORY,
    ELIGIBILITY_FILTER_FIELDS,
    ELIGIBILITY_HISTORY,
    REMITTANCE_HISTORY,
    history_filter,
    pages,
)


class Gateway:
    """A Payer Gateway for notebooks::

        gw = Gateway("http://127.0.0.1:8000", api_key="pgw_...")
        gw.query("{ payers { id name } }")
        claims = gw.claims_frame(service_from="2026-07-01")       # pandas (or engine="polars")

    ``url`` is the gateway's address (``/graphql`` is added when missing). The key goes in
    ``Authorization: Bearer``, as the gateway expects from partner systems. Every refusal raises a
    :class:`~payer_gateway_client.errors.GatewayError` subclass carrying the gateway's code.
    ``rate_limit_retries``: a request refused with 429 is sent again after the gateway's
    ``Retry-After`` (at most a minute each) this many times before :class:`RateLimited` is raised.
    ``transport`` lets tests and unusual networks choose how requests travel (httpx transports).
    """

    def __init__(
        self,
        url: str,
        api_key: str,
        *,
        timeout: float = 60.0,
        rate_limit_retries: int = 3,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.rate_limit_retries = rate_limit_retries
        if not api_key or not api_key.strip():
            raise ValueError("api_key is empty: create one with `payer-gateway create-api-key`")
        base = url.rstrip("/").removesuffix("/graphql")
        self.base_url = base
        self.graphql_url = f"{base}/graphql"
        self._http = httpx.Client(
            headers={"Authorization": f"Bearer {api_key.strip()}", "Accept": "application/json"},
            timeout=timeout,
            transport=transport,
            trust_env=True,
        )

    def __enter__(self) -> Gateway:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # --- GraphQL -------------------------------------------------------------------------------

    def query(self, document: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Run one operation; its ``data``. Any error in the answer raises (``exc.data`` keeps
        what did answer, since GraphQL answers partly)."""
        for attempt in range(self.rate_limit_retries + 1):
            try:
                return self._query_once(document, variables)
            except RateLimited as exc:
                if attempt == self.rate_limit_retries:
                    raise
                time.sleep(min(exc.retry_after or 1.0, 60.0))
        raise AssertionError("unreachable")

    def _query_once(self, document: str, variables: Mapping[str, Any] | None) -> dict[str, Any]:
        try:
            response = self._http.post(
                self.graphql_url, json={"query": document, "variables": dict(variables or {})}
            )
        except httpx.HTTPError as exc:
            raise TransportFailed(
                f"the gateway at {self.base_url} could not be reached: {type(exc).__name__}",
                code="TRANSPORT_FAILED",
            ) from exc
        body = _json(response)
        errors = body.get("errors")
        if errors:
            raise error_for(
                errors, status=response.status_code, headers=response.headers, data=body.get("data")
            )
        if response.status_code != 200 or not isinstance(body.get("data"), dict):
            raise TransportFailed(
                f"unexpected answer (HTTP {response.status_code})",
                code="UNEXPECTED_ANSWER",
                status=response.status_code,
            )
        return body["data"]  # type: ignore[no-any-return]

    # --- history ---------------------------------------------------------------------------------

    def claim_history(self, *, page_size: int = 100, **filters: Any) -> list[dict[str, Any]]:
        """Every ``claimHistory`` row the filter holds, following cursors to the end.

        Filters (all optional): ``payers``, ``service_from``, ``service_to``, ``paid_from``,
        ``paid_to``, ``states``, ``denial_reasons``, ``sources``."""
        return list(self._nodes(CLAIM_HISTORY, "claimHistory", page_size, filters))

    def remittance_history(self, *, page_size: int = 100, **filters: Any) -> list[dict[str, Any]]:
        """Every ``remittanceHistory`` claim payment the filter holds (``statuses`` too: CLP02)."""
        return list(self._nodes(REMITTANCE_HISTORY, "remittanceHistory", page_size, filters))

    def eligibility_history(self, *, page_size: int = 100, **filters: Any) -> list[dict[str, Any]]:
        """Every ``eligibilityHistory`` check (needs ``eligibility:read``). Filters: ``payers``,
        ``checked_from``, ``checked_to`` (the practice's days), ``outcomes`` (ACTIVE, INACTIVE,
        FAILED), ``error_codes``."""
        return list(
            self._nodes(
                ELIGIBILITY_HISTORY,
                "eligibilityHistory",
                page_size,
                filters,
                ELIGIBILITY_FILTER_FIELDS,
            )
        )

    def _nodes(
        self,
        document: str,
        field: str,
        page_size: int,
        filters: Mapping[str, Any],
        fields: Mapping[str, str] | None = None,
    ) -> Iterator[dict[str, Any]]:
        variables = {"filter": history_filter(fields, **filters), "first": page_size}
        yield from pages(self.query, document, field, variables)

    # --- frames --------------------------------------------------------------------------------

    def claims_frame(self, *, engine: str = "pandas", **filters: Any) -> Any:
        """Claims as a DataFrame: one row per claim, money Decimal, dates dates, codes categorical."""
        from payer_gateway_client import frames

        return frames.claims(self.claim_history(**filters), engine)

    def payments_frame(self, *, engine: str = "pandas", **filters: Any) -> Any:
        """Claim payments (the ledger's, one row each; reversals negative) as a DataFrame."""
        from payer_gateway_client import frames

        return frames.payments(self.remittance_history(**filters), engine)

    def adjustments_frame(self, *, engine: str = "pandas", **filters: Any) -> Any:
        """Every adjustment of those claim payments (group, CARC, amount) as a DataFrame."""
        from payer_gateway_client import frames

        return frames.adjustments(self.remittance_history(**filters), engine)

    def eligibility_frame(self, *, engine: str = "pandas", **filters: Any) -> Any:
        """Eligibility checks the practice's batches finished, one row each (amounts Decimal)."""
        from payer_gateway_client import frames

        return frames.eligibility(self.eligibility_history(**filters), engine)

    def status_frame(self, *, engine: str = "pandas", **filters: Any) -> Any:
        """Every claim's status history (277 category and status, effective date)."""
        from payer_gateway_client import frames

        return frames.statuses(self.claim_history(**filters), engine)

    # --- bulk export ---------------------------------------------------------------------------

    def export(
        self,
        destination: str | Path,
        *,
        format: str = "parquet",
        **params: Any,
    ) -> Path:
        """Download ``GET /exports/history`` (a zip of the claims, claim_lines, payments,
        payment_lines and adjustments tables; needs the ``history:export`` scope) to
        ``destination``, streamed to disk; the path. ``params`` go in the query string:
        ``from_``/``to`` (service dates), ``payers`` (a list), ``partition="month"``,
        ``identified=True`` (needs ``phi:read``)."""
        query = {"format": format}
        for name, value in params.items():
            if value is not None:
                if isinstance(value, bool):
                    value = "true" if value else "false"
                query[name.rstrip("_")] = ",".join(value) if isinstance(value, list) else str(value)
        path = Path(destination)
        try:
            with self._http.stream("GET", f"{self.base_url}/exports/history", params=query) as got:
                if got.status_code != 200:
                    got.read()
                    body = _json(got)
                    raise error_for(
                        body.get("errors") or [], status=got.status_code, headers=got.headers
                    )
                with path.open("wb") as out:
                    for chunk in got.iter_bytes():
                        out.write(chunk)
        except httpx.HTTPError as exc:
            path.unlink(missing_ok=True)
            raise TransportFailed(
                f"the export from {self.base_url} failed: {type(exc).__name__}",
                code="TRANSPORT_FAILED",
            ) from exc
        return path


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError as exc:
        raise TransportFailed(
            f"the gateway answered HTTP {response.status_code} without JSON",
            code="UNEXPECTED_ANSWER",
            status=response.status_code,
        ) from exc
    if not isinstance(body, dict):
        raise GatewayError("answer is not a JSON object", code="UNEXPECTED_ANSWER")
    return body
