"""Eligibility and benefits. Benefit and Plan read the model's dataclasses as they are."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Self

import strawberry

from gateway.graphql.permissions import phi
from gateway.graphql.scalars import Money, Percent
from gateway.graphql.types.answers import PayerAnswerInfo
from gateway.graphql.types.common import (
    BenefitKindEnum,
    CodeType,
    CoverageLevelEnum,
    FindingType,
    NetworkEnum,
)
from gateway.graphql.types.coverage import Coverage
from gateway.graphql.types.exchange import DESCRIPTION as RAW_EXCHANGE
from gateway.graphql.types.exchange import RawExchange
from gateway.identity import CLAIMS_READ
from gateway.payers import PayerAnswer
from payers import model
from payers.codesets import lookup


class EligibilitySource(enum.StrEnum):
    PAYER = "payer"
    PRACTICE_RECORD = "practice_record"


EligibilitySourceEnum = strawberry.enum(EligibilitySource, name="EligibilitySource")


def lookup_inactive() -> model.Benefit:
    """The EB*6 (inactive) line an ended card's answer states, as a payer's would."""
    return model.Benefit(kind=model.BenefitKind.INACTIVE, code=lookup("benefit-kind", "6"))


PAYER_WORDS = "The payer's own messages (free text that may name the member): phi:read only."


@strawberry.type(
    description="One classification of a coverage (FHIR Coverage.class): group, plan, rxbin, rxpcn..."
)
class CoverageClass:
    type: CodeType
    value: str = strawberry.field(description="The value printed on the card.")
    name: str | None


@strawberry.type(description="A case in which a benefit's cost does not apply (retired...).")
class BenefitException:
    type: CodeType
    start: date | None
    end: date | None


@strawberry.type(description="The plan the member is enrolled in.")
class Plan:
    name: str | None
    group_number: str | None
    group_name: str | None
    plan_number: str | None
    start: date | None
    end: date | None
    coverage_type: CodeType | None = strawberry.field(
        default=None, description="The kind of coverage (FHIR Coverage.type: HIP, EHCPOL, pay...)."
    )
    network: str | None = strawberry.field(default=None, description="The payer's network name.")
    dependent: str | None = strawberry.field(
        default=None,
        description="The member's dependent number on the subscriber's policy.",
        extensions=phi(),
    )
    classes: list[CoverageClass] = strawberry.field(
        default_factory=list, description="Every class the payer states, as stated."
    )


@strawberry.type(description="A date or range a benefit states (X12 DTP in the benefit's loop).")
class BenefitDate:
    qualifier: CodeType = strawberry.field(
        description="What the date is (date-qualifier: 348 benefit begin, 292 benefit...)."
    )
    start: date
    end: date = strawberry.field(description="Equal to start for a single date.")


@strawberry.type(description="An identifier the payer states (X12 REF: qualifier and value).")
class Reference:
    qualifier: CodeType
    value: str
    description: str | None


@strawberry.type(description="One way to reach a contact (X12 PER: TE phone, EM e-mail, UR web).")
class ContactNumber:
    qualifier: CodeType
    value: str


@strawberry.type(description="A contact the payer names (X12 PER).")
class Contact:
    name: str | None
    numbers: list[ContactNumber]


@strawberry.type(
    description="A party a benefit names (X12 2120C/2120D): other payer, primary care provider, "
    "employer... Names, ids and contacts may be a person's: phi:read only."
)
class RelatedEntity:
    entity: CodeType | None = strawberry.field(
        description="Who it is (entity-identifier, X12 NM101); null when the payer gave none."
    )
    name: str | None = strawberry.field(extensions=phi())
    first_name: str | None = strawberry.field(extensions=phi())
    identifier: str | None = strawberry.field(extensions=phi())
    identifier_qualifier: CodeType | None = strawberry.field(
        description="What the identifier is (id-code-qualifier, X12 NM108: PI payer, XX NPI...)."
    )
    contacts: list[Contact] | None = strawberry.field(extensions=phi())


@strawberry.type(
    name="Dependent",
    description="The patient when it is a dependent of the subscriber (X12 2100D), as the payer "
    "states it. Name, birth date, gender and id are PHI.",
)
class DependentPerson:
    first_name: str | None = strawberry.field(extensions=phi())
    last_name: str | None = strawberry.field(extensions=phi())
    birth_date: date | None = strawberry.field(extensions=phi())
    gender: str | None = strawberry.field(extensions=phi())
    relationship: CodeType | None = strawberry.field(
        description="Relationship to the subscriber (individual-relationship, X12 INS02)."
    )
    member_id: str | None = strawberry.field(extensions=phi())


@strawberry.type(
    description="One benefit statement, e.g. in-network individual calendar-year deductible $1500, $820 left."
)
class Benefit:
    kind: BenefitKindEnum
    code: CodeType = strawberry.field(description="The payer's own benefit code (X12 EB01).")
    service_types: list[CodeType]
    network: NetworkEnum
    coverage_level: CoverageLevelEnum | None
    time_period: CodeType | None
    amount: Money | None
    percent: Percent | None = strawberry.field(description="Coinsurance as a fraction: 0.2 is 20%.")
    remaining: Money | None
    used: Money | None
    quantity: Decimal | None
    quantity_unit: str | None
    authorization_required: bool | None
    plan_description: str | None
    messages: list[str] | None = strawberry.field(description=PAYER_WORDS, extensions=phi())
    insurance_type: CodeType | None = strawberry.field(
        description="The insurance type the benefit is under (insurance-type, X12 EB04)."
    )
    procedure: CodeType | None = strawberry.field(
        description="The procedure the benefit is about (X12 EB13), in the code system its "
        "qualifier names: procedure (CPT/HCPCS), cdt, ndc, icd9-procedure, hiec, mutually-defined."
    )
    quantity_qualifier: CodeType | None = strawberry.field(
        description="What quantity counts (quantity-qualifier, X12 EB09: VS visits, DY days...)."
    )
    in_plan_network: bool | None = strawberry.field(
        description="X12 EB12: true in the plan's network, false out of it, null both/unknown."
    )
    dates: list[BenefitDate] = strawberry.field(description="Dates the benefit states.")
    references: list[Reference] | None = strawberry.field(
        description="Identifiers the benefit states (X12 REF in its loop; may be the member's "
        "policy number elsewhere): phi:read only.",
        extensions=phi(),
    )
    related_entities: list[RelatedEntity] = strawberry.field(
        description="Parties the benefit names (X12 2120 loops)."
    )
    findings: list[FindingType] = strawberry.field(
        description="What the payer or the gateway noted about this benefit (an AAA in its loop)."
    )
    exceptions: list[BenefitException] = strawberry.field(
        default_factory=list,
        description="When this cost does not apply (FHIR costToBeneficiary.exception).",
    )


@strawberry.type(description="A payer's answer: is the member covered on that date, and for what.")
class EligibilityResult(PayerAnswerInfo):
    member_id: str | None = strawberry.field(extensions=phi())
    active: bool
    as_of: date
    plan: Plan | None
    messages: list[str] | None = strawberry.field(description=PAYER_WORDS, extensions=phi())
    ended_on: date | None = strawberry.field(
        default=None,
        description="When the coverage ended, on an inactive answer (null: not stated).",
    )
    findings: list[FindingType] = strawberry.field(
        default_factory=list,
        description="What the gateway noticed in the payer's answer and reported instead of "
        "refusing it: layout quirks, payer error segments (AAA) beside benefits.",
    )
    dependent: DependentPerson | None = strawberry.field(
        default=None,
        description="The patient when the benefits are a dependent's (null: the subscriber's).",
    )
    source: EligibilitySourceEnum = strawberry.field(  # type: ignore[valid-type]
        default=EligibilitySource.PAYER,
        description="PAYER: the payer answered. PRACTICE_RECORD: the practice ended this card, "
        "so the answer comes from its record and the payer was not asked.",
    )

    @classmethod
    def of(cls, coverage: Coverage, answer: PayerAnswer) -> Self:
        result: model.EligibilityResult = answer.value
        plan = result.plan
        return cls(
            **cls.answer_fields(coverage, answer),
            member_id=result.member_id,
            active=result.active,
            as_of=result.as_of,
            plan=plan,  # type: ignore[arg-type]  # the model's Plan has the same fields
            messages=list(result.messages),
            ended_on=plan.end if plan is not None and not result.active else None,
            findings=list(result.findings),  # type: ignore[arg-type]  # the model's Finding
            dependent=result.dependent,  # type: ignore[arg-type]  # the model's, same fields
        )

    @classmethod
    def ended_in_record(cls, coverage: Coverage, as_of: date) -> Self:
        """The answer for a card the practice ended before ``as_of``: inactive, from its record."""
        row = coverage.row
        plan = model.Plan(
            name=row.plan_name,
            group_number=row.group_number,
            start=row.effective_from,
            end=row.effective_to,
        )
        result = model.EligibilityResult(
            payer_id=row.payer_id,
            member_id=row.member_id,
            active=False,
            as_of=as_of,
            plan=plan,
            benefits=(lookup_inactive(),),
            messages=(f"The practice's record says this card ended on {row.effective_to}.",),
        )
        answer = PayerAnswer(row.payer_id, result, datetime.now(UTC))
        return cls(
            **cls.answer_fields(coverage, answer),
            member_id=row.member_id,
            active=False,
            as_of=as_of,
            plan=plan,  # type: ignore[arg-type]
            messages=list(result.messages),
            ended_on=row.effective_to,
            source=EligibilitySource.PRACTICE_RECORD,
        )

    @strawberry.field
    def benefits(
        self,
        kinds: list[BenefitKindEnum] | None = None,
        network: NetworkEnum | None = None,
    ) -> list[Benefit]:
        chosen = [
            b
            for b in self.result.benefits
            if (kinds is None or b.kind in kinds) and (network is None or b.network == network)
        ]
        return chosen  # type: ignore[return-value]

    @strawberry.field(description=RAW_EXCHANGE, extensions=phi(CLAIMS_READ))
    def raw_exchange(self) -> RawExchange | None:
        return RawExchange.of(self.result.exchange)

    @property
    def result(self) -> model.EligibilityResult:
        return self.answer.value  # type: ignore[no-any-return]
