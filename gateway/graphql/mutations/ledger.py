"""uploadRemittance, enterRemittance, matchClaimPayment and fetchRemittances (payments:write).

Input is checked whole before anything is written (every problem as a FieldError with a code);
posting is idempotent by (payer, trace number), so a remittance uploaded or entered twice is reported
as already posted and changes nothing. Each mutation is audited (ids and counts, never amounts or
member data). Another practice's claim payment or claim is NOT_FOUND, exactly like a missing one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import strawberry
from strawberry.types import Info

from gateway.graphql.field_errors import as_field_errors, one_error
from gateway.graphql.ids import parse_id
from gateway.graphql.ledger_query import posted_claim_payment, remittance_info
from gateway.graphql.permissions import needs
from gateway.graphql.scalars import Money
from gateway.graphql.types.common import FieldError
from gateway.graphql.types.remittances import PostedClaimPayment, RemittanceInfo
from gateway.identity import PAYMENTS_WRITE
from gateway.ledger import intake
from gateway.ledger.after_posting import after_posting
from gateway.ledger.matching import ManualMatch, match_by_hand
from gateway.ledger.posting import PostedClaim, PostingResult
from gateway.ledger.views import claim_payment_views, remittance_views
from gateway.storage.ledger_tables import Remittance, RemittanceClaim
from payers.contract import Capability


@strawberry.input
class UploadRemittanceInput:
    payer_id: str = strawberry.field(description="The configured payer the 835 is from.")
    x12: str = strawberry.field(
        description=f"The 835 file's text (at most {intake.MAX_X12_CHARS} characters)."
    )


@strawberry.input(description="A CAS adjustment as printed on the EOB.")
class AdjustmentEntry:
    group: str = strawberry.field(description="CO, PR, OA, PI or CR.")
    reason: str = strawberry.field(description="The CARC, e.g. 45.")
    amount: Money
    quantity: Decimal | None = None
    remarks: list[str] = strawberry.field(default_factory=list, description="RARCs, e.g. N130.")


@strawberry.input(description="One service line of a claim on the EOB.")
class ServiceLineEntry:
    procedure_code: str
    charge: Money
    paid: Money
    allowed: Money | None = None
    units: Decimal | None = None
    service_date: date | None = None
    modifiers: list[str] = strawberry.field(default_factory=list)
    adjustments: list[AdjustmentEntry] = strawberry.field(default_factory=list)


@strawberry.input(description="One claim on the EOB.")
class ClaimPaymentEntry:
    control_number: str | None = strawberry.field(
        default=None, description="Our control number, if the EOB shows it (patient account)."
    )
    payer_claim_id: str | None = None
    member_id: str | None = None
    status: str = strawberry.field(
        default="1", description="CLP02: 1 primary, 2 secondary, 4 denied, 22 reversal..."
    )
    charge: Money
    paid: Money
    patient_responsibility: Money | None = None
    service_date_from: date | None = None
    service_date_to: date | None = None
    adjustments: list[AdjustmentEntry] = strawberry.field(default_factory=list)
    lines: list[ServiceLineEntry] = strawberry.field(default_factory=list)


@strawberry.input(description="A paper EOB typed in.")
class EnterRemittanceInput:
    payer_id: str
    trace_number: str = strawberry.field(description="The check or EFT number.")
    payment_date: date
    amount: Money
    method: str = strawberry.field(default="CHK", description="CHK, ACH, NON (no payment)...")
    claims: list[ClaimPaymentEntry] = strawberry.field(default_factory=list)


@strawberry.input
class MatchClaimPaymentInput:
    claim_payment_id: strawberry.ID
    claim_id: strawberry.ID


@strawberry.type
class PostRemittancePayload:
    remittances: list[RemittanceInfo] = strawberry.field(
        description="Every remittance of the input as it stands in the ledger now."
    )
    already_posted: list[str] = strawberry.field(
        description="Trace numbers that were in the ledger already (nothing changed for them)."
    )
    errors: list[FieldError]


@strawberry.type
class MatchClaimPaymentPayload:
    claim_payment: PostedClaimPayment | None
    errors: list[FieldError]


@strawberry.type
class FetchRemittancesPayload:
    fetched: int = strawberry.field(description="Remittances the payer sent.")
    posted: int = strawberry.field(description="Of those, new to your ledger and posted now.")
    errors: list[FieldError]


async def _posted(
    info: Info, results: list[PostingResult]
) -> tuple[list[RemittanceInfo], list[str]]:
    """After commit: tell subscribers, then read what is in the ledger now."""
    practice_id = info.context.practice_id
    for result in results:
        await after_posting(info.context.services, practice_id, result)
    async with info.context.services.database.session() as session:
        rows = [await session.get_one(Remittance, r.remittance_id) for r in results]
        views = await remittance_views(session, rows)
    already = [
        v.remittance.trace_number for v, r in zip(views, results, strict=True) if not r.created
    ]
    return [remittance_info(v) for v in views], already


@strawberry.type
class LedgerMutations:
    @strawberry.mutation(
        description="Post an 835 received elsewhere (another clearinghouse's file): every "
        "transaction set in it, once per trace number.",
        extensions=needs(PAYMENTS_WRITE),
    )
    async def upload_remittance(
        self, info: Info, input: UploadRemittanceInput
    ) -> PostRemittancePayload | None:
        payments, problems = intake.read_upload(input.payer_id, input.x12)
        if info.context.services.payers.get(input.payer_id) is None:
            problems = [
                ("payerId", "UNKNOWN_PAYER", "No payer with this id is configured."),
                *problems,
            ]
        if problems:
            return PostRemittancePayload(
                remittances=[], already_posted=[], errors=as_field_errors(problems)
            )
        principal = info.context.principal
        async with info.context.services.database.transaction() as session:
            results = await intake.post_upload(
                session, info.context.practice_id, payments, input.x12, principal.actor_id
            )
        remittances, already = await _posted(info, results)
        info.context.audit.event(
            "remittance.uploaded",
            detail={
                "payer": input.payer_id,
                "remittances": ",".join(r.remittance_id for r in results)[:1000],
                "new": str(sum(r.created for r in results)),
            },
        )
        return PostRemittancePayload(remittances=remittances, already_posted=already, errors=[])

    @strawberry.mutation(
        description="Post a paper EOB typed in; checked whole before anything is written.",
        extensions=needs(PAYMENTS_WRITE),
    )
    async def enter_remittance(
        self, info: Info, input: EnterRemittanceInput
    ) -> PostRemittancePayload | None:
        problems: list[tuple[str, str, str]] = []
        if info.context.services.payers.get(input.payer_id) is None:
            problems.append(("payerId", "UNKNOWN_PAYER", "No payer with this id is configured."))
        payment, found = intake.read_entry(input.payer_id, input, datetime.now(UTC).date())
        problems += found
        if problems or payment is None:
            return PostRemittancePayload(
                remittances=[], already_posted=[], errors=as_field_errors(problems)
            )
        principal = info.context.principal
        async with info.context.services.database.transaction() as session:
            result = await intake.post_entry(
                session, info.context.practice_id, payment, principal.actor_id
            )
        remittances, already = await _posted(info, [result])
        info.context.audit.event(
            "remittance.entered",
            detail={
                "payer": input.payer_id,
                "remittance": result.remittance_id,
                "new": str(result.created),
            },
        )
        return PostRemittancePayload(remittances=remittances, already_posted=already, errors=[])

    @strawberry.mutation(
        description="Post a claim payment from the unmatched worklist to one of your claims "
        "(sent to the same payer); sets the claim's financial state.",
        extensions=needs(PAYMENTS_WRITE),
    )
    async def match_claim_payment(
        self, info: Info, input: MatchClaimPaymentInput
    ) -> MatchClaimPaymentPayload | None:
        claim_payment_id = parse_id(input.claim_payment_id, "claim payment", "claimPaymentId")
        claim_id = parse_id(input.claim_id, "claim", "claimId")
        practice_id = info.context.practice_id
        async with info.context.services.database.transaction() as session:
            outcome = await match_by_hand(
                session, practice_id, claim_payment_id, claim_id, info.context.principal.actor_id
            )
        if not isinstance(outcome, ManualMatch):
            field, code, message = outcome
            return MatchClaimPaymentPayload(
                claim_payment=None, errors=one_error(field, code, message)
            )
        posted = PostedClaim(
            outcome.remittance_claim_id,
            outcome.claim_id,
            "manual",
            outcome.financial_state,
            outcome.changed,
        )
        await after_posting(
            info.context.services,
            practice_id,
            PostingResult(outcome.remittance_id, True, [posted], []),
        )
        info.context.audit.event(
            "claim_payment.matched",
            detail={"claimPayment": claim_payment_id, "claim": claim_id},
        )
        async with info.context.services.database.session() as session:
            row = await session.get_one(RemittanceClaim, claim_payment_id)
            [view] = await claim_payment_views(session, [row])
        return MatchClaimPaymentPayload(claim_payment=posted_claim_payment(view), errors=[])

    @strawberry.mutation(
        description="Fetch your practice's remittances from a payer now and post the new ones.",
        extensions=needs(PAYMENTS_WRITE),
    )
    async def fetch_remittances(self, info: Info, payer_id: str) -> FetchRemittancesPayload | None:
        payer = info.context.services.payers.get(payer_id)
        if payer is None or Capability.PAYMENTS not in payer.capabilities:
            return FetchRemittancesPayload(
                fetched=0,
                posted=0,
                errors=as_field_errors(
                    [
                        (
                            "payerId",
                            "UNKNOWN_PAYER",
                            "No configured payer with this id sends remittances.",
                        )
                    ],
                    prefix=(),
                ),
            )
        claims = info.context.services.claims
        outcome = await claims.puller.pull(info.context.practice_id, payer_id)
        info.context.audit.event("remittances.fetched", detail={"payer": payer_id})
        if outcome is None:
            return FetchRemittancesPayload(
                fetched=0,
                posted=0,
                errors=as_field_errors(
                    [
                        (
                            "payerId",
                            "IN_PROGRESS",
                            "A fetch from this payer is running; try again shortly.",
                        )
                    ],
                    prefix=(),
                ),
            )
        if outcome.error is not None:
            return FetchRemittancesPayload(
                fetched=0,
                posted=0,
                errors=as_field_errors(
                    [
                        (
                            "payerId",
                            outcome.error,
                            "The payer did not answer; the next scheduled fetch will try again.",
                        )
                    ],
                    prefix=(),
                ),
            )
        return FetchRemittancesPayload(fetched=outcome.fetched, posted=outcome.posted, errors=[])
