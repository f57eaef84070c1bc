"""Per-page loaders: a page's status histories, payer reports and claim payments in a few queries
each, not one query per row."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from strawberry.dataloader import DataLoader

from gateway.history.payments import ClaimPaymentRecord, claim_payment_records
from gateway.history.sources import date_floor, owned_claim_payments
from gateway.storage.claims_tables import ClaimStatusEntry
from gateway.storage.database import Database
from gateway.storage.history_tables import PayerReportedClaim


@dataclass
class HistoryLoaders:
    """Made once per connection field; every read names the practice."""

    database: Database
    practice_id: str
    payments: DataLoader[str, list[ClaimPaymentRecord]] = field(init=False)
    statuses: DataLoader[str, list[ClaimStatusEntry]] = field(init=False)
    reports: DataLoader[str, PayerReportedClaim | None] = field(init=False)

    def __post_init__(self) -> None:
        self.payments = DataLoader(load_fn=self._payments)
        self.statuses = DataLoader(load_fn=self._statuses)
        self.reports = DataLoader(load_fn=self._reports)

    async def _payments(self, owner_ids: list[str]) -> list[list[ClaimPaymentRecord]]:
        owned = owned_claim_payments(self.practice_id)
        sort_date = func.coalesce(owned.c.payment_date, date_floor())
        async with self.database.session() as session:
            keys = (
                await session.execute(
                    select(
                        owned.c.claim_payment_id,
                        owned.c.owner_id,
                        owned.c.owner_source,
                        sort_date,
                    )
                    .where(owned.c.owner_id.in_(owner_ids))
                    .order_by(sort_date.desc(), owned.c.claim_payment_id.desc())
                )
            ).all()
            records = await claim_payment_records(
                session, self.practice_id, [(k[0], k[1], k[2], k[3]) for k in keys]
            )
        found: dict[str, list[ClaimPaymentRecord]] = defaultdict(list)
        for record in records:
            found[record.owner_id].append(record)
        return [found[owner_id] for owner_id in owner_ids]

    async def _statuses(self, claim_ids: list[str]) -> list[list[ClaimStatusEntry]]:
        found: dict[str, list[ClaimStatusEntry]] = defaultdict(list)
        async with self.database.session() as session:
            for row in await session.scalars(
                select(ClaimStatusEntry)
                .where(
                    ClaimStatusEntry.claim_id.in_(claim_ids),
                    ClaimStatusEntry.practice_id == self.practice_id,
                )
                .order_by(ClaimStatusEntry.recorded_at, ClaimStatusEntry.id)
            ):
                found[row.claim_id].append(row)
        return [found[claim_id] for claim_id in claim_ids]

    async def _reports(self, history_ids: list[str]) -> list[PayerReportedClaim | None]:
        """A submitted claim's linked report, or a reported row itself."""
        found: dict[str, PayerReportedClaim] = {}
        async with self.database.session() as session:
            for row in await session.scalars(
                select(PayerReportedClaim).where(
                    PayerReportedClaim.practice_id == self.practice_id,
                    or_(
                        PayerReportedClaim.id.in_(history_ids),
                        PayerReportedClaim.submitted_claim_id.in_(history_ids),
                    ),
                )
            ):
                found[row.submitted_claim_id or row.id] = row
        return [found.get(history_id) for history_id in history_ids]
