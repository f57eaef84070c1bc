"""How a sandbox payer decides a received claim: denials with their CARC/RARC, or the priced lines.

Deterministic from the claim, the member's plan and what the member has spent so far. Claim-level
denials first (secondary without the primary's adjudication CO 22, coverage not in force CO 26/27,
timely filing CO 29, duplicate CO 18), then per line (authorization CO 197 + N54, non-covered
CO 96 + N130 / CO 204, therapy without GP/GO/GN CO 4 + N822, conflicting modifiers CO 4 + N519),
then the payer's fee schedule and the member's copay, deductible and coinsurance (never beyond the
out-of-pocket maximum left), or, for a secondary claim, coordination of benefits with the primary's
adjudication.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from payers.codesets import lookup
from payers.model import (
    ClaimLine,
    ClaimPayment,
    ClaimSubmission,
    PriorPayerAdjudication,
    ServiceLinePayment,
)
from payers.sandbox.adjudication import (
    ZERO,
    LineTerms,
    cap_patient_share,
    patient_share,
    settle_line,
    settle_secondary,
)
from payers.sandbox.policy import (
    AUTHORIZATION_REQUIRED,
    CONFLICTING_MODIFIERS,
    EMERGENCY_VISITS,
    NON_COVERED,
    OFFICE_VISITS,
    PREVENTIVE,
    THERAPY,
    THERAPY_MODIFIERS,
    URGENT_CARE_PLACE,
    PayerPolicy,
)
from payers.sandbox.world import SandboxMember, SandboxPayerBook

Denial = tuple[str, str, tuple[str, ...]]  # group, CARC, RARCs

# the CARC that denied a whole claim -> (277 category, status code, entity)
DENIAL_STATUS = {
    "4": ("F2", "21", None),
    "18": ("F2", "54", None),
    "22": ("F2", "85", "QC"),
    "26": ("F2", "88", "QC"),
    "27": ("F2", "88", "QC"),
    "29": ("F2", "21", None),
    "96": ("F2", "104", None),
    "197": ("F2", "84", None),
    "204": ("F2", "104", None),
}


@dataclass(frozen=True, slots=True)
class ClaimFacts:
    """What the payer knows about one received claim when it adjudicates it."""

    submission: ClaimSubmission
    control_number: str
    payer_claim_id: str
    received_on: date
    member: SandboxMember
    deductible_left: Decimal
    out_of_pocket_left: Decimal | None = None  # None: no out-of-pocket maximum
    duplicate: bool = False
    forwarded_to: str | None = None  # the secondary payer the claim crosses over to


@dataclass(frozen=True, slots=True)
class Outcome:
    """The adjudication: the 277 status it answers from now on and the claim's remittance."""

    category: str
    status: str
    entity: str | None
    payment: ClaimPayment
    deductible: Decimal  # applied to the member's deductible
    patient_share: Decimal


def service_date(facts: ClaimFacts) -> date:
    days = [line.service_date for line in facts.submission.lines if line.service_date]
    return min(days) if days else facts.received_on


def claim_denial(facts: ClaimFacts, policy: PayerPolicy) -> Denial | None:
    """Why the whole claim is denied, if it is."""
    submission = facts.submission
    if submission.responsibility != "P" and not submission.prior_payers:
        return ("CO", "22", ("MA04",))
    day = service_date(facts)
    if not facts.member.covers(day):
        start = facts.member.plan.start
        return ("CO", "26", ("N30",)) if start and day < start else ("CO", "27", ("N30",))
    if (facts.received_on - day).days > policy.timely_filing_days:
        return ("CO", "29", ())
    if facts.duplicate:
        return ("CO", "18", ("N111",))
    return None


def line_denial(line: ClaimLine) -> Denial | None:
    """Why one line is denied, if it is."""
    code = line.procedure.code
    modifiers = set(line.modifiers)
    if code in AUTHORIZATION_REQUIRED:
        return ("CO", "197", ("N54",))
    if code in NON_COVERED:
        carc, remarks = NON_COVERED[code]
        return ("CO", carc, remarks)
    if code in THERAPY and not modifiers & THERAPY_MODIFIERS:
        return ("CO", "4", ("N822",))
    if any(pair <= modifiers for pair in CONFLICTING_MODIFIERS):
        return ("CO", "4", ("N519",))
    return None


def _copay(book: SandboxPayerBook, submission: ClaimSubmission, code: str) -> Decimal | None:
    design = book.design
    if code in EMERGENCY_VISITS:
        return design.emergency_copay
    if code in OFFICE_VISITS:
        if submission.place_of_service == URGENT_CARE_PLACE:
            return design.urgent_care_copay
        return design.office_copay
    return None


def _prior_line(prior: PriorPayerAdjudication, line: ClaimLine) -> tuple[Decimal, Decimal]:
    """What the primary paid on ``line`` and wrote off (CO) on it."""
    for adjudicated in prior.lines:
        if adjudicated.line_number == line.line_number:
            contractual = sum(
                (a.amount for a in adjudicated.adjustments if a.group.code == "CO"), ZERO
            )
            return adjudicated.paid, contractual
    return ZERO, ZERO


def _spread(amount: Decimal, lines: tuple[ClaimLine, ...]) -> list[Decimal]:
    """A claim-level amount laid over the lines in order, none beyond its charge."""
    shares = []
    for line in lines:
        share = min(amount, line.charge)
        shares.append(share)
        amount -= share
    return shares


def prior_impacts(submission: ClaimSubmission) -> list[tuple[Decimal, Decimal]] | None:
    """Per line, what the earlier payers paid together and the largest write-off (CO) one of them
    took (claim-level amounts laid over the lines when a payer sent no line detail)."""
    if not submission.prior_payers:
        return None
    lines = submission.lines
    paid, contractual = [ZERO] * len(lines), [ZERO] * len(lines)
    for prior in submission.prior_payers:
        if prior.lines:
            per_line = [_prior_line(prior, line) for line in lines]
        else:
            claim_co = sum((a.amount for a in prior.adjustments if a.group.code == "CO"), ZERO)
            per_line = list(zip(_spread(prior.paid, lines), _spread(claim_co, lines), strict=True))
        for n, (line_paid, line_co) in enumerate(per_line):
            paid[n] += line_paid
            contractual[n] = max(contractual[n], line_co)
    return list(zip(paid, contractual, strict=True))


def adjudicate(book: SandboxPayerBook, policy: PayerPolicy, facts: ClaimFacts) -> Outcome:
    """The payer's decision on ``facts``; lines balance and CLP05 is the sum of PR."""
    submission = facts.submission
    whole = claim_denial(facts, policy)
    coinsurance = book.design.coinsurance[0]
    deductible_left = facts.deductible_left
    out_of_pocket_left = facts.out_of_pocket_left
    copay_taken = False
    priors = prior_impacts(submission)
    settled: list[ServiceLinePayment] = []
    denials = 0
    deductible = ZERO
    for index, line in enumerate(submission.lines):
        denial = whole or line_denial(line)
        if denial is not None:
            denials += 1
            settled.append(settle_line(line, policy.allowed_rate, LineTerms(denial=denial)))
            continue
        code = line.procedure.code
        copay = None if copay_taken else _copay(book, submission, code)
        if code in PREVENTIVE:
            terms = LineTerms()
        elif copay is not None:
            terms, copay_taken = LineTerms(copay=copay), True
        else:
            terms = LineTerms(deductible=deductible_left, coinsurance=coinsurance)
        own = settle_line(line, policy.allowed_rate, terms)
        if priors is not None:
            own = settle_secondary(own, *priors[index])
        if out_of_pocket_left is not None:
            own = cap_patient_share(own, out_of_pocket_left)
            out_of_pocket_left -= patient_share(own.adjustments)
        applied = sum(
            (a.amount for a in own.adjustments if a.group.code == "PR" and a.reason.code == "1"),
            ZERO,
        )
        deductible_left -= applied
        deductible += applied
        settled.append(own)
    denied = denials == len(settled)
    return _outcome(submission, facts, whole, settled, deductible, denied)


def _outcome(
    submission: ClaimSubmission,
    facts: ClaimFacts,
    whole: Denial | None,
    settled: list[ServiceLinePayment],
    deductible: Decimal,
    denied: bool,
) -> Outcome:
    paid = sum((s.paid for s in settled), ZERO)
    patient = sum((patient_share(s.adjustments) for s in settled), ZERO)
    remarks: tuple[str, ...] = ()
    if denied:
        clp02 = "4"
    elif facts.forwarded_to:
        clp02, remarks = "19", ("MA18",)
    else:
        clp02 = {"P": "1", "S": "2", "T": "3"}.get(submission.responsibility, "1")
        if submission.responsibility == "P" and submission.prior_payers:  # priced as a secondary
            clp02 = "2" if len(submission.prior_payers) == 1 else "3"
    payment = ClaimPayment(
        control_number=facts.control_number,
        payer_claim_id=facts.payer_claim_id,
        status=lookup("claim-payment-status", clp02),
        charge=submission.total_charge,
        paid=paid,
        patient_responsibility=patient,
        member_id=facts.member.member_id,
        service_date_from=min((s.service_date for s in settled if s.service_date), default=None),
        service_date_to=max((s.service_date for s in settled if s.service_date), default=None),
        lines=tuple(settled),
        remarks=tuple(lookup("rarc", code) for code in remarks),
    )
    if denied:
        carc = whole[1] if whole else _first_denial(settled)
        category, status, entity = DENIAL_STATUS.get(carc, ("F2", "21", None))
    else:
        category, status, entity = "F1", "65", None
    return Outcome(category, status, entity, payment, deductible, patient)


def _first_denial(settled: list[ServiceLinePayment]) -> str:
    for line in settled:
        for adjustment in line.adjustments:
            if adjustment.group.code == "CO":
                return adjustment.reason.code
    return "96"
