"""An EOB whose totals disagree with its items: balancing findings, reported, never fixed.

- :data:`TOTAL_MISMATCH`: a ``total`` category (submitted, eligible, benefit, deductible, copay...)
  that is not the sum of the same category over the ``item`` and ``addItem`` adjudications. Only
  categories at least one item states are compared (an EOB may give a total its lines do not
  break down). ``expected`` is the items' sum, ``actual`` the stated total; the location names the
  category (``ExplanationOfBenefit.total[benefit]``). Blue Button's UB-04 total-charge line
  (revenue code 0001) is itself a total, not an item, and is left out of the sum.
- :data:`PAYMENT_MISMATCH`: ``payment.amount`` that is not the benefit total. FHIR defines the
  amount as the benefit "less any payment adjustment" without fixing the adjustment's sign, so with
  a ``payment.adjustment`` either sign balances; ``expected`` is the benefit total (with the
  adjustment applied as a deduction when one is stated), ``actual`` the payment amount.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from payers.fhir.adjudication import read_adjudications
from payers.fhir.terminology import codings, money
from payers.model import Finding

TOTAL_MISMATCH = "FHIR_EOB_TOTAL_MISMATCH"
PAYMENT_MISMATCH = "FHIR_EOB_PAYMENT_MISMATCH"
TOTAL_CHARGE_REVENUE_CODE = "0001"


def balance_findings(eob: Any, *, pharmacy: bool = False) -> tuple[Finding, ...]:
    """Totals against items, and the payment against the benefit total."""
    totals = read_adjudications(eob.total, pharmacy=pharmacy).amounts
    items = [
        read_adjudications(entry.adjudication, pharmacy=pharmacy).amounts for entry in _entries(eob)
    ]
    findings = []
    for category, stated in totals.items():
        values = [amounts[category] for amounts in items if category in amounts]
        if not values:
            continue
        summed = sum(values, Decimal(0))
        if summed != stated:
            findings.append(
                Finding(
                    code=TOTAL_MISMATCH,
                    message=f"the EOB's {category} total {stated} is not the sum of its items' "
                    f"{category} amounts ({summed})",
                    location=f"ExplanationOfBenefit.total[{category}]",
                    expected=summed,
                    actual=stated,
                )
            )
    payment = _payment_finding(eob, totals.get("benefit"))
    return (*findings, *([payment] if payment else []))


def _entries(eob: Any) -> Iterable[Any]:
    for item in eob.item or ():
        revenue = codings(item.revenue)
        if revenue and str(revenue[0].code) == TOTAL_CHARGE_REVENUE_CODE:
            continue
        yield item
    yield from eob.addItem or ()


def _payment_finding(eob: Any, benefit: Decimal | None) -> Finding | None:
    payment = eob.payment
    amount = money(payment.amount) if payment is not None else None
    if amount is None or benefit is None:
        return None
    adjustment = money(payment.adjustment)
    balanced = {benefit} if not adjustment else {benefit - adjustment, benefit + adjustment}
    if amount in balanced:
        return None
    expected = benefit - adjustment if adjustment else benefit
    return Finding(
        code=PAYMENT_MISMATCH,
        message=f"the EOB's payment amount {amount} is not its benefit total {benefit}"
        + (f" with the payment adjustment {adjustment}" if adjustment else ""),
        location="ExplanationOfBenefit.payment.amount",
        expected=expected,
        actual=amount,
    )
