"""Coverage found by demographics (discoverCoverage) and other coverage payers report (COB hints)."""

from __future__ import annotations

from datetime import date

import strawberry

from gateway.discovery.matching import Confidence, MatchedField
from gateway.discovery.search import GradedCoverage, Outcome, PayerSearch
from gateway.graphql.permissions import phi
from gateway.graphql.types.benefits import Plan
from gateway.graphql.types.common import FieldError, SubscriberRelationEnum
from gateway.graphql.types.patient import Patient
from gateway.graphql.types.payer import Payer

DiscoveryConfidence = strawberry.enum(
    Confidence,
    name="DiscoveryConfidence",
    description="HIGH: name, birth date and ZIP code match. MEDIUM: last name and birth date match "
    "with the same first name unconfirmed by ZIP, or a variant of it (check the card). LOW: less.",
)
MatchedOn = strawberry.enum(
    MatchedField, name="DiscoveryMatchedField", description="A field the payer's record matched."
)
DiscoveryOutcome = strawberry.enum(
    Outcome,
    name="DiscoveryOutcome",
    description="FOUND: coverage found. NOT_FOUND: the payer has no matching member (or could not "
    "tell which). NOT_ANSWERING: down, timed out or unreadable; try later. CANNOT_SEARCH: the "
    "payer offers no search by demographics.",
)


@strawberry.input(description="Who to look for: a person's demographics, no member id.")
class DiscoveryDemographicsInput:
    first_name: str
    last_name: str
    birth_date: date
    gender: str | None = strawberry.field(default=None, description="F, M or U.")
    postal_code: str | None = strawberry.field(default=None, description="5 or 9 digit ZIP code.")


@strawberry.type(description="Who the payer matched, as its records state them.")
class FoundPerson:
    first_name: str = strawberry.field(extensions=phi())
    last_name: str = strawberry.field(extensions=phi())
    birth_date: date = strawberry.field(extensions=phi())
    gender: str | None
    postal_code: str | None = strawberry.field(extensions=phi())


@strawberry.type(description="A coverage a payer found, with how well it matches who was asked.")
class FoundCoverage:
    payer: Payer
    member_id: str = strawberry.field(extensions=phi())
    plan: Plan | None
    relation: SubscriberRelationEnum  # type: ignore[valid-type]
    confidence: DiscoveryConfidence  # type: ignore[valid-type]
    matched_on: list[MatchedOn]  # type: ignore[valid-type]
    person: FoundPerson | None = strawberry.field(extensions=phi())
    on_file: bool = strawberry.field(
        description="The patient already holds this card (same payer and member id)."
    )

    @classmethod
    def of(cls, payer: Payer, graded: GradedCoverage, on_file: bool) -> FoundCoverage:
        found, who = graded.coverage, graded.coverage.person
        return cls(
            payer=payer,
            member_id=found.member_id,
            plan=found.plan,  # type: ignore[arg-type]  # the model's Plan has the same fields
            relation=found.relation,
            confidence=graded.match.confidence,
            matched_on=list(graded.match.matched_on),
            person=None
            if who is None
            else FoundPerson(
                first_name=who.first_name,
                last_name=who.last_name,
                birth_date=who.birth_date,
                gender=who.gender,
                postal_code=who.postal_code,
            ),
            on_file=on_file,
        )


@strawberry.type(description="One payer's part of a coverage discovery.")
class PayerDiscovery:
    payer: Payer
    outcome: DiscoveryOutcome  # type: ignore[valid-type]
    coverages: list[FoundCoverage]
    error_code: str | None = strawberry.field(
        description="Why the payer found nothing or did not answer (PAYER_TIMEOUT, ...)."
    )
    message: str | None = strawberry.field(description="The same in the gateway's words.")

    @classmethod
    def of(cls, search: PayerSearch, on_file: set[tuple[str, str]]) -> PayerDiscovery:
        payer = Payer.of(search.payer)
        failure = search.failure
        return cls(
            payer=payer,
            outcome=search.outcome,
            coverages=[
                FoundCoverage.of(
                    payer, g, (search.payer.id, g.coverage.member_id.strip().upper()) in on_file
                )
                for g in search.found
            ],
            error_code=failure.code if failure else None,
            message=failure.message if failure else None,
        )


@strawberry.type(description="What every payer said about the person.")
class CoverageDiscovery:
    patient: Patient | None
    payers: list[PayerDiscovery]
    errors: list[FieldError]
