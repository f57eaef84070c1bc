"""A practice's patient, and the headline fields that fan out to every payer covering them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from gateway.cache.recording import refuse_response_cache
from gateway.discovery.hints import hints_of, record_hints
from gateway.errors import InvalidInput
from gateway.graphql.permissions import needs, phi
from gateway.graphql.scalars import Money
from gateway.graphql.types.benefits import EligibilityResult
from gateway.graphql.types.claims import PayerClaims
from gateway.graphql.types.common import ClaimStatusFilterEnum
from gateway.graphql.types.coverage import Coverage
from gateway.graphql.types.coverage_hint import OtherCoverageHint
from gateway.graphql.types.payments import PayerPayments
from gateway.identity import CLAIMS_READ, ELIGIBILITY_READ, PAYMENTS_READ
from gateway.ledger.money import patient_balance
from gateway.storage import tables
from payers import codesets
from payers.contract import Capability
from payers.model import ClaimStatusFilter

DEFAULT_SERVICE_TYPES = (
    "30",
)  # 30 = Health Benefit Plan Coverage: the general eligibility question
MAX_SERVICE_TYPES = 20


@strawberry.type
class Address:
    line1: str | None
    city: str | None
    state: str | None
    postal_code: str | None


def _today() -> date:
    return datetime.now(UTC).date()


@strawberry.type(description="A patient of the caller's practice.")
class Patient:
    row: strawberry.Private[tables.Patient]
    # The cards as GraphQL objects, built on first use: coverages, eligibility, claims and payments
    # of one patient in one request all need them.
    cards: strawberry.Private[list[Coverage] | None] = None

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.row.id)

    @strawberry.field(
        description="A stable pseudonym of the patient within your practice: join history on it "
        "without seeing identity (callers without phi:read get this instead of names)."
    )
    def patient_key(self, info: Info) -> str:
        return info.context.patient_key(self.row.id)  # type: ignore[no-any-return]

    @strawberry.field(extensions=phi())
    def first_name(self) -> str | None:
        return self.row.first_name

    @strawberry.field(extensions=phi())
    def last_name(self) -> str | None:
        return self.row.last_name

    @strawberry.field(extensions=phi())
    def birth_date(self) -> date | None:
        return self.row.birth_date

    @strawberry.field
    def gender(self) -> str | None:
        return self.row.gender

    @strawberry.field(extensions=phi())
    def phone(self) -> str | None:
        return self.row.phone

    @strawberry.field(extensions=phi())
    def address(self) -> Address | None:
        row = self.row
        return Address(
            line1=row.address_line1, city=row.city, state=row.state, postal_code=row.postal_code
        )

    @strawberry.field(
        description="When the gateway last recorded activity for the patient: registered, "
        "details or a card changed, a claim submitted or its status changed."
    )
    def last_activity_at(self) -> datetime:
        return self.row.last_activity_at

    @strawberry.field(description="Insurance cards, primary first.")
    async def coverages(self, info: Info) -> list[Coverage]:
        if self.cards is None:
            rows = await info.context.coverages.load(self.row.id)
            if self.cards is None:  # another field of this patient may have built them meanwhile
                payers = info.context.services.payers
                self.cards = [Coverage.of(row, self.row, payers) for row in rows]
        return self.cards

    @strawberry.field(
        description="Eligibility and benefits at every payer covering the patient on a date, "
        "asked of all payers at once. A payer that fails gives null here and an error naming it.",
        extensions=needs(ELIGIBILITY_READ),
    )
    async def eligibility(
        self,
        info: Info,
        service_types: list[str] | None = None,
        as_of: date | None = None,
        fresh: bool | None = False,
    ) -> list[EligibilityResult | None] | None:
        types = _checked_service_types(service_types)
        day = as_of or _today()
        cards = await self.coverages(info)
        ended = [c for c in cards if c.row.effective_to is not None and c.row.effective_to < day]
        asked = _fan_out(
            info,
            [c for c in cards if c not in ended],
            Capability.ELIGIBILITY,
            EligibilityResult,
            lambda c: (c.member_query(), types, day),
            fresh,
        )
        # A card the practice ended is answered from its record (inactive, with its end date),
        # not left out: an ended card must never look like "no answer".
        return [*asked, *(EligibilityResult.ended_in_record(c, day) for c in ended)]

    @strawberry.field(
        description="Other insurance payers reported for the patient in eligibility answers "
        "(coordination of benefits), most recently seen first.",
        extensions=phi(),
    )
    async def other_coverage_hints(self, info: Info) -> list[OtherCoverageHint] | None:
        refuse_response_cache()  # hints are written by eligibility checks: live state
        rows = await hints_of(info.context.services.database, self.row.practice_id, self.row.id)
        return [OtherCoverageHint.of(r, info.context.services.payers) for r in rows]

    @strawberry.field(
        description="Claims at every payer that offers claim search, grouped by payer.",
        extensions=needs(CLAIMS_READ),
    )
    async def claims(
        self,
        info: Info,
        status: ClaimStatusFilterEnum = ClaimStatusFilter.OPEN,
        since: date | None = None,
        fresh: bool | None = False,
    ) -> list[PayerClaims | None] | None:
        coverages = await self.coverages(info)
        wanted = ClaimStatusFilter(status)  # strawberry may hand over the enum's value
        return _fan_out(
            info,
            coverages,
            Capability.CLAIM_SEARCH,
            PayerClaims,
            lambda c: (c.member_query(), since, wanted),
            fresh,
        )

    @strawberry.field(
        description="What the patient owes across their claims: the payers' patient "
        "responsibility less what secondary payers paid of it (from the posted payments).",
        extensions=needs(PAYMENTS_READ),
    )
    async def balance(self, info: Info) -> Money | None:
        refuse_response_cache()  # the ledger is live state
        async with info.context.services.database.session() as session:
            owed = await patient_balance(session, self.row.practice_id, self.row.id)
        return owed  # type: ignore[return-value]

    @strawberry.field(
        description="Payments (remittances) at every payer, grouped by payer.",
        extensions=needs(PAYMENTS_READ),
    )
    async def payments(
        self, info: Info, since: date | None = None, fresh: bool | None = False
    ) -> list[PayerPayments | None] | None:
        coverages = await self.coverages(info)
        return _fan_out(
            info,
            coverages,
            Capability.PAYMENTS,
            PayerPayments,
            lambda c: (c.member_query(), since),
            fresh,
        )


def _checked_service_types(service_types: list[str] | None) -> tuple[str, ...]:
    if not service_types:
        return DEFAULT_SERVICE_TYPES
    if len(service_types) > MAX_SERVICE_TYPES:
        raise InvalidInput(f"At most {MAX_SERVICE_TYPES} service types per request.")
    cleaned = tuple(dict.fromkeys(code.strip().upper() for code in service_types))
    unknown = [code for code in cleaned if not codesets.is_known("service-type", code)]
    if unknown:
        raise InvalidInput(
            f"Unknown service type code(s): {', '.join(unknown)}. "
            "Use X12 service type codes such as 30 (plan coverage) or 98 (office visit).",
            field="serviceTypes",
        )
    return cleaned


def _fan_out(
    info: Info,
    coverages: list[Coverage],
    capability: Capability,
    answer_type: type,
    arguments: Callable[[Coverage], tuple[object, ...]],
    fresh: bool | None = False,
) -> Any:
    """One awaitable per coverage; graphql-core awaits them together and nulls only the failed ones.

    Typed ``Any`` because the fields declare the awaited item types, which is what clients see.

    ``fresh`` skips the gateway's cache and asks the payers again (the answer is cached anew).
    """
    payers = info.context.services.payers
    practice_id = info.context.practice_id

    async def ask(coverage: Coverage) -> object:
        answer = await payers.call(
            practice_id, coverage.row.payer_id, capability, *arguments(coverage), fresh=bool(fresh)
        )
        if capability is Capability.ELIGIBILITY and answer.value.other_coverage:
            await record_hints(
                info.context.services.database,
                practice_id,
                coverage.row.patient_id,
                coverage.row.payer_id,
                answer.value.other_coverage,
            )
        return answer_type.of(coverage, answer)  # type: ignore[attr-defined]

    chosen = [
        c
        for c in coverages
        if (p := payers.get(c.row.payer_id)) is None or capability in p.capabilities
    ]
    return [ask(coverage) for coverage in chosen]
