"""A patient cost estimate and fee schedule entries, as the schema shows them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import strawberry

from gateway.estimates.service import PatientEstimate
from gateway.estimates.terms import AllowedSource
from gateway.graphql.scalars import Money
from gateway.graphql.types.common import CodeType, FieldError, NetworkEnum
from gateway.graphql.types.payer import Payer
from gateway.payers import PayerDirectory
from gateway.storage.fee_schedule_tables import ANY_PAYER, FeeScheduleEntry
from payers.model import Code

AllowedSourceEnum = strawberry.enum(
    AllowedSource,
    name="AllowedSource",
    description="Where an allowed amount came from: the payer's past remittances (best), the "
    "practice's fee schedule, or only the charge (nothing known: the estimate is a ceiling).",
)


def _code(code: Code) -> CodeType:
    return CodeType(system=code.system, code=code.code, description=code.description)


@strawberry.type(description="What one payer is expected to pay on one line.")
class EstimatedPayerShare:
    payer_id: str
    allowed: Money = strawberry.field(description="The allowed amount used, for all units.")
    allowed_source: AllowedSourceEnum  # type: ignore[valid-type]
    allowed_count: int = strawberry.field(
        description="How many past remittance lines it was learned from (learned amounts only)."
    )
    pays: Money


@strawberry.type(description="One planned procedure and who pays what of it.")
class EstimatedLine:
    procedure: CodeType
    units: Decimal
    charge: Money
    service_type: CodeType = strawberry.field(
        description="The X12 service type its benefits are looked up under."
    )
    payers: list[EstimatedPayerShare]
    patient_owes: Money
    steps: list[str] = strawberry.field(description="Each step in plain words, in order.")


@strawberry.type(description="One payer's expected share of the whole visit.")
class EstimatedPayerTotal:
    payer: Payer
    priority: int = strawberry.field(description="1 primary, 2 secondary.")
    network: NetworkEnum  # type: ignore[valid-type]
    pays: Money


@strawberry.type(description="What a planned visit will cost the patient and each payer.")
class CostEstimate:
    date_of_service: date
    provider_npi: str
    issued_at: datetime
    lines: list[EstimatedLine]
    payers: list[EstimatedPayerTotal]
    total_charge: Money
    patient_owes: Money
    flagged: bool = strawberry.field(
        description="True when some allowed amount is only the charge: a ceiling, not a guess."
    )
    unknowns: list[str] = strawberry.field(
        description="What the estimate could not know (a benefit a payer did not return, a payer "
        "that did not answer) and what it assumed instead."
    )
    network_basis: str = strawberry.field(
        description="How in or out of network was decided for each payer."
    )

    @classmethod
    def of(
        cls,
        found: PatientEstimate,
        payers: PayerDirectory,
        day: date,
        npi: str,
        issued_at: datetime,
        out_of_network: frozenset[str],
    ) -> CostEstimate:
        result = found.estimate
        totals = []
        for card, total in zip(found.coverages, result.payers, strict=True):
            configured = payers.get(card.payer_id)
            totals.append(
                EstimatedPayerTotal(
                    payer=Payer.of(configured) if configured else Payer.unknown(card.payer_id),
                    priority=card.priority,
                    network=total.network,
                    pays=Money(total.pays),
                )
            )
        named = ", ".join(sorted(out_of_network)) or "none"
        return cls(
            date_of_service=day,
            provider_npi=npi,
            issued_at=issued_at,
            lines=[
                EstimatedLine(
                    procedure=_code(line.line.procedure),
                    units=line.line.units,
                    charge=Money(line.line.charge),
                    service_type=_code(line.line.service_type),
                    payers=[
                        EstimatedPayerShare(
                            payer_id=share.payer_id,
                            allowed=Money(share.allowed.amount),
                            allowed_source=share.allowed.source,
                            allowed_count=share.allowed.count,
                            pays=Money(share.pays),
                        )
                        for share in line.payers
                    ],
                    patient_owes=Money(line.patient_owes),
                    steps=list(line.steps),
                )
                for line in result.lines
            ],
            payers=totals,
            total_charge=Money(result.total_charge),
            patient_owes=Money(result.patient_owes),
            flagged=result.flagged,
            unknowns=list(found.unknowns),
            network_basis=(
                "The provider's participation is not stored: payers named as out of network in "
                f"the request ({named}) use their out-of-network benefits, every other payer its "
                "in-network benefits, as each payer stated them (EB12)."
            ),
        )


@strawberry.type
class EstimatePayload:
    estimate: CostEstimate | None
    errors: list[FieldError]


@strawberry.input(description="A planned procedure: the charge is the line's total, all units.")
class EstimateProcedureInput:
    code: str
    units: Decimal = Decimal("1")
    charge: Money
    modifiers: list[str] | None = None


@strawberry.type(
    description="What a payer (or any payer) allows for a code, per unit, from a date."
)
class FeeScheduleEntryType:
    id: strawberry.ID
    payer_id: str | None = strawberry.field(description="Null: the entry applies at any payer.")
    procedure: CodeType
    modifier: str | None
    allowed_amount: Money
    effective_from: date
    effective_to: date | None
    updated_at: datetime

    @classmethod
    def of(cls, row: FeeScheduleEntry) -> FeeScheduleEntryType:
        from payers.codesets import lookup

        return cls(
            id=strawberry.ID(row.id),
            payer_id=None if row.payer_id == ANY_PAYER else row.payer_id,
            procedure=_code(lookup("procedure", row.procedure_code)),
            modifier=row.modifier or None,
            allowed_amount=Money(row.allowed_amount),
            effective_from=row.effective_from,
            effective_to=row.effective_to,
            updated_at=row.updated_at,
        )


@strawberry.input
class FeeScheduleEntryInput:
    payer_id: str | None = strawberry.field(default=None, description="Null: any payer.")
    code: str
    modifier: str | None = None
    allowed_amount: Money = strawberry.field(description="Per unit.")
    effective_from: date
    effective_to: date | None = None


@strawberry.type
class SetFeeScheduleEntriesPayload:
    entries: list[FeeScheduleEntryType]
    errors: list[FieldError]
