"""An estimate for a patient of the practice: their cards active on the date, each payer's live
benefits through the gateway's eligibility path (its cache and breakers), the allowed amounts, then
the calculator.

Network: the gateway does not store whether the provider participates with a payer. The caller
names the payers the provider is out of network with (``out_of_network``); every other payer is
taken as in network, and the benefits the payer stated for that network (EB12 Y/N) are used.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.errors import GatewayError
from gateway.estimates.allowed import allowed_amount
from gateway.estimates.benefit_terms import payer_terms
from gateway.estimates.calculator import estimate
from gateway.estimates.service_types import GENERAL, is_preventive, service_type
from gateway.estimates.terms import CENT, Estimate, EstimateLineInput, PayerTerms
from gateway.payers import PayerDirectory
from gateway.practices import npi_is_valid
from gateway.storage import tables
from payers.codesets import lookup
from payers.contract import Capability
from payers.model import EligibilityResult, MemberQuery, Network, SubscriberRelation

MAX_LINES = 20
MAX_UNITS = Decimal("999")
MAX_CHARGE = Decimal("999999.99")
_PROCEDURE = re.compile(r"^(\d{4}[0-9A-Z]|[A-V]\d{4})$")
_MODIFIER = re.compile(r"^[0-9A-Z]{2}$")


@dataclass(frozen=True, slots=True)
class PlannedProcedure:
    code: str
    units: Decimal
    charge: Decimal
    modifiers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EstimateRequest:
    patient_id: str
    day: date
    procedures: tuple[PlannedProcedure, ...]
    provider_npi: str
    out_of_network: frozenset[str] = frozenset()
    fresh: bool = False


@dataclass(frozen=True, slots=True)
class PatientEstimate:
    """The estimate with the cards it used, in order, and the payers whose part is missing."""

    estimate: Estimate
    coverages: tuple[tables.Coverage, ...]
    unknowns: tuple[str, ...] = field(default=())


def problems_of(request: EstimateRequest) -> list[tuple[str, str, str]]:
    """Every problem with the request, as (field path, code, message)."""
    found: list[tuple[str, str, str]] = []
    if not npi_is_valid(request.provider_npi):
        found.append(
            ("providerNpi", "INVALID_NPI", "The provider's NPI is not a valid 10-digit NPI.")
        )
    if not request.procedures:
        found.append(("procedures", "REQUIRED", "Add at least one procedure."))
    if len(request.procedures) > MAX_LINES:
        found.append(("procedures", "TOO_MANY", f"At most {MAX_LINES} procedures per estimate."))
    for n, p in enumerate(request.procedures[:MAX_LINES]):
        if not _PROCEDURE.match(p.code.strip().upper()):
            found.append(
                (
                    f"procedures.{n}.code",
                    "INVALID_CODE",
                    "Use a CPT (5 characters) or HCPCS (a letter and 4 digits) code.",
                )
            )
        if not p.units.is_finite() or not Decimal("0") < p.units <= MAX_UNITS:
            found.append((f"procedures.{n}.units", "OUT_OF_RANGE", "Units are 1 to 999."))
        if (
            not p.charge.is_finite()
            or not Decimal("0") < p.charge <= MAX_CHARGE
            or p.charge != p.charge.quantize(CENT)
        ):
            found.append(
                (
                    f"procedures.{n}.charge",
                    "OUT_OF_RANGE",
                    "The charge is an amount in dollars and cents, above 0 and up to 999999.99.",
                )
            )
        if len(p.modifiers) > 4 or not all(_MODIFIER.match(m) for m in p.modifiers):
            found.append(
                (
                    f"procedures.{n}.modifiers",
                    "INVALID_MODIFIER",
                    "Up to 4 two-character modifiers.",
                )
            )
    return found


def normalized(procedure: PlannedProcedure) -> PlannedProcedure:
    """Codes upper-cased, the charge in cents (checked to have at most two decimals)."""
    return PlannedProcedure(
        procedure.code.strip().upper(),
        procedure.units,
        procedure.charge.quantize(CENT),
        tuple(m.strip().upper() for m in procedure.modifiers),
    )


def active_cards(rows: Sequence[tables.Coverage], day: date) -> list[tables.Coverage]:
    """The patient's cards in force on ``day``, primary first."""
    return sorted(
        (
            c
            for c in rows
            if (c.effective_from is None or c.effective_from <= day)
            and (c.effective_to is None or c.effective_to >= day)
        ),
        key=lambda c: c.priority,
    )


def member_of(card: tables.Coverage, patient: tables.Patient) -> MemberQuery:
    return MemberQuery(
        member_id=card.member_id,
        first_name=patient.first_name,
        last_name=patient.last_name,
        birth_date=patient.birth_date,
        group_number=card.group_number,
        relation=SubscriberRelation(card.relation),
    )


async def _benefits(
    payers: PayerDirectory,
    practice_id: str,
    card: tables.Coverage,
    patient: tables.Patient,
    types: list[str],
    day: date,
    fresh: bool,
) -> EligibilityResult | str:
    """The payer's answer, or in words why there is none."""
    name = _payer_name(payers, card.payer_id)
    configured = payers.get(card.payer_id)
    if configured is None or Capability.ELIGIBILITY not in configured.capabilities:
        return f"{name} does not answer eligibility through the gateway: its share is not included."
    try:
        answer = await payers.call(
            practice_id,
            card.payer_id,
            Capability.ELIGIBILITY,
            member_of(card, patient),
            types,
            day,
            fresh=fresh,
        )
    except GatewayError as error:
        return f"{name} did not answer ({error.code}): its share is not included."
    result = answer.value
    if not isinstance(result, EligibilityResult):
        return f"{name} gave no eligibility answer: its share is not included."
    if not result.active:
        return f"{name} says the coverage is not active on {day.isoformat()}: it is left out."
    return result


def _payer_name(payers: PayerDirectory, payer_id: str) -> str:
    configured = payers.get(payer_id)
    return configured.settings.name if configured else payer_id


async def estimate_for(
    session: AsyncSession,
    payers: PayerDirectory,
    practice_id: str,
    patient: tables.Patient,
    request: EstimateRequest,
) -> PatientEstimate:
    """The estimate for ``request`` (already checked with :func:`problems_of`)."""
    procedures = [normalized(p) for p in request.procedures]
    lines = [
        EstimateLineInput(
            procedure=lookup("procedure", p.code),
            units=p.units,
            charge=p.charge,
            service_type=service_type(p.code),
            preventive=is_preventive(p.code),
        )
        for p in procedures
    ]
    rows = (
        await session.scalars(
            select(tables.Coverage).where(
                tables.Coverage.practice_id == practice_id,
                tables.Coverage.patient_id == patient.id,
            )
        )
    ).all()
    cards = active_cards(rows, request.day)
    types = sorted({GENERAL, *(line.service_type.code for line in lines)})
    answers = await asyncio.gather(
        *(
            _benefits(payers, practice_id, card, patient, types, request.day, request.fresh)
            for card in cards
        )
    )
    unknowns: list[str] = []
    used: list[tables.Coverage] = []
    terms: list[PayerTerms] = []
    if not cards:
        unknowns.append("No insurance card is in force on the date: the estimate is self-pay.")
    for card, answer in zip(cards, answers, strict=True):
        if isinstance(answer, str):
            unknowns.append(answer)
            continue
        allowed = tuple(
            [
                await allowed_amount(
                    session,
                    practice_id,
                    card.payer_id,
                    p.code,
                    p.modifiers,
                    p.units,
                    p.charge,
                    request.day,
                )
                for p in procedures
            ]
        )
        network = (
            Network.OUT_OF_NETWORK
            if card.payer_id in request.out_of_network
            else Network.IN_NETWORK
        )
        terms.append(
            payer_terms(
                answer,
                _payer_name(payers, card.payer_id),
                network,
                {line.service_type.code for line in lines},
                allowed,
            )
        )
        used.append(card)
    result = estimate(lines, terms)
    return PatientEstimate(result, tuple(used), (*unknowns, *result.unknowns))
