"""Every next-step rule of gateway/ledger/next_step.py, and which step a claim takes first."""

from __future__ import annotations

import pytest

from gateway.ledger.next_step import Advice, NextStep, advise, most_pressing

RULES = [
    # (group, CARC, has a secondary card, expected step)
    *[
        ("CO", c, False, NextStep.CORRECT_AND_RESUBMIT)
        for c in ("4", "5", "11", "16", "146", "182")
    ],
    *[("CO", c, False, NextStep.SEND_RECORDS) for c in ("197", "15", "252")],
    ("CO", "50", False, NextStep.APPEAL),
    ("CO", "96", False, NextStep.APPEAL),
    ("CO", "204", False, NextStep.APPEAL),
    ("PR", "50", False, NextStep.BILL_PATIENT),
    ("PR", "96", False, NextStep.BILL_PATIENT),
    ("PR", "204", False, NextStep.BILL_PATIENT),
    ("OA", "22", True, NextStep.BILL_SECONDARY),
    ("OA", "23", True, NextStep.BILL_SECONDARY),
    ("OA", "22", False, None),
    ("PR", "27", False, NextStep.BILL_PATIENT),
    ("PR", "26", False, NextStep.BILL_PATIENT),
    ("CO", "27", True, NextStep.BILL_PATIENT),
    ("CO", "29", False, NextStep.APPEAL),
    ("OA", "18", False, None),
    ("CO", "18", True, None),
    ("CO", "B7", False, NextStep.APPEAL),  # no rule: the provider's to contest
    ("PR", "B7", False, NextStep.BILL_PATIENT),  # no rule: the payer left it to the patient
]


@pytest.mark.parametrize(("group", "reason", "secondary", "step"), RULES)
def test_each_code_suggests_its_step(
    group: str, reason: str, secondary: bool, step: NextStep | None
) -> None:
    advice = advise(group, reason, has_secondary=secondary)
    assert advice.step is step
    assert advice.words and advice.words.endswith(".")


def test_the_most_pressing_step_comes_first() -> None:
    def of(*codes: tuple[str, str]) -> NextStep | None:
        found = most_pressing([advise(g, r, has_secondary=True) for g, r in codes])
        return found.step if found else None

    assert of(("PR", "204"), ("CO", "29"), ("CO", "16")) is NextStep.CORRECT_AND_RESUBMIT
    assert of(("PR", "204"), ("CO", "197")) is NextStep.SEND_RECORDS
    assert of(("PR", "204"), ("OA", "22")) is NextStep.BILL_SECONDARY
    assert of(("PR", "204"), ("CO", "50")) is NextStep.APPEAL
    assert of(("OA", "18"), ("PR", "27")) is NextStep.BILL_PATIENT
    assert (
        of(
            ("OA", "18"),
        )
        is None
    )
    assert most_pressing([]) is None
    assert most_pressing([Advice(None, "x.")]) == Advice(None, "x.")
