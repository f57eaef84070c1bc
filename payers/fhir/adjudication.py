"""EOB adjudication lists -> amounts by category and X12-style adjustments (group + CARC + amount).

A FHIR adjudication is a category (HL7 ``adjudication`` system, CARIN ``C4BBAdjudication``, or a
payer's own system next to one of those) with an amount and optionally a reason. We read:

- amounts by category (:data:`CATEGORIES`). Payers repeat a category on one line: Blue Button puts
  the deductible as blood + cash deductible (summed), and marks the revenue-center *rate*, *total
  charge* and *payment* amounts all as ``submitted``; the line's charge is the largest of them;
- explicit adjustments: an adjudication whose reason is a CARC (system
  ``.../claim-adjustment-reason-codes``), grouped by an X12 group code in its category if present,
  else by what the category means (patient cost share -> PR, non-covered -> CO), else OA. RARCs in
  the same reason are that adjustment's remarks; RARCs on their own are the list's remarks;
- derived adjustments, only where a line states no CARC of its own, from the CARIN categories with
  their standard CARC: deductible -> PR 1, coinsurance -> PR 2, copay -> PR 3, non-covered -> CO 96,
  prior payer paid -> OA 23, and submitted - eligible -> CO 45 (charge above the allowed amount).
  Pharmacy (Part D) data labels gross drug cost amounts ``coinsurance``, so pharmacy EOBs derive no
  PR 2 from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from payers.codesets import lookup
from payers.fhir.terminology import (
    AAA_REJECT_REASON,
    X12_CLAIM_STATUS,
    X12_CLAIM_STATUS_CATEGORY,
    codings,
    fhir_code,
    money,
)
from payers.model import Adjustment, Code

#: The categories we compute with, and the codes different payers use for them.
CATEGORIES: Mapping[str, str] = {
    "submitted": "submitted",
    "eligible": "eligible",
    "allowed": "eligible",
    "benefit": "benefit",
    "payment": "benefit",
    "paidtoprovider": "paidtoprovider",
    "paidtopatient": "paidtopatient",
    "deductible": "deductible",
    "copay": "copay",
    "coinsurance": "coinsurance",
    "coins": "coinsurance",
    "noncovered": "noncovered",
    "memberliability": "memberliability",
    "paidbypatient": "paidbypatient",
    "priorpayerpaid": "priorpayerpaid",
    "discount": "discount",
    "drugcost": "drugcost",
    "tax": "tax",
    "eligpercent": "eligpercent",
    "denialreason": "denialreason",
    "adjustmentreason": "adjustmentreason",
}
#: Blue Button variables, read only when an adjudication carries no HL7 or CARIN category coding
#: (its inpatient EOBs carry only these).
BLUE_BUTTON_VARIABLES: Mapping[str, str] = {
    "rev_cntr_tot_chrg_amt": "submitted",
    "rev_cntr_rate_amt": "rate",
    "rev_cntr_ncvrd_chrg_amt": "noncovered",
    "rev_cntr_pmt_amt_amt": "benefit",
    "line_sbmtd_chrg_amt": "submitted",
    "line_alowd_chrg_amt": "eligible",
    "line_nch_pmt_amt": "benefit",
}
_BLUE_BUTTON_PREFIX = "https://bluebutton.cms.gov/resources/variables/"
ADJUSTMENT_GROUPS = frozenset({"CO", "PR", "OA", "PI", "CR"})
_PATIENT_SHARE = frozenset(
    {"deductible", "copay", "coinsurance", "memberliability", "paidbypatient"}
)

# (category, group, CARC) in the order an 835 would list them.
_DERIVED = (
    ("deductible", "PR", "1"),
    ("coinsurance", "PR", "2"),
    ("copay", "PR", "3"),
    ("noncovered", "CO", "96"),
    ("priorpayerpaid", "OA", "23"),
)


@dataclass(frozen=True, slots=True)
class Adjudication:
    """One adjudication list (a line's, or the header's) read into amounts and adjustments."""

    amounts: Mapping[str, Decimal] = field(default_factory=dict)
    adjustments: tuple[Adjustment, ...] = ()
    remarks: tuple[Code, ...] = ()
    percent: Decimal | None = None

    def get(self, *categories: str) -> Decimal | None:
        """The amount of the first of ``categories`` present."""
        for category in categories:
            if category in self.amounts:
                return self.amounts[category]
        return None


def category_of(concept: Any) -> tuple[str | None, str | None]:
    """(our category, X12 group code) named by an adjudication or total category."""
    category = group = fallback = None
    for coding in codings(concept):
        code = str(coding.code)
        if code.upper() in ADJUSTMENT_GROUPS and group is None:
            group = code.upper()
        elif category is None and code.lower() in CATEGORIES:
            category = CATEGORIES[code.lower()]
        elif fallback is None and code.startswith(_BLUE_BUTTON_PREFIX):
            fallback = BLUE_BUTTON_VARIABLES.get(code.removeprefix(_BLUE_BUTTON_PREFIX))
    return category or fallback, group


def read_adjudications(entries: Sequence[Any] | None, *, pharmacy: bool = False) -> Adjudication:
    """Amounts, adjustments and remark codes of one adjudication (or total) list."""
    amounts: dict[str, Decimal] = {}
    explicit: list[Adjustment] = []
    remarks: list[Code] = []
    percent: Decimal | None = None
    for entry in entries or ():
        category, group = category_of(entry.category)
        amount = money(getattr(entry, "amount", None))
        if category == "eligpercent" and getattr(entry, "value", None) is not None:
            percent = _fraction(Decimal(str(entry.value)))
        if category and amount is not None:
            if category == "submitted":
                amounts[category] = max(amounts.get(category, amount), amount)
            else:
                amounts[category] = amounts.get(category, Decimal(0)) + amount
        reason = codings(getattr(entry, "reason", None))
        rarcs = tuple(lookup("rarc", str(c.code)) for c in reason if _is_rarc(c))
        carcs = [c for c in reason if _is_carc(c)]
        if carcs and amount:
            explicit.extend(
                Adjustment(
                    group=lookup("adjustment-group", group or _group_for(category)),
                    reason=lookup("carc", str(coding.code)),
                    amount=amount,
                    remarks=rarcs,  # remark codes stated with a CARC explain that adjustment
                )
                for coding in carcs
            )
        else:
            remarks.extend(rarcs)
    adjustments = tuple(explicit) or _derived(amounts, pharmacy=pharmacy)
    return Adjudication(amounts, adjustments, tuple(remarks), percent)


def _is_rarc(coding: Any) -> bool:
    system = str(coding.system or "").lower()
    return "remittance-advice-remark" in system or system.endswith("/rarc")


def _is_carc(coding: Any) -> bool:
    system = str(coding.system or "").lower()
    return "claim-adjustment-reason" in system or system.endswith("/carc")


def total_of(lines: Iterable[Adjudication], category: str) -> Decimal | None:
    """Sum of one category over lines that state it (None when no line does)."""
    values = [line.amounts[category] for line in lines if category in line.amounts]
    return sum(values, Decimal(0)) if values else None


def reason_codes(concepts: Iterable[Any]) -> tuple[Code, ...]:
    """Codes of reason/error concepts: CARC, RARC, AAA through our tables, others as FHIR."""
    out: list[Code] = []
    for concept in concepts:
        for coding in codings(concept):
            system = str(coding.system or "").lower()
            if "claim-adjustment-reason" in system:
                out.append(lookup("carc", str(coding.code)))
            elif "remittance-advice-remark" in system:
                out.append(lookup("rarc", str(coding.code)))
            elif system == AAA_REJECT_REASON.lower() or "aaa-reject-reason" in system:
                out.append(lookup("aaa-reject-reason", str(coding.code)))
            elif system == X12_CLAIM_STATUS_CATEGORY:
                out.append(lookup("claim-status-category", str(coding.code)))
            elif system == X12_CLAIM_STATUS:
                out.append(lookup("claim-status", str(coding.code)))
            else:
                out.append(fhir_code(coding))
    return tuple(out)


def _derived(amounts: Mapping[str, Decimal], *, pharmacy: bool) -> tuple[Adjustment, ...]:
    out = []
    for category, group, carc in _DERIVED:
        if pharmacy and category == "coinsurance":
            continue
        amount = amounts.get(category)
        if amount:
            out.append(_adjustment(group, carc, amount))
    submitted, eligible = amounts.get("submitted"), amounts.get("eligible")
    # Only a charge above the allowed amount (same sign: reversal lines are negative) is CO 45.
    if (
        submitted is not None
        and eligible is not None
        and abs(submitted) > abs(eligible)
        and (eligible == 0 or (submitted > 0) == (eligible > 0))
    ):
        out.append(_adjustment("CO", "45", submitted - eligible))
    return tuple(out)


def _adjustment(group: str, carc: str, amount: Decimal) -> Adjustment:
    return Adjustment(
        group=lookup("adjustment-group", group), reason=lookup("carc", carc), amount=amount
    )


def _group_for(category: str | None) -> str:
    if category in _PATIENT_SHARE:
        return "PR"
    if category in ("noncovered", "denialreason"):
        return "CO"
    return "OA"


def _fraction(value: Decimal) -> Decimal:
    """Percentages arrive as 80 or as 0.8; the model keeps fractions."""
    return value / 100 if value > 1 else value
