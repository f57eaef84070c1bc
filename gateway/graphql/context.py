"""What every resolver can reach: the caller, the request id, the services, per-request loaders."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from strawberry.dataloader import DataLoader

from gateway.config import GatewaySettings
from gateway.errors import Unauthenticated
from gateway.identity import Principal
from gateway.payers import PayerDirectory
from gateway.storage.database import Database
from gateway.storage.tables import Coverage


@dataclass(frozen=True, slots=True)
class GatewayServices:
    """Process-wide services, built once at start-up."""

    settings: GatewaySettings
    database: Database
    payers: PayerDirectory


@dataclass
class RequestContext:
    services: GatewayServices
    principal: Principal | None
    request_id: str
    request: Any = None
    response: Any = None
    coverages: DataLoader[str, list[Coverage]] = field(init=False)

    def __post_init__(self) -> None:
        self.coverages = DataLoader(load_fn=self._load_coverages)

    @property
    def practice_id(self) -> str:
        if self.principal is None:
            raise Unauthenticated("Authentication required.")
        return self.principal.practice_id

    async def _load_coverages(self, patient_ids: list[str]) -> list[list[Coverage]]:
        """Coverages of many patients in one query, always within the caller's practice."""
        async with self.services.database.session() as session:
            rows = await session.scalars(
                select(Coverage)
                .where(Coverage.practice_id == self.practice_id, Coverage.patient_id.in_(patient_ids))
                .order_by(Coverage.priority, Coverage.created_at)
            )
            by_patient: defaultdict[str, list[Coverage]] = defaultdict(list)
            for row in rows:
                by_patient[row.patient_id].append(row)
        return [by_patient[patient_id] for patient_id in patient_ids]
