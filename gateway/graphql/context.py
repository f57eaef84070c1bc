"""What every resolver can reach: the caller, the request id, the services, per-request loaders."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from strawberry.dataloader import DataLoader

from gateway.audit.trail import AuditLog, RequestFacts
from gateway.auth.pseudonyms import patient_key
from gateway.config import GatewaySettings
from gateway.errors import Forbidden, Unauthenticated
from gateway.identity import Principal
from gateway.payers import PayerDirectory
from gateway.storage.database import Database
from gateway.storage.tables import Coverage

if TYPE_CHECKING:
    from gateway.claims.services import ClaimServices
    from gateway.http.rate_limit import RateLimiter
    from gateway.jobs.services import BatchServices


@dataclass(frozen=True, slots=True)
class GatewayServices:
    """Process-wide services, built once at start-up."""

    settings: GatewaySettings
    database: Database
    payers: PayerDirectory
    claims: ClaimServices | None = None  # submission, dispatch, status fan-out (gateway.claims)
    batches: BatchServices | None = None  # batch eligibility (gateway.jobs)


@dataclass
class RequestContext:
    services: GatewayServices
    principal: Principal | None
    request_id: str
    request: Any = None
    response: Any = None
    limiter: RateLimiter | None = (
        None  # the app's rate limiter: credential attempts are counted in it
    )
    coverages: DataLoader[str, list[Coverage]] = field(init=False)
    audit: AuditLog = field(init=False)

    def __post_init__(self) -> None:
        self.coverages = DataLoader(load_fn=self._load_coverages)
        self.audit = AuditLog()

    @property
    def practice_id(self) -> str:
        """The caller's practice; every practice-owned read and write is filtered by it."""
        if self.principal is None:
            raise Unauthenticated("Authentication required.")
        if self.principal.practice_id is None:
            raise Forbidden("Gateway operators have no practice data.")
        return self.principal.practice_id

    @property
    def client_address(self) -> str | None:
        client = getattr(self.request, "client", None)
        return str(client.host) if client else None

    def audit_facts(self, operation: str | None) -> RequestFacts:
        return RequestFacts(self.principal, self.request_id, self.client_address, operation)

    def patient_key(self, patient_id: str) -> str:
        """The caller's practice's stable pseudonym for a patient (see gateway/auth/pseudonyms.py)."""
        return patient_key(self.services.settings.pseudonym_secret, self.practice_id, patient_id)

    async def _load_coverages(self, patient_ids: list[str]) -> list[list[Coverage]]:
        """Coverages of many patients in one query, always within the caller's practice."""
        async with self.services.database.session() as session:
            rows = await session.scalars(
                select(Coverage)
                .where(
                    Coverage.practice_id == self.practice_id, Coverage.patient_id.in_(patient_ids)
                )
                .order_by(Coverage.priority, Coverage.created_at)
            )
            by_patient: defaultdict[str, list[Coverage]] = defaultdict(list)
            for row in rows:
                by_patient[row.patient_id].append(row)
        return [by_patient[patient_id] for patient_id in patient_ids]
