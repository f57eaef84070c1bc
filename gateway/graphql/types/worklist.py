"""The batch worklist in the schema: items to act on, grouped by kind, ticked off by the desk."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.types import Info

from gateway.graphql.permissions import needs, phi
from gateway.graphql.scalars import Money
from gateway.graphql.types.common import CodeType
from gateway.graphql.types.patient import Patient
from gateway.graphql.types.payer import Payer
from gateway.identity import PATIENTS_READ
from gateway.jobs.worklist import WorklistKind
from gateway.jobs.worklist_store import KindCount, StoredWorklistItem
from gateway.storage import tables
from payers.model import Code

strawberry.enum(
    WorklistKind,
    description="What a batch check left to act on: INACTIVE, COVERAGE_ENDED, MEMBER_NOT_FOUND, "
    "PLAN_CHANGED, PAYER_NOT_ANSWERING, CHECK_FAILED, DEDUCTIBLE_REMAINING, AUTH_REQUIRED, "
    "SERVICE_NOT_COVERED.",
)
WorklistKindEnum = WorklistKind


def _codes(codes: tuple[Code, ...]) -> list[CodeType]:
    return [CodeType(system=c.system, code=c.code, description=c.description) for c in codes]


@strawberry.type(description="A plan field the payer states differently from the last check.")
class PlanChange:
    field: str = strawberry.field(description="plan name, group number, group name or plan id.")
    before: str
    after: str


@strawberry.type(
    name="WorklistItem",
    description="One thing to act on after a batch check: its kind, plain words and the facts "
    "behind them (PHI: phi:read), and whether someone has marked it done.",
)
class WorklistEntry:
    stored: strawberry.Private[StoredWorklistItem]
    patient_row: strawberry.Private[tables.Patient | None]

    @property
    def audited_patient_id(self) -> str:
        return self.stored.patient_id

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.stored.id)

    @strawberry.field
    def kind(self) -> WorklistKindEnum:
        return self.stored.item.kind

    @strawberry.field
    def batch_id(self) -> strawberry.ID:
        return strawberry.ID(self.stored.batch_id)

    @strawberry.field
    def patient_id(self) -> strawberry.ID:
        return strawberry.ID(self.stored.patient_id)

    @strawberry.field
    def coverage_id(self) -> strawberry.ID | None:
        return strawberry.ID(self.stored.coverage_id) if self.stored.coverage_id else None

    @strawberry.field
    def payer_id(self) -> str:
        return self.stored.payer_id

    @strawberry.field(description="The payer asked; null if it is no longer configured.")
    def payer(self, info: Info) -> Payer | None:
        configured = info.context.services.payers.get(self.stored.payer_id)
        return Payer.of(configured) if configured is not None else None

    @strawberry.field(description="The patient the item is about.", extensions=needs(PATIENTS_READ))
    def patient(self) -> Patient | None:
        return Patient(row=self.patient_row) if self.patient_row is not None else None

    @strawberry.field(description="What to do, in plain words.", extensions=phi())
    def explanation(self) -> str | None:
        return self.stored.item.explanation

    @strawberry.field(description="COVERAGE_ENDED: the day coverage ended.", extensions=phi())
    def end_date(self) -> date | None:
        return self.stored.item.end_date

    @strawberry.field(
        description="INACTIVE: the day coverage starts; PLAN_CHANGED: the new plan's start.",
        extensions=phi(),
    )
    def start_date(self) -> date | None:
        return self.stored.item.start_date

    @strawberry.field(description="DEDUCTIBLE_REMAINING: the amount left.", extensions=phi())
    def amount_left(self) -> Money | None:
        return self.stored.item.amount_left  # type: ignore[return-value]

    @strawberry.field(description="DEDUCTIBLE_REMAINING: the year's deductible.", extensions=phi())
    def deductible_amount(self) -> Money | None:
        return self.stored.item.deductible_amount  # type: ignore[return-value]

    @strawberry.field(description="PLAN_CHANGED: what changed.", extensions=phi())
    def changes(self) -> list[PlanChange] | None:
        return [
            PlanChange(field=c.field, before=c.before, after=c.after)
            for c in self.stored.item.changes
        ]

    @strawberry.field(
        description="AUTH_REQUIRED / SERVICE_NOT_COVERED: the visit's service types concerned.",
        extensions=phi(),
    )
    def service_types(self) -> list[CodeType] | None:
        return _codes(self.stored.item.service_types)

    @strawberry.field(
        description="AUTH_REQUIRED: the planned procedures needing authorization.",
        extensions=phi(),
    )
    def procedures(self) -> list[CodeType] | None:
        return _codes(self.stored.item.procedures)

    @strawberry.field(
        description="The payer's coded reasons (AAA reject reasons).", extensions=phi()
    )
    def reasons(self) -> list[CodeType] | None:
        return _codes(self.stored.item.reasons)

    @strawberry.field(description="PAYER_NOT_ANSWERING: how often the payer was asked.")
    def attempts(self) -> int | None:
        return self.stored.item.attempts

    @strawberry.field(description="The adapter's error code for a failed check.")
    def error_code(self) -> str | None:
        return self.stored.item.error_code

    @strawberry.field
    def created_at(self) -> datetime:
        return self.stored.created_at

    @strawberry.field(description="True once someone marked the item done.")
    def resolved(self) -> bool:
        return self.stored.resolved

    @strawberry.field(description="The user or API key id that marked it done.")
    def resolved_by(self) -> strawberry.ID | None:
        return strawberry.ID(self.stored.resolved_by) if self.stored.resolved_by else None

    @strawberry.field
    def resolved_at(self) -> datetime | None:
        return self.stored.resolved_at


@strawberry.type(description="How many items of one kind a batch has open and done.")
class WorklistKindCount:
    kind: WorklistKindEnum
    open: int
    done: int

    @classmethod
    def of(cls, count: KindCount) -> WorklistKindCount:
        return cls(kind=count.kind, open=count.open, done=count.done)


@strawberry.type
class WorklistPageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type(description="A page of a batch's worklist, with the batch's counts per kind.")
class WorklistConnection:
    items: list[WorklistEntry]
    page_info: WorklistPageInfo
    counts: list[WorklistKindCount]
