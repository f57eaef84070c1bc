"""Other coverage a payer reported for a patient (a coordination-of-benefits hint)."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from gateway.graphql.permissions import phi
from gateway.graphql.types.payer import Payer
from gateway.payers import PayerDirectory
from gateway.storage.coverage_hint_tables import CoverageHint


@strawberry.type(
    description="Other insurance a payer reported for the patient (coordination of benefits): "
    "a hint to ask the patient for that card."
)
class OtherCoverageHint:
    id: strawberry.ID
    reported_by: Payer
    other_payer_name: str
    other_payer_id: str | None = strawberry.field(
        description="The other payer's id as the reporting payer states it (e.g. X12 NM109)."
    )
    member_id: str | None = strawberry.field(extensions=phi())
    start_date: date | None
    end_date: date | None
    first_seen_at: datetime
    last_seen_at: datetime
    matching_payer: Payer | None = strawberry.field(
        description="The gateway's payer of that name, to add the card to (null: not connected)."
    )

    @classmethod
    def of(cls, row: CoverageHint, payers: PayerDirectory) -> OtherCoverageHint:
        reporter = payers.get(row.reporting_payer_id)
        wanted = " ".join(row.other_payer_name.split()).casefold()
        match = next(
            (p for p in payers.all() if " ".join(p.settings.name.split()).casefold() == wanted),
            None,
        )
        return cls(
            id=strawberry.ID(row.id),
            reported_by=Payer.of(reporter) if reporter else Payer.unknown(row.reporting_payer_id),
            other_payer_name=row.other_payer_name,
            other_payer_id=row.other_payer_id,
            member_id=row.member_id,
            start_date=row.start_date,
            end_date=row.end_date,
            first_seen_at=row.first_seen_at,
            last_seen_at=row.last_seen_at,
            matching_payer=Payer.of(match) if match else None,
        )
