"""The raw FHIR round trips behind one answer, kept so a biller can read what the payer said (PHI).

:class:`payers.fhir.client.FhirClient` appends a :class:`RoundTrip` to a caller's transcript for
every request that got a usable answer; :func:`exchange_of` turns the transcript into the answer's
:class:`payers.model.PayerExchange`. One round trip keeps the bodies as they are; several (search
pages, a search and its fallback) become a JSON array of the response bodies in order, beside the
request lines, one per round trip.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from payers.model import PayerExchange

FHIR_JSON = "application/fhir+json"


@dataclass(frozen=True, slots=True)
class RoundTrip:
    """One HTTP request to the payer and its answer: bodies as bytes on the wire, no headers."""

    method: str
    url: str
    request_body: bytes | None
    response_body: bytes
    response_content_type: str


def _request_text(trip: RoundTrip) -> str:
    if trip.request_body is None:
        return f"{trip.method} {trip.url}"
    return trip.request_body.decode("utf-8", "replace")


def exchange_of(trips: Sequence[RoundTrip]) -> PayerExchange | None:
    """The exchange of an answer built from ``trips`` (None when nothing went over the wire)."""
    if not trips:
        return None
    now = datetime.now(UTC)
    if len(trips) == 1:
        (trip,) = trips
        return PayerExchange.of(
            "fhir",
            _request_text(trip),
            trip.response_body.decode("utf-8", "replace"),
            request_content_type=FHIR_JSON if trip.request_body is not None else "text/plain",
            response_content_type=trip.response_content_type or FHIR_JSON,
            at=now,
        )
    requests = "\n".join(_request_text(t) for t in trips)
    bodies = ",\n".join(t.response_body.decode("utf-8", "replace") for t in trips)
    return PayerExchange.of(
        "fhir",
        requests,
        f"[{bodies}]",
        request_content_type="text/plain",
        response_content_type="application/json",
        at=now,
    )
