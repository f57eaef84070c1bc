"""Eligibility history in the schema: one node per final batch eligibility check.

Rows come from gateway/history/eligibility.py. The patient is its pseudonym (``patientKey``); the
card's member id is PHI (phi:read, each read audited), as on claim history rows.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import strawberry
from strawberry.types import Info

from gateway.errors import code_words
from gateway.graphql.permissions import phi
from gateway.graphql.scalars import Money
from gateway.graphql.types.benefits import Plan
from gateway.graphql.types.payer import Payer
from gateway.history.eligibility import EligibilityHistoryRow, in_network_individual_remaining
from gateway.identity import ELIGIBILITY_READ
from payers.model import BenefitKind


@strawberry.enum(description="What an eligibility check came to.")
class EligibilityOutcome(StrEnum):
    ACTIVE = "ACTIVE"  # the payer answered: coverage in force on the day
    INACTIVE = "INACTIVE"  # the payer answered: not in force
    FAILED = "FAILED"  # no answer in the end (see errorCode)


@strawberry.enum(description="Where an eligibility history row came from.")
class EligibilityHistorySource(StrEnum):
    BATCH = "BATCH"  # a batch eligibility job (checkEligibilityBatch, or a schedule's)


@strawberry.type(
    name="EligibilityHistoryEntry",
    description="One eligibility check the gateway made for the practice in a batch, with its "
    "final outcome: the payer's answer, or why there was none.",
)
class EligibilityHistoryEntry:
    row: strawberry.Private[EligibilityHistoryRow]
    audit_patient_id: strawberry.Private[str]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.row.id)

    @strawberry.field
    def source(self) -> EligibilityHistorySource:
        return EligibilityHistorySource.BATCH

    @strawberry.field(description="The batch (batch(id)) that made the check.")
    def batch_id(self) -> strawberry.ID:
        return strawberry.ID(self.row.batch_id)

    @strawberry.field(description="When the check ended: the payer's answer, or the last failure.")
    def checked_at(self) -> datetime:
        return self.row.finished_at

    @strawberry.field(description="When the gateway recorded the check (its batch was started).")
    def recorded_at(self) -> datetime:
        return self.row.recorded_at

    @strawberry.field(description="The day coverage was checked for.")
    def as_of(self) -> date:
        return self.row.as_of

    @strawberry.field
    def payer_id(self) -> str:
        return self.row.payer_id

    @strawberry.field
    def payer(self, info: Info) -> Payer | None:
        configured = info.context.services.payers.get(self.row.payer_id)
        return Payer.of(configured) if configured else None

    @strawberry.field(description="The patient's stable pseudonym (as Patient.patientKey).")
    def patient_key(self, info: Info) -> str:
        return info.context.patient_key(self.row.patient_id)  # type: ignore[no-any-return]

    @strawberry.field(description="The checked card's member id.", extensions=phi(ELIGIBILITY_READ))
    def member_id(self) -> str | None:
        return self.row.member_id

    @strawberry.field
    def outcome(self) -> EligibilityOutcome:
        return EligibilityOutcome(self.row.outcome)

    @strawberry.field(
        description="Whether the payer said the coverage is in force; null if failed."
    )
    def active(self) -> bool | None:
        return self.row.result.active if self.row.result is not None else None

    @strawberry.field(description="The plan as the payer stated it; null if failed or not stated.")
    def plan(self) -> Plan | None:
        result = self.row.result
        return result.plan if result is not None else None  # type: ignore[return-value]

    @strawberry.field(
        description="In-network individual deductible left, as the payer stated it (plan-wide "
        "line first); null when not stated."
    )
    def deductible_remaining(self) -> Money | None:
        result = self.row.result
        if result is None:
            return None
        return in_network_individual_remaining(result, BenefitKind.DEDUCTIBLE)  # type: ignore[return-value]

    @strawberry.field(
        description="In-network individual out-of-pocket maximum left, as the payer stated it; "
        "null when not stated."
    )
    def out_of_pocket_remaining(self) -> Money | None:
        result = self.row.result
        if result is None:
            return None
        return in_network_individual_remaining(result, BenefitKind.OUT_OF_POCKET)  # type: ignore[return-value]

    @strawberry.field(
        description="Why a failed check has no answer: MEMBER_NOT_FOUND, PAYER_REJECTED, "
        "PAYER_UNAVAILABLE, PAYER_TIMEOUT, PAYER_PROTOCOL_ERROR."
    )
    def error_code(self) -> str | None:
        return self.row.error_code

    @strawberry.field(description="That code in words (never the payer's own text).")
    def error_description(self) -> str | None:
        code = self.row.error_code
        return (code_words(code) or "the payer call failed") if code else None

    @strawberry.field(description="How often the payer was asked.")
    def attempts(self) -> int:
        return self.row.attempts

    @classmethod
    def of(cls, row: EligibilityHistoryRow) -> EligibilityHistoryEntry:
        return cls(row=row, audit_patient_id=row.patient_id)
