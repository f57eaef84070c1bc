"""Corrected (frequency 7) and void (frequency 8) claims, through the desk's path.

A claim can be corrected or voided once it is at the payer under a payer claim number: the one the
ledger's posted remittance states for it (``RemittanceClaim.payer_claim_id``), else the one the
payer acknowledged it with. The new claim copies the original (with the caller's changes for a
replacement), carries that number, and goes through the same edits, idempotency, outbox and
exactly-once dispatcher as any claim; its row says ``relation`` replaces/voids and
``related_claim_id``, and the original's history notes it was superseded or voided. A claim that
was already replaced or voided (by a claim the payer did not reject) is not corrected twice: the
check is made again under a lock on the original when the new claim is stored, so two concurrent
requests with different keys make one replacement.

Errors (codes, on ``input.claimId``): CLAIM_NOT_FOUND (also another practice's claim),
CLAIM_NOT_AT_PAYER, CLAIM_ALREADY_CORRECTED, CLAIM_IS_VOID, NO_CHANGES; the edits' own codes on
the fields of ``input.changes``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.claims.codec import submission_from_json
from gateway.claims.desk import Acceptance, ClaimDesk, ClaimLink, LinkRefused
from gateway.claims.draft import ClaimDraft, DraftDrug, DraftLine, DraftProvider
from gateway.graphql.types.common import FieldError
from gateway.storage.claims_tables import ClaimStatusEntry, SubmittedClaim
from gateway.storage.ledger_tables import Remittance, RemittanceClaim
from payers.codesets import lookup
from payers.model import ClaimProvider

REPLACES, VOIDS, SECONDARY_OF = "replaces", "voids", "secondary_of"
#: A payer that rejected a claim at the front door never held it: it changes nothing.
_NEVER_AT_PAYER = ("submitted", "rejected")


@dataclass(frozen=True, slots=True)
class ClaimChanges:
    """What a replacement changes; a field left None keeps the original's value."""

    diagnoses: tuple[str, ...] | None = None
    lines: tuple[DraftLine, ...] | None = None
    place_of_service: str | None = None
    rendering_provider_npi: str | None = None
    total_charge: Decimal | None = None
    patient_control_number: str | None = None

    def given(self) -> set[str]:
        return {f.name for f in fields(self) if getattr(self, f.name) is not None}


def claim_error(code: str, message: str) -> Acceptance:
    return Acceptance(None, [FieldError(code=code, field=["input", "claimId"], message=message)])


NOT_FOUND = "No claim of your practice has this id."


async def load_claim(
    session: AsyncSession, practice_id: str, claim_id: str
) -> SubmittedClaim | None:
    """The practice's claim (another practice's id finds nothing, like an unknown one)."""
    return await session.scalar(
        select(SubmittedClaim).where(
            SubmittedClaim.id == claim_id, SubmittedClaim.practice_id == practice_id
        )
    )


async def payer_claim_number(session: AsyncSession, claim: SubmittedClaim) -> str | None:
    """The payer's claim number: from the newest posted remittance for the claim, else its ack."""
    posted = await session.scalar(
        select(RemittanceClaim.payer_claim_id)
        .join(Remittance, Remittance.id == RemittanceClaim.remittance_id)
        .where(
            RemittanceClaim.claim_id == claim.id,
            RemittanceClaim.practice_id == claim.practice_id,
            RemittanceClaim.match_state.in_(("matched", "manual")),
            RemittanceClaim.payer_claim_id.is_not(None),
        )
        .order_by(Remittance.received_at.desc(), RemittanceClaim.ordinal.desc())
        .limit(1)
    )
    return posted or claim.payer_claim_id


async def successor(
    session: AsyncSession, claim: SubmittedClaim, relations: tuple[str, ...], *, besides: str = ""
) -> SubmittedClaim | None:
    """A claim that follows ``claim`` in one of ``relations`` and that the payer did not reject."""
    return await session.scalar(
        select(SubmittedClaim)
        .where(
            SubmittedClaim.related_claim_id == claim.id,
            SubmittedClaim.practice_id == claim.practice_id,
            SubmittedClaim.relation.in_(relations),
            SubmittedClaim.state != "rejected",
            SubmittedClaim.id != besides,
        )
        .order_by(SubmittedClaim.created_at)
        .limit(1)
    )


def _refusal(claim: SubmittedClaim, follower: SubmittedClaim | None) -> tuple[str, str] | None:
    if claim.relation == VOIDS or claim.frequency_code == "8":
        return "CLAIM_IS_VOID", "This claim is a void: it cannot be corrected or voided."
    if follower is not None and follower.relation == VOIDS:
        return "CLAIM_IS_VOID", f"This claim was voided by claim {follower.control_number}."
    if follower is not None:
        return (
            "CLAIM_ALREADY_CORRECTED",
            f"This claim was already replaced by claim {follower.control_number} "
            f"(id {follower.id}): correct or void that one instead.",
        )
    return None


def draft_of(claim: SubmittedClaim, frequency: str, payer_claim_id: str | None) -> ClaimDraft:
    """The claim as it was sent, as a draft the desk checks again (frequency and number new)."""
    sent = submission_from_json(claim.submission)
    return ClaimDraft(
        patient_id=claim.patient_id,
        coverage_id=claim.coverage_id,
        billing_provider_npi=sent.billing_provider_npi,
        billing_provider_tax_id=sent.billing_provider_tax_id,
        billing_provider_name=sent.billing_provider_name,
        place_of_service=sent.place_of_service,
        diagnoses=sent.diagnoses,
        lines=tuple(
            DraftLine(
                procedure_code=line.procedure.code,
                charge=line.charge,
                service_date=line.service_date,
                units=line.units,
                modifiers=line.modifiers,
                diagnosis_pointers=line.diagnosis_pointers,
                drug=DraftDrug(line.drug.ndc, line.drug.quantity, line.drug.unit)
                if line.drug
                else None,
                ordering_provider=_draft_provider(line.ordering_provider),
                referring_provider=_draft_provider(line.referring_provider),
            )
            for line in sent.lines
        ),
        total_charge=sent.total_charge,
        frequency_code=frequency,
        rendering_provider_npi=sent.rendering_provider_npi,
        original_payer_claim_id=payer_claim_id,
        patient_control_number=claim.patient_account_number,
        # what the first claim told the payer about referral, authorization and record, again
        referring_provider=_draft_provider(sent.referring_provider),
        prior_authorization=sent.prior_authorization,
        referral_number=sent.referral_number,
        medical_record_number=sent.medical_record_number,
    )


def _draft_provider(who: ClaimProvider | None) -> DraftProvider | None:
    return DraftProvider(who.npi, who.last_name, who.first_name) if who else None


def _changed(draft: ClaimDraft, changes: ClaimChanges) -> ClaimDraft:
    given = {name: getattr(changes, name) for name in changes.given()}
    if "lines" in given and "total_charge" not in given:
        # New lines without a total: the total is theirs (the edits still check each charge).
        charges = [line.charge for line in given["lines"]]
        if all(charge is not None for charge in charges):
            given["total_charge"] = sum(charges, Decimal(0))
    return replace(draft, **given)


def _on_changes(errors: list[FieldError], changed: set[str]) -> list[FieldError]:
    """Errors on fields the caller changed point into ``input.changes``; the rest at the claim."""
    camel = {_camel(name) for name in changed}
    moved = []
    for error in errors:
        path = error.field[1:] if error.field[:1] == ["input"] else error.field
        if path[:1] == ["idempotencyKey"]:
            moved.append(replace(error, field=["input", *path]))
        elif path and path[0] in camel:
            moved.append(replace(error, field=["input", "changes", *path]))
        else:
            moved.append(replace(error, field=["input", "claimId", *path]))
    return moved


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


async def correct_claim(
    desk: ClaimDesk, practice_id: str, claim_id: str, changes: ClaimChanges, key: str
) -> Acceptance:
    """Send a replacement (frequency 7) of the claim with ``changes``."""
    if not changes.given():
        return claim_error("NO_CHANGES", "A correction needs at least one change to the claim.")
    return await _follow(desk, practice_id, claim_id, key, "7", changes)


async def void_claim(desk: ClaimDesk, practice_id: str, claim_id: str, key: str) -> Acceptance:
    """Send a void (frequency 8) of the claim, with its lines as they were sent."""
    return await _follow(desk, practice_id, claim_id, key, "8", ClaimChanges())


async def _follow(
    desk: ClaimDesk,
    practice_id: str,
    claim_id: str,
    key: str,
    frequency: str,
    changes: ClaimChanges,
) -> Acceptance:
    relation = REPLACES if frequency == "7" else VOIDS
    async with desk.database.session() as session:
        original = await load_claim(session, practice_id, claim_id)
        if original is None:
            return claim_error("CLAIM_NOT_FOUND", NOT_FOUND)
        number = await payer_claim_number(session, original)
        follower = await successor(session, original, (REPLACES, VOIDS))
    draft = _changed(draft_of(original, frequency, number), changes)
    sent = submission_from_json(original.submission)
    link = ClaimLink(
        related_claim_id=original.id,
        relation=relation,
        # A secondary claim's replacement or void goes to the same payer as a secondary.
        responsibility=sent.responsibility,
        prior_payers=sent.prior_payers,
        within=_superseding(original.id, relation),
        checks_eligibility=frequency == "7",
    )
    # A key already used answers its claim (or a conflict) whatever happened to the original since.
    replay = await desk.answer_for_key(practice_id, key.strip(), link.digest(draft))
    if replay is not None:
        return replay
    refused = _refusal(original, follower)
    if refused is not None:
        return claim_error(*refused)
    if original.state in _NEVER_AT_PAYER or not number:
        return claim_error(
            "CLAIM_NOT_AT_PAYER",
            "The payer has not acknowledged this claim with a claim number yet (or rejected it): "
            "there is nothing at the payer to correct or void.",
        )
    try:
        accepted = await desk.submit(practice_id, key, draft, link=link)
    except LinkRefused as exc:
        return claim_error(exc.code, exc.message)
    if accepted.errors:
        return Acceptance(None, _on_changes(accepted.errors, changes.given()))
    return accepted


Within = Callable[[AsyncSession, SubmittedClaim], Awaitable[None]]


def _superseding(original_id: str, relation: str) -> Within:
    async def within(session: AsyncSession, new: SubmittedClaim) -> None:
        original = await lock_claim(session, original_id)
        refused = _refusal(
            original, await successor(session, original, (REPLACES, VOIDS), besides=new.id)
        )
        if refused is not None:
            raise LinkRefused(*refused)
        what = "Replaced" if relation == REPLACES else "Voided"
        note(
            session, original, "correction", f"{what} by claim {new.control_number} (id {new.id})."
        )

    return within


async def lock_claim(session: AsyncSession, claim_id: str) -> SubmittedClaim:
    """The claim row, locked for this transaction (a write: a row lock on PostgreSQL, the database's
    write lock on SQLite), read again after the lock so what others committed is seen."""
    now = datetime.now(UTC)
    await session.execute(
        update(SubmittedClaim).where(SubmittedClaim.id == claim_id).values(updated_at=now)
    )
    claim = await session.scalar(
        select(SubmittedClaim)
        .where(SubmittedClaim.id == claim_id)
        .execution_options(populate_existing=True)
    )
    assert claim is not None
    return claim


def note(session: AsyncSession, claim: SubmittedClaim, source: str, message: str) -> None:
    """A history entry that keeps the claim's state and says what happened to it."""
    session.add(
        ClaimStatusEntry(
            claim_id=claim.id,
            practice_id=claim.practice_id,
            state=claim.state,
            category_code=claim.category_code,
            category_description=_description("claim-status-category", claim.category_code),
            status_code=claim.status_code,
            status_description=_description("claim-status", claim.status_code),
            source=source,
            message=message[:500],
            recorded_at=datetime.now(UTC),
        )
    )


def _description(system: str, code: str | None) -> str | None:
    return lookup(system, code).description[:300] if code else None
