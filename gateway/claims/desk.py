"""Accepting a claim: edits first, then the claim and its outbox row in one transaction, once per key.

Under one (practice, idempotency key) there is at most one claim. The same key with the same body
answers the claim accepted the first time (``replayed``), even while two identical requests race;
the same key with another body is ``IDEMPOTENCY_CONFLICT``. A claim that fails its edits is not
stored, so its key may be used again once the problems are fixed. Corrections, voids and secondary
claims come in through the same path with a :class:`ClaimLink` to the claim they follow.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.claims.codec import submission_to_json
from gateway.claims.control import new_control_number
from gateway.claims.coverage_edits import (
    ClaimParties,
    check_eligibility,
    check_parties,
    check_payer_rules,
    load_parties,
)
from gateway.claims.detail_edits import check_details, ndc_digits
from gateway.claims.draft import ClaimDraft, DraftProvider
from gateway.claims.edits import check_claim
from gateway.claims.events import StatusChange
from gateway.claims.status import record_submitted
from gateway.graphql.types.common import FieldError
from gateway.graphql.validation import Problems
from gateway.payers import PayerDirectory
from gateway.storage.claim_lines_tables import SubmittedClaimLine, line_rows
from gateway.storage.claims_tables import ClaimOutbox, SubmittedClaim
from gateway.storage.database import Database
from payers.codesets import lookup, normalize
from payers.model import (
    ClaimLine,
    ClaimProvider,
    ClaimSubmission,
    DrugIdentification,
    PriorPayerAdjudication,
)

_KEY = re.compile(r"^[A-Za-z0-9._:\-]{8,100}$")


class LinkRefused(Exception):
    """A linked claim may not be stored after all (found under the original's lock): ``code``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class ClaimLink:
    """A claim that follows an earlier one: a replacement, a void or the secondary claim.

    ``within`` runs in the storing transaction once the new row is flushed: it locks the earlier
    claim, checks again what may have changed since the caller looked (raising
    :class:`LinkRefused`), and notes the new claim in the earlier one's history.
    """

    related_claim_id: str
    relation: str  # replaces | voids | secondary_of
    responsibility: str = "P"
    prior_payers: tuple[PriorPayerAdjudication, ...] = ()
    within: Callable[[AsyncSession, SubmittedClaim], Awaitable[None]] | None = None
    #: A void must reach the payer even when the coverage has since ended: no eligibility edit.
    checks_eligibility: bool = True

    def digest(self, draft: ClaimDraft) -> str:
        """The idempotency digest: the same key for another claim or relation is a conflict. The
        payer's claim number is left out: it follows from the earlier claim, and a remittance
        posted between two tries may state it anew."""
        plain = replace(draft, original_payer_claim_id=None).digest()
        body = f"{plain}:{self.relation}:{self.related_claim_id}"
        return hashlib.sha256(body.encode()).hexdigest()


@dataclass
class Acceptance:
    """What ``submitClaim`` answers: the claim, or every problem with the input."""

    claim: SubmittedClaim | None
    errors: list[FieldError] = field(default_factory=list)
    replayed: bool = False


def build_submission(draft: ClaimDraft, parties: ClaimParties) -> ClaimSubmission:
    """The claim as adapters send it (only called once every edit passed)."""
    assert draft.total_charge is not None
    return ClaimSubmission(
        member=parties.member(),
        billing_provider_npi=(draft.billing_provider_npi or "").strip(),
        billing_provider_tax_id=(draft.billing_provider_tax_id or "").strip().replace("-", ""),
        billing_provider_name=(draft.billing_provider_name or "").strip(),
        rendering_provider_npi=(draft.rendering_provider_npi or "").strip() or None,
        place_of_service=(draft.place_of_service or "").strip(),
        frequency_code=(draft.frequency_code or "1").strip(),
        diagnoses=tuple(normalize("icd10cm", code) for code in draft.diagnoses),
        lines=tuple(
            ClaimLine(
                line_number=number,
                procedure=lookup("procedure", (line.procedure_code or "").strip().upper()),
                charge=line.charge,  # type: ignore[arg-type]
                units=line.units,  # type: ignore[arg-type]
                modifiers=tuple(m.strip().upper() for m in line.modifiers),
                diagnosis_pointers=line.diagnosis_pointers,
                service_date=line.service_date,
                drug=DrugIdentification(
                    ndc_digits(line.drug.ndc or ""),
                    line.drug.quantity,  # type: ignore[arg-type]
                    (line.drug.unit or "").strip().upper(),
                )
                if line.drug
                else None,
                ordering_provider=_provider(line.ordering_provider),
                referring_provider=_provider(line.referring_provider),
            )
            for number, line in enumerate(draft.lines, start=1)
        ),
        total_charge=draft.total_charge,
        original_payer_claim_id=(draft.original_payer_claim_id or "").strip() or None,
        # 2000C needs the patient's address: without it the patient goes as the subscriber, as before.
        subscriber=parties.subscriber() if parties.patient_address() else None,
        patient_gender=parties.patient_gender(),
        referring_provider=_provider(draft.referring_provider),
        prior_authorization=_text(draft.prior_authorization),
        referral_number=_text(draft.referral_number),
        medical_record_number=_text(draft.medical_record_number),
        patient_address=parties.patient_address(),
    )


def _provider(who: DraftProvider | None) -> ClaimProvider | None:
    if who is None:
        return None
    return ClaimProvider(
        (who.npi or "").strip(), (who.last_name or "").strip(), _text(who.first_name)
    )


def _text(value: str | None) -> str | None:
    return (value or "").strip() or None


class ClaimDesk:
    """Where claims come in. ``on_accepted`` runs after commit (wake the dispatcher, publish)."""

    def __init__(
        self,
        database: Database,
        payers: PayerDirectory,
        on_accepted: Callable[[StatusChange], Awaitable[None]] | None = None,
        *,
        eligibility_budget_seconds: float = 3.0,
        today: Callable[[], date] = lambda: datetime.now(UTC).date(),
    ) -> None:
        self.database = database
        self.payers = payers
        self.on_accepted = on_accepted
        self.eligibility_budget_seconds = eligibility_budget_seconds
        self.today = today

    async def submit(
        self,
        practice_id: str,
        idempotency_key: str,
        draft: ClaimDraft,
        *,
        link: ClaimLink | None = None,
    ) -> Acceptance:
        key = idempotency_key.strip()
        if not _KEY.match(key):
            problem = FieldError(
                code="IDEMPOTENCY_KEY_INVALID",
                field=["idempotencyKey"],
                message="The idempotency key must be 8 to 100 letters, digits or . _ : - (a UUID is ideal).",
            )
            return Acceptance(None, [problem])
        digest = draft.digest() if link is None else link.digest(draft)
        earlier = await self.answer_for_key(practice_id, key, digest)
        if earlier is not None:
            return earlier
        problems = Problems()
        check_claim(problems, draft, self.today())
        check_details(problems, draft)
        async with self.database.session() as session:
            parties = await load_parties(session, practice_id, draft, self.payers)
        check_parties(problems, draft, parties, self.today())
        if self.eligibility_budget_seconds > 0 and (link is None or link.checks_eligibility):
            await check_eligibility(
                problems, draft, parties, self.payers, practice_id, self.eligibility_budget_seconds
            )
        if problems:
            return Acceptance(None, problems.errors)
        submission = build_submission(draft, parties)
        if link is not None:
            submission = replace(
                submission, responsibility=link.responsibility, prior_payers=link.prior_payers
            )
        assert parties.payer is not None
        check_payer_rules(problems, parties.payer, submission)
        if problems:
            return Acceptance(None, problems.errors)
        return await self._store(practice_id, key, digest, draft, parties, submission, link)

    async def _store(
        self,
        practice_id: str,
        key: str,
        digest: str,
        draft: ClaimDraft,
        parties: ClaimParties,
        submission: ClaimSubmission,
        link: ClaimLink | None,
    ) -> Acceptance:
        assert (
            parties.payer is not None
            and parties.patient is not None
            and parties.coverage is not None
        )
        dates = draft.service_dates
        claim = SubmittedClaim(
            practice_id=practice_id,
            patient_id=parties.patient.id,
            coverage_id=parties.coverage.id,
            payer_id=parties.payer.id,
            idempotency_key=key,
            request_digest=digest,
            control_number=new_control_number(),
            patient_account_number=(draft.patient_control_number or "").strip() or None,
            submission=submission_to_json(submission),
            total_charge=submission.total_charge,
            service_date_from=min(dates),
            service_date_to=max(dates),
            frequency_code=submission.frequency_code,
            state="submitted",
            related_claim_id=link.related_claim_id if link else None,
            relation=link.relation if link else None,
        )
        try:
            async with self.database.transaction() as session:
                session.add(claim)
                await session.flush()
                lines = line_rows(claim.id, practice_id, claim.submission)
                if lines:  # rows beside the JSON, for history exports (claim_lines_tables.py)
                    await session.execute(insert(SubmittedClaimLine), lines)
                if link is not None and link.within is not None:
                    await link.within(session, claim)
                session.add(ClaimOutbox(claim_id=claim.id, payer_id=claim.payer_id))
                change = await record_submitted(session, claim, parties.payer.settings.name)
        except IntegrityError:
            # Another request with this key committed first: answer as if we had come second.
            earlier = await self.answer_for_key(practice_id, key, digest)
            if earlier is None:
                raise
            return earlier
        if self.on_accepted is not None:
            await self.on_accepted(change)
        return Acceptance(claim)

    async def answer_for_key(self, practice_id: str, key: str, digest: str) -> Acceptance | None:
        """The claim stored under ``key`` (replayed), a conflict, or None when the key is new."""
        async with self.database.session() as session:
            earlier = await session.scalar(
                select(SubmittedClaim).where(
                    SubmittedClaim.practice_id == practice_id, SubmittedClaim.idempotency_key == key
                )
            )
        if earlier is None:
            return None
        if earlier.request_digest != digest:
            problem = FieldError(
                code="IDEMPOTENCY_CONFLICT",
                field=["idempotencyKey"],
                message="This idempotency key was already used for a different claim; use a new key.",
            )
            return Acceptance(None, [problem])
        return Acceptance(earlier, replayed=True)
