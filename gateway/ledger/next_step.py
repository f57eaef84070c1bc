"""What a practice should do about a denial, read from its codes (group + CARC).

A table, not a judgement: each rule names the CARCs it covers and the step, and the worklist takes
the most pressing step among a claim's reasons (fixing the claim comes before appealing it, and both
before sending the patient a bill). A reason no rule names is appealed when the provider carries it
(CO/OA/PI) and billed to the patient when the payer put it on them (PR).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class NextStep(enum.StrEnum):
    CORRECT_AND_RESUBMIT = "CORRECT_AND_RESUBMIT"
    SEND_RECORDS = "SEND_RECORDS"
    APPEAL = "APPEAL"
    BILL_PATIENT = "BILL_PATIENT"
    BILL_SECONDARY = "BILL_SECONDARY"


#: Most pressing first: a claim with a coding error and a medical-necessity denial is corrected first.
PRIORITY = (
    NextStep.CORRECT_AND_RESUBMIT,
    NextStep.SEND_RECORDS,
    NextStep.BILL_SECONDARY,
    NextStep.APPEAL,
    NextStep.BILL_PATIENT,
)

#: Coding, billing and identity errors the practice fixes on the claim itself.
CORRECTABLE = frozenset(
    {"4", "5", "6", "7", "8", "9", "10", "11", "12", "16", "31", "140", "146", "181", "182"}
)
#: The payer wants documentation or an authorization: send it (or appeal with the authorization).
RECORDS = frozenset({"15", "197", "226", "252"})
#: Not covered: the provider appeals what it must write off, the patient pays what is theirs.
NOT_COVERED = frozenset({"49", "50", "55", "56", "96", "119", "167", "204", "35"})
#: Another payer should pay first or next.
OTHER_PAYER = frozenset({"22", "23"})
#: Outside the coverage period: the patient's to pay.
NOT_COVERED_THEN = frozenset({"26", "27"})
TIMELY_FILING = frozenset({"29"})
DUPLICATE = frozenset({"18"})


@dataclass(frozen=True, slots=True)
class Advice:
    """The step for one reason (None: nothing to send) and why, in words a biller reads."""

    step: NextStep | None
    words: str


def advise(group: str, reason: str, *, has_secondary: bool) -> Advice:
    """The next step for one adjustment (group code, CARC) of a denied claim."""
    if reason in DUPLICATE:
        return Advice(None, "A duplicate of a claim the payer already has: follow the original.")
    if reason in CORRECTABLE:
        return Advice(
            NextStep.CORRECT_AND_RESUBMIT,
            "Fix the claim's coding or details and send a correction.",
        )
    if reason in RECORDS:
        return Advice(
            NextStep.SEND_RECORDS,
            "Send the records or the authorization the payer asks for (appeal with the "
            "authorization number if there was one).",
        )
    if reason in OTHER_PAYER:
        if has_secondary:
            return Advice(NextStep.BILL_SECONDARY, "Send the claim to the patient's other payer.")
        return Advice(
            None, "Another payer may be responsible: ask the patient for their other insurance."
        )
    if reason in NOT_COVERED_THEN:
        return Advice(
            NextStep.BILL_PATIENT, "The patient had no coverage on that date: bill the patient."
        )
    if reason in TIMELY_FILING:
        return Advice(
            NextStep.APPEAL, "Filed too late: appeal with proof of timely filing, if you have it."
        )
    if reason in NOT_COVERED and group == "PR":
        return Advice(NextStep.BILL_PATIENT, "Not covered by the plan: the patient pays.")
    if reason in NOT_COVERED:
        return Advice(
            NextStep.APPEAL, "Not covered, and the practice may not bill the patient: appeal."
        )
    if group == "PR":
        return Advice(
            NextStep.BILL_PATIENT, "The payer left this to the patient: bill the patient."
        )
    return Advice(NextStep.APPEAL, "Denied for a reason the practice may contest: appeal.")


def most_pressing(advice: list[Advice]) -> Advice | None:
    """The step to take first among a claim's reasons (None when none asks for one)."""
    steps = [a for a in advice if a.step is not None]
    if not steps:
        return advice[0] if advice else None
    return min(steps, key=lambda a: PRIORITY.index(a.step))  # type: ignore[arg-type]
