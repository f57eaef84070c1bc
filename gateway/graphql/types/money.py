"""What the practice sees of its money: receivables, denials and the denials worklist.

Read from the ledger (gateway/ledger/), never from a payer; the database is live state, so answers
with these fields are never replayed from the response cache.
"""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types import Info

from gateway.graphql.permissions import needs
from gateway.graphql.scalars import Money
from gateway.graphql.types.claims_submitted import SubmittedClaimInfo
from gateway.graphql.types.common import CodeType
from gateway.graphql.types.patient import Patient
from gateway.graphql.types.payer import Payer
from gateway.graphql.types.payments import Adjustment
from gateway.identity import PATIENTS_READ
from gateway.ledger import next_step, receivables, worklist
from gateway.ledger.denials import DenialTotal
from gateway.storage import tables
from payers.codesets import lookup

NextStepEnum = strawberry.enum(
    next_step.NextStep,
    name="NextStep",
    description="What to do about a denial, suggested from its codes.",
)


def _payer(info: Info, payer_id: str | None) -> Payer | None:
    if payer_id is None:
        return None
    configured = info.context.services.payers.get(payer_id)
    return Payer.of(configured) if configured else Payer.unknown(payer_id)


@strawberry.type(description="An amount in one age bucket (days since the claim was submitted).")
class AgeBucketAmount:
    bucket: str = strawberry.field(description="0-30, 31-60, 61-90 or 90+.")
    amount: Money


def _buckets(values: dict) -> list[AgeBucketAmount]:  # type: ignore[type-arg]
    return [AgeBucketAmount(bucket=k, amount=v) for k, v in values.items()]


@strawberry.type(description="What one payer (or, with no payer, the patients) owes the practice.")
class ReceivableRow:
    payer_id: str | None
    total: Money
    claims: int = strawberry.field(description="Claims with an open amount here.")
    buckets: list[AgeBucketAmount]
    payer_: strawberry.Private[Payer | None]

    @strawberry.field
    def payer(self) -> Payer | None:
        return self.payer_

    @classmethod
    def of(cls, info: Info, row: receivables.ReceivableRow) -> ReceivableRow:
        return cls(
            payer_id=row.payer_id,
            total=row.total,  # type: ignore[arg-type]
            claims=len(row.claims),
            buckets=_buckets(row.buckets),
            payer_=_payer(info, row.payer_id),
        )


@strawberry.type(description="Open balances on the practice's claims, by payer and by age.")
class Receivables:
    as_of: date
    total: Money
    buckets: list[AgeBucketAmount]
    by_payer: list[ReceivableRow]
    patients: ReceivableRow = strawberry.field(
        description="The patients' part: settled by the payers, not paid by a secondary."
    )

    @classmethod
    def of(cls, info: Info, found: receivables.Receivables) -> Receivables:
        return cls(
            as_of=found.as_of,
            total=found.total,  # type: ignore[arg-type]
            buckets=_buckets(found.buckets),
            by_payer=[ReceivableRow.of(info, r) for r in found.by_payer],
            patients=ReceivableRow.of(info, found.patients),
        )


@strawberry.type(description="Denials of one payer in the period.")
class PayerDenials:
    payer_id: str
    payer: Payer | None
    count: int = strawberry.field(description="Claims denied in whole or in part.")
    amount: Money


@strawberry.type(description="Denials for one reason (CARC) in the period.")
class ReasonDenials:
    reason: CodeType
    count: int
    amount: Money


@strawberry.type(description="Denials in a period, by payer and by reason.")
class DenialsReport:
    start: date = strawberry.field(name="from")
    end: date = strawberry.field(name="to")
    count: int
    amount: Money
    by_payer: list[PayerDenials]
    by_reason: list[ReasonDenials]

    @staticmethod
    def payer_row(info: Info, total: DenialTotal) -> PayerDenials:
        return PayerDenials(
            payer_id=total.key,
            payer=_payer(info, total.key),
            count=total.count,
            amount=total.amount,  # type: ignore[arg-type]
        )

    @staticmethod
    def reason_row(total: DenialTotal) -> ReasonDenials:
        code = lookup("carc", total.key)
        return ReasonDenials(
            reason=CodeType(system=code.system, code=code.code, description=code.description),
            count=total.count,
            amount=total.amount,  # type: ignore[arg-type]
        )


@strawberry.type(description="One denied amount of a claim, in words, with its next step.")
class DenialReason:
    adjustment: Adjustment
    next_step: NextStepEnum | None = strawberry.field(  # type: ignore[valid-type]
        description="Null when nothing is to be sent (a duplicate, another payer to find first)."
    )
    advice: str = strawberry.field(description="The next step in words.")


@strawberry.type(description="A claim denied in whole or in part, and what to do about it.")
class DenialWorkItem:
    item: strawberry.Private[worklist.WorkItem]
    patient_row: strawberry.Private[tables.Patient | None]  # read with the page, in one query

    @strawberry.field
    def claim(self) -> SubmittedClaimInfo:
        return SubmittedClaimInfo(row=self.item.claim)

    @strawberry.field(extensions=needs(PATIENTS_READ))
    def patient(self) -> Patient | None:
        return Patient(row=self.patient_row) if self.patient_row else None

    @strawberry.field
    def payer(self, info: Info) -> Payer | None:
        return _payer(info, self.item.claim.payer_id)

    @strawberry.field(description="The date of the payment that denied it.")
    def denied_on(self) -> date | None:
        return self.item.denied_on

    @strawberry.field
    def denied_amount(self) -> Money:
        return self.item.denied_amount  # type: ignore[no-any-return]

    @strawberry.field(description="Each denied amount with its reason and remarks in words.")
    def reasons(self) -> list[DenialReason]:
        return [
            DenialReason(
                adjustment=r.adjustment,  # type: ignore[arg-type]
                next_step=r.advice.step,
                advice=r.advice.words,
            )
            for r in self.item.reasons
        ]

    @strawberry.field(description="The payer's remarks on the whole claim (RARC).")
    def remarks(self) -> list[CodeType]:
        return [
            CodeType(system=r.system, code=r.code, description=r.description)
            for r in self.item.remarks
        ]

    @strawberry.field(description="The most pressing step among the reasons; null: none to take.")
    def next_step(self) -> NextStepEnum | None:  # type: ignore[valid-type]
        advice = self.item.advice
        return advice.step if advice else None

    @strawberry.field
    def advice(self) -> str | None:
        return self.item.advice.words if self.item.advice else None


@strawberry.type
class DenialWorkEdge:
    cursor: str
    node: DenialWorkItem


@strawberry.type
class DenialWorkPageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class DenialWorkConnection:
    edges: list[DenialWorkEdge]
    page_info: DenialWorkPageInfo
