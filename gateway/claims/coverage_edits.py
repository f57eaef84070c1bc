"""Front-end edits that need the patient, the coverage and the payer: who is billed, and when.

Covers the patient and coverage of the practice, the member ID, the payer being connected and taking
claims, dates of service against birth, coverage start and end, the payer's timely-filing window
(``options.timely_filing_days``, default 365), coverage active per the payer's eligibility answer when
one can be had quickly, and the adapter's own rules (:class:`payers.contract.SupportsClaimEdits`).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.claims.draft import ClaimDraft
from gateway.claims.edits import blank
from gateway.errors import GatewayError
from gateway.graphql.validation import Problems
from gateway.payers import ConfiguredPayer, PayerDirectory
from gateway.storage import tables
from payers.contract import Capability, ClaimEdit
from payers.model import (
    ClaimSubmission,
    Demographics,
    EligibilityResult,
    MemberQuery,
    PostalAddress,
    SubscriberRelation,
)

log = logging.getLogger(__name__)

DEFAULT_TIMELY_FILING_DAYS = 365
MAX_ELIGIBILITY_DATES = 3


@dataclass(frozen=True, slots=True)
class ClaimParties:
    """The practice's patient and coverage a claim names, and the payer it goes to."""

    patient: tables.Patient | None
    coverage: tables.Coverage | None
    payer: ConfiguredPayer | None

    def member(self) -> MemberQuery:
        assert self.patient is not None and self.coverage is not None
        return MemberQuery(
            member_id=self.coverage.member_id.strip().upper(),
            first_name=self.patient.first_name,
            last_name=self.patient.last_name,
            birth_date=self.patient.birth_date,
            group_number=self.coverage.group_number,
            relation=SubscriberRelation(self.coverage.relation),
        )

    def subscriber(self) -> Demographics | None:
        """The card holder when the patient is a dependent and the card names them (837P 2000C)."""
        coverage = self.coverage
        assert coverage is not None
        if (
            coverage.relation == SubscriberRelation.SELF
            or not coverage.subscriber_first_name
            or not coverage.subscriber_last_name
            or coverage.subscriber_birth_date is None
        ):
            return None
        return Demographics(
            coverage.subscriber_first_name,
            coverage.subscriber_last_name,
            coverage.subscriber_birth_date,
        )

    def patient_gender(self) -> str | None:
        assert self.patient is not None
        gender = (self.patient.gender or "").strip().upper()[:1]
        return gender if gender in ("F", "M") else None

    def patient_address(self) -> PostalAddress | None:
        """The patient's address when the claim names them apart from the card holder (2010CA)."""
        patient = self.patient
        assert patient is not None
        if self.subscriber() is None:
            return None
        parts = (patient.address_line1, patient.city, patient.state, patient.postal_code)
        if not all(parts):
            return None
        return PostalAddress(*parts)  # type: ignore[arg-type]


async def load_parties(
    session: AsyncSession, practice_id: str, draft: ClaimDraft, payers: PayerDirectory
) -> ClaimParties:
    """Patient and coverage within the practice only (an id of another practice finds nothing)."""
    patient = coverage = None
    if not blank(draft.patient_id):
        patient = await session.scalar(
            select(tables.Patient).where(
                tables.Patient.id == draft.patient_id, tables.Patient.practice_id == practice_id
            )
        )
    if not blank(draft.coverage_id):
        coverage = await session.scalar(
            select(tables.Coverage).where(
                tables.Coverage.id == draft.coverage_id, tables.Coverage.practice_id == practice_id
            )
        )
    payer = payers.get(coverage.payer_id) if coverage is not None else None
    return ClaimParties(patient, coverage, payer)


def check_parties(
    problems: Problems, draft: ClaimDraft, parties: ClaimParties, today: date
) -> None:
    """Patient, coverage, member ID, payer, and the dates of service against them."""
    patient, coverage, payer = parties.patient, parties.coverage, parties.payer
    if patient is None and not blank(draft.patient_id):
        problems.add("patientId", "PATIENT_NOT_FOUND", "No patient of your practice has this id.")
    if coverage is None:
        if not blank(draft.coverage_id):
            problems.add(
                "coverageId", "COVERAGE_NOT_FOUND", "No coverage of your practice has this id."
            )
        return
    if patient is not None and coverage.patient_id != patient.id:
        problems.add(
            "coverageId", "COVERAGE_PATIENT_MISMATCH", "This coverage belongs to another patient."
        )
    if blank(coverage.member_id):
        problems.add(
            "coverageId",
            "MEMBER_ID_MISSING",
            "The coverage has no member ID: add the ID printed on the insurance card.",
        )
    if payer is None:
        problems.add(
            "coverageId",
            "PAYER_NOT_CONFIGURED",
            f"Payer {coverage.payer_id!r} is not connected to the gateway.",
        )
    elif Capability.CLAIM_SUBMISSION not in payer.capabilities:
        problems.add(
            "coverageId",
            "PAYER_NO_SUBMISSION",
            f"{payer.settings.name} does not take claims through the gateway.",
        )
    window = (
        int(payer.settings.options.get("timely_filing_days", DEFAULT_TIMELY_FILING_DAYS))
        if payer
        else None
    )
    for index, line in enumerate(draft.lines):
        day, at = line.service_date, f"lines.{index}.serviceDate"
        if day is None or day > today:
            continue
        if patient is not None and day < patient.birth_date:
            problems.add(
                at,
                "SERVICE_DATE_BEFORE_BIRTH",
                "Date of service is before the patient's birth date.",
            )
        elif coverage.effective_from and day < coverage.effective_from:
            problems.add(
                at,
                "SERVICE_DATE_BEFORE_COVERAGE",
                f"Date of service is before the coverage started ({coverage.effective_from}).",
            )
        elif coverage.effective_to and day > coverage.effective_to:
            problems.add(at, "COVERAGE_INACTIVE", f"The coverage ended on {coverage.effective_to}.")
        if window is not None and day < today - timedelta(days=window):
            problems.add(
                at,
                "TIMELY_FILING_EXPIRED",
                f"{payer.settings.name} takes claims up to {window} days after the date of "  # type: ignore[union-attr]
                "service; this one is too old.",
            )


async def check_eligibility(
    problems: Problems,
    draft: ClaimDraft,
    parties: ClaimParties,
    payers: PayerDirectory,
    practice_id: str,
    budget_seconds: float,
) -> None:
    """Coverage active on each date of service, when the payer says so within the budget.

    An unknown answer (payer slow, down, or without eligibility) is no problem: the edit is only as
    good as what is known, and a claim must not wait on an eligibility outage.
    """
    payer = parties.payer
    if problems or payer is None or Capability.ELIGIBILITY not in payer.capabilities:
        return
    member = parties.member()
    dates = sorted({d for d in draft.service_dates})[:MAX_ELIGIBILITY_DATES]

    async def active_on(day: date) -> bool | None:
        try:
            async with asyncio.timeout(budget_seconds):
                answer = await payers.call(
                    practice_id, payer.id, Capability.ELIGIBILITY, member, ["30"], day
                )
        except (TimeoutError, GatewayError):
            return None
        result = answer.value
        return result.active if isinstance(result, EligibilityResult) else None

    answers = dict(zip(dates, await asyncio.gather(*(active_on(d) for d in dates)), strict=True))
    for index, line in enumerate(draft.lines):
        if line.service_date is not None and answers.get(line.service_date) is False:
            problems.add(
                f"lines.{index}.serviceDate",
                "COVERAGE_INACTIVE",
                f"{payer.settings.name} says the coverage was not active on {line.service_date}.",
            )


def check_payer_rules(problems: Problems, payer: ConfiguredPayer, claim: ClaimSubmission) -> None:
    """The adapter's own rules, if it declares any."""
    rules = getattr(payer.adapter, "claim_edits", None)
    if rules is None:
        return
    try:
        edits = list(rules(claim))
    except Exception:  # an adapter bug must not block every claim to that payer
        log.exception("claim_edits failed", extra={"payer": payer.id})
        return
    for edit in edits:
        if isinstance(edit, ClaimEdit):
            problems.add(".".join(edit.field) or "input", edit.code, edit.message)
