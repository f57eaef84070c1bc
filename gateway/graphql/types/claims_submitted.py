"""Claims the practice submitted through the gateway: where each stands, its history and payments."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from gateway.claims.codec import submission_from_json
from gateway.claims.events import StatusChange
from gateway.graphql.permissions import needs, patient_scope, phi
from gateway.graphql.scalars import Money
from gateway.graphql.types.claims import PAYER_WORDS
from gateway.graphql.types.common import ClaimStateEnum, CodeType
from gateway.graphql.types.exchange import DESCRIPTION as RAW_EXCHANGE
from gateway.graphql.types.exchange import RawExchange, stored_exchange
from gateway.graphql.types.financials import ClaimMoneyFields
from gateway.graphql.types.ledger_state import FinancialStateEnum
from gateway.graphql.types.payer import Payer
from gateway.graphql.types.payments import Payment
from gateway.identity import CLAIMS_READ, PAYMENTS_READ
from gateway.ledger.reading import payments_for_claim
from gateway.storage.claims_tables import ClaimOutbox, ClaimStatusEntry, SubmittedClaim
from payers.codesets import lookup
from payers.model import ClaimState


def _code(system: str, code: str | None, description: str | None) -> CodeType | None:
    if not code:
        return None
    return CodeType(
        system=system, code=code, description=description or lookup(system, code).description
    )


@strawberry.enum(
    description="How a claim follows an earlier one: REPLACES (a corrected claim, frequency 7), "
    "VOIDS (frequency 8), SECONDARY_OF (sent on to the next payer once the earlier one paid)."
)
class ClaimRelation(enum.StrEnum):
    REPLACES = "replaces"
    VOIDS = "voids"
    SECONDARY_OF = "secondary_of"


@strawberry.type(
    name="ClaimStatusEntry",
    description="One status of a claim, as the payer (or the gateway) stated it.",
)
class ClaimStatusEntryInfo:
    state: ClaimStateEnum
    category: CodeType | None = strawberry.field(description="277 claim status category, e.g. A1.")
    status: CodeType | None = strawberry.field(description="277 claim status code, e.g. 19.")
    entity_code: str | None
    effective_date: date | None
    source: str = strawberry.field(description="submission, acknowledgment, poll or remittance.")
    message: str | None = strawberry.field(
        description="The gateway's words on this status (and the payer's codes as our tables describe them)."
    )
    payer_message: str | None = strawberry.field(
        description=PAYER_WORDS, extensions=phi(CLAIMS_READ)
    )
    recorded_at: datetime
    entry_id: strawberry.Private[str]
    practice_id: strawberry.Private[str]

    @strawberry.field(
        description=RAW_EXCHANGE + " Kept for statuses the payer stated (acknowledgment, poll).",
        extensions=phi(CLAIMS_READ),
    )
    async def raw_exchange(self, info: Info) -> RawExchange | None:
        return await stored_exchange(
            info.context.services.database, self.entry_id, self.practice_id
        )

    @classmethod
    def of(cls, row: ClaimStatusEntry) -> ClaimStatusEntryInfo:
        return cls(
            entry_id=row.id,
            practice_id=row.practice_id,
            state=ClaimState(row.state),
            category=_code("claim-status-category", row.category_code, row.category_description),
            status=_code("claim-status", row.status_code, row.status_description),
            entity_code=row.entity_code,
            effective_date=row.effective_date,
            source=row.source,
            message=row.message,
            payer_message=row.payer_message,
            recorded_at=row.recorded_at,
        )


@strawberry.type(
    description="Getting the claim to the payer: pending (waiting or retrying), sent, failed."
)
class ClaimDelivery:
    state: str
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    sent_at: datetime | None


@strawberry.type
class SubmittedClaimLine:
    line_number: int
    procedure: CodeType
    modifiers: list[str]
    diagnosis_pointers: list[int]
    units: Decimal
    charge: Money
    service_date: date | None


@strawberry.type(name="SubmittedClaim", description="A claim submitted through the gateway.")
class SubmittedClaimInfo(ClaimMoneyFields):
    row: strawberry.Private[SubmittedClaim]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.row.id)

    @strawberry.field
    def patient_id(self) -> strawberry.ID:
        return strawberry.ID(self.row.patient_id)

    @strawberry.field
    def coverage_id(self) -> strawberry.ID:
        return strawberry.ID(self.row.coverage_id)

    @strawberry.field
    def payer(self, info: Info) -> Payer | None:
        configured = info.context.services.payers.get(self.row.payer_id)
        return Payer.of(configured) if configured else None

    @strawberry.field(description="Our claim control number (CLM01); the payer deduplicates on it.")
    def control_number(self) -> str:
        return self.row.control_number

    @strawberry.field(description="The practice's own account number for the claim, if given.")
    def patient_control_number(self) -> str | None:
        return self.row.patient_account_number

    @strawberry.field
    def payer_claim_id(self) -> str | None:
        return self.row.payer_claim_id

    @strawberry.field
    def state(self) -> ClaimStateEnum:
        return ClaimState(self.row.state)  # type: ignore[return-value]

    @strawberry.field(description="Current 277 category, e.g. A1 (acknowledged), F1 (finalized).")
    def category(self) -> CodeType | None:
        return _code("claim-status-category", self.row.category_code, None)

    @strawberry.field(description="Current 277 status code.")
    def status(self) -> CodeType | None:
        return _code("claim-status", self.row.status_code, None)

    @strawberry.field
    def total_charge(self) -> Money:
        return self.row.total_charge  # type: ignore[return-value]

    @strawberry.field
    def paid_amount(self) -> Money | None:
        return self.row.paid_amount  # type: ignore[return-value]

    @strawberry.field
    def service_date_from(self) -> date:
        return self.row.service_date_from

    @strawberry.field
    def service_date_to(self) -> date:
        return self.row.service_date_to

    @strawberry.field
    def frequency_code(self) -> str:
        return self.row.frequency_code

    @strawberry.field(
        description="How this claim follows an earlier one (relatedClaimId); null for a first claim."
    )
    def relation(self) -> ClaimRelation | None:
        return ClaimRelation(self.row.relation) if self.row.relation else None

    @strawberry.field(description="The earlier claim this one replaces, voids or follows.")
    def related_claim_id(self) -> strawberry.ID | None:
        related = self.row.related_claim_id
        return strawberry.ID(related) if related else None

    @strawberry.field
    def place_of_service(self) -> CodeType:
        code = lookup("place-of-service", self.row.submission["placeOfService"])
        return CodeType(system=code.system, code=code.code, description=code.description)

    @strawberry.field
    def diagnoses(self) -> list[CodeType]:
        codes = (lookup("icd10cm", c) for c in self.row.submission["diagnoses"])
        return [CodeType(system=c.system, code=c.code, description=c.description) for c in codes]

    @strawberry.field
    def lines(self) -> list[SubmittedClaimLine]:
        claim = submission_from_json(self.row.submission)
        return [
            SubmittedClaimLine(
                line_number=line.line_number,
                procedure=CodeType(
                    system=line.procedure.system,
                    code=line.procedure.code,
                    description=line.procedure.description,
                ),
                modifiers=list(line.modifiers),
                diagnosis_pointers=list(line.diagnosis_pointers),
                units=line.units,
                charge=line.charge,  # type: ignore[arg-type]
                service_date=line.service_date,
            )
            for line in claim.lines
        ]

    @strawberry.field
    def submitted_at(self) -> datetime:
        return self.row.created_at

    @strawberry.field
    def updated_at(self) -> datetime:
        return self.row.updated_at

    @strawberry.field(
        description="Getting the claim to the payer (retries while the payer is down)."
    )
    async def delivery(self, info: Info) -> ClaimDelivery | None:
        async with info.context.services.database.session() as session:
            row = await session.scalar(
                select(ClaimOutbox).where(ClaimOutbox.claim_id == self.row.id)
            )
        if row is None:
            return None
        return ClaimDelivery(
            state=row.state,
            attempts=row.attempts,
            last_error=row.last_error,
            next_attempt_at=row.next_attempt_at if row.state == "pending" else None,
            sent_at=row.sent_at,
        )

    @strawberry.field(
        description="Every status recorded for the claim, oldest first.", extensions=patient_scope()
    )
    async def status_history(self, info: Info) -> list[ClaimStatusEntryInfo]:
        async with info.context.services.database.session() as session:
            rows = await session.scalars(
                select(ClaimStatusEntry)
                .where(
                    ClaimStatusEntry.claim_id == self.row.id,
                    ClaimStatusEntry.practice_id == self.row.practice_id,
                )
                .order_by(ClaimStatusEntry.recorded_at, ClaimStatusEntry.id)
            )
            return [ClaimStatusEntryInfo.of(r) for r in rows]

    @strawberry.field(
        description="Remittances (835 / EOB, uploaded or entered) posted to this claim in the "
        "practice's ledger, oldest first, each narrowed to this claim's part.",
        extensions=needs(PAYMENTS_READ),
    )
    async def payments(self, info: Info) -> list[Payment] | None:
        async with info.context.services.database.session() as session:
            found = await payments_for_claim(session, self.row.practice_id, self.row.id)
        return found  # type: ignore[return-value]

    @strawberry.field(
        description="What the posted payments made of the claim: PAID, PARTIALLY_PAID, DENIED or "
        "REVERSED; null until a payment is posted."
    )
    def financial_state(self) -> FinancialStateEnum | None:
        state = self.row.financial_state
        return FinancialStateEnum(state) if state else None


@strawberry.type(description="A claim's new status, pushed as it is recorded.")
class ClaimStatusChange:
    claim_id: strawberry.ID
    patient_id: strawberry.ID
    payer_id: str
    control_number: str
    payer_claim_id: str | None
    state: ClaimStateEnum
    category: CodeType | None
    status: CodeType | None
    effective_date: date | None
    source: str
    message: str | None
    recorded_at: datetime

    @classmethod
    def of(cls, change: StatusChange) -> ClaimStatusChange:
        return cls(
            claim_id=strawberry.ID(change.claim_id),
            patient_id=strawberry.ID(change.patient_id),
            payer_id=change.payer_id,
            control_number=change.control_number,
            payer_claim_id=change.payer_claim_id,
            state=ClaimState(change.state),  # type: ignore[arg-type]
            category=_code(
                "claim-status-category", change.category_code, change.category_description
            ),
            status=_code("claim-status", change.status_code, change.status_description),
            effective_date=date.fromisoformat(change.effective_date)
            if change.effective_date
            else None,
            source=change.source,
            message=change.message,
            recorded_at=datetime.fromisoformat(change.recorded_at),
        )
