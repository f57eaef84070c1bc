"""The payer's own words: the raw request and response an answer came from (PHI).

Fields of this type hang off payer answers (``EligibilityResult.rawExchange``,
``ClaimStatus.rawExchange``) and claim status history entries (``ClaimStatusEntry.rawExchange``),
each declared with ``phi(CLAIMS_READ)``: the caller needs ``phi:read`` and ``claims:read``, and every
allowed read is audited. The texts are built only when the field is asked for; on a history entry
they are even read from the database only then.
"""

from __future__ import annotations

from datetime import datetime

import strawberry
from sqlalchemy import select

from gateway.claims.codec import exchange_from_json
from gateway.storage.claims_tables import ClaimStatusEntry
from gateway.storage.database import Database
from payers.model import PayerExchange

DESCRIPTION = (
    "What went over the wire to the payer and back, exactly (an X12 interchange, FHIR or REST JSON), "
    "so a biller can read what the payer said. Texts over 256 KiB are cut and end with a marker. "
    "Contains PHI: needs phi:read and claims:read, and each read is audited."
)


@strawberry.type(description="The raw request sent to a payer and the payer's raw response.")
class RawExchange:
    protocol: str = strawberry.field(description="x12, fhir or rest.")
    request: str = strawberry.field(description="What the gateway sent (GET <url> when no body).")
    response: str = strawberry.field(description="What the payer answered, as received.")
    content_type: str = strawberry.field(description="Media type of the response.")
    request_content_type: str = strawberry.field(description="Media type of the request.")
    fetched_at: datetime = strawberry.field(description="When the payer's response arrived.")

    @classmethod
    def of(cls, exchange: PayerExchange | None) -> RawExchange | None:
        if exchange is None:
            return None
        return cls(
            protocol=exchange.protocol,
            request=exchange.request,
            response=exchange.response,
            content_type=exchange.response_content_type,
            request_content_type=exchange.request_content_type,
            fetched_at=exchange.at,
        )


async def stored_exchange(
    database: Database, entry_id: str, practice_id: str
) -> RawExchange | None:
    """The exchange kept on one status history entry of the practice (None when none was kept)."""
    async with database.session() as session:
        data = await session.scalar(
            select(ClaimStatusEntry.raw_exchange).where(
                ClaimStatusEntry.id == entry_id, ClaimStatusEntry.practice_id == practice_id
            )
        )
    return RawExchange.of(exchange_from_json(data)) if data else None
