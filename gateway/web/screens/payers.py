"""Payers: the directory, what each payer can do, and how it is answering right now."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from gateway.web.visit import Visit, page

CAPABILITY_WORDS = {
    "ELIGIBILITY": "Eligibility and benefits",
    "CLAIM_SUBMISSION": "Claim submission",
    "CLAIM_STATUS": "Claim status",
    "CLAIM_SEARCH": "Claim history",
    "PAYMENTS": "Payments",
    "COVERAGE_DISCOVERY": "Find coverage without a member ID",
}
PROTOCOL_WORDS = {"x12": "X12 EDI", "fhir": "FHIR R4", "rest": "REST (JSON)"}


@page()
async def directory(visit: Visit) -> Response:
    result = await visit.call("PayerDirectory")
    return await visit.page(
        "payers.html",
        payers=result.data.get("payers") or [],
        capability_words=CAPABILITY_WORDS,
        protocol_words=PROTOCOL_WORDS,
    )


ROUTES = [Route("/payers", directory, methods=["GET"])]
