"""An eligibility answer's benefits in a front desk's words: copays per service, deductible, coinsurance,
out-of-pocket maximum; "The payer did not say" for what it left out.

Payers answer many benefit rows (in and out of network, individual and family, several periods). The
summary keeps the in-network, individual rows a front desk quotes to a patient, falling back to what
the payer sent when it sent nothing narrower, so an unusual answer still reads as something.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from gateway.web.formats import money

NOT_SAID = "The payer did not say."
_NETWORK_WORDS = {"IN_NETWORK": "in network", "OUT_OF_NETWORK": "out of network"}
#: Service types by their X12 code, as a front desk says them; others keep the payer's description.
_SERVICE_WORDS = {
    "30": "Any visit",
    "98": "Office visit",
    "UC": "Urgent care",
    "86": "Emergency room",
    "48": "Hospital stay",
    "33": "Chiropractic",
    "AL": "Eye exam",
    "MH": "Mental health",
    "88": "Prescriptions",
    "PT": "Physical therapy",
}
_FAMILY = {"FAMILY", "EMPLOYEE_AND_SPOUSE", "EMPLOYEE_AND_CHILDREN", "SPOUSE_AND_CHILDREN"}

Benefit = dict[str, Any]


def benefit_sentences(benefits: Sequence[Benefit] | None) -> list[str]:
    """The summary of one card's benefits, one sentence per line, in the order a front desk reads it."""
    rows = list(benefits or ())
    lines = _copays(rows)
    lines.append(_deductible(rows))
    lines.append(_coinsurance(rows))
    lines.append(_out_of_pocket(rows))
    return lines


def _preferred(rows: Iterable[Benefit], kind: str) -> list[Benefit]:
    """Rows of ``kind``, in network and for the individual when the payer sent such rows."""
    found = [row for row in rows if row.get("kind") == kind]
    for narrower in (
        lambda r: r.get("network") in {"IN_NETWORK", "BOTH"},
        lambda r: r.get("coverageLevel") not in _FAMILY,
    ):
        kept = [row for row in found if narrower(row)]
        found = kept or found
    return found


def _service(row: Benefit) -> str:
    types = row.get("serviceTypes") or []
    if not types:
        return "Any visit"
    return _SERVICE_WORDS.get(types[0]["code"], types[0]["description"])


def _network(row: Benefit) -> str:
    words = _NETWORK_WORDS.get(str(row.get("network")))
    return f" {words}" if words else ""


def _copays(rows: list[Benefit]) -> list[str]:
    copays = _preferred(rows, "COPAY")
    if not copays:
        return [f"Copay: {NOT_SAID}"]
    # Several copays for one service (primary care, specialist) read as one line: "$25.00 or $50.00".
    amounts: dict[tuple[str, str], list[str]] = {}
    for row in copays:
        if row.get("amount") not in (None, ""):
            said = amounts.setdefault((_service(row), _network(row)), [])
            if money(row["amount"]) not in said:
                said.append(money(row["amount"]))
    lines = [
        f"{service}: {' or '.join(said)} copay{network}"
        for (service, network), said in amounts.items()
    ]
    return lines or [f"Copay: {NOT_SAID}"]


def _limit(rows: list[Benefit], kind: str, label: str) -> str:
    """ "Deductible: $510 of $1,000 left" from a limit row and its remaining (or used) row."""
    found = _preferred(rows, kind)
    total = next((r["amount"] for r in found if r.get("amount") not in (None, "")), None)
    left = next((r["remaining"] for r in found if r.get("remaining") not in (None, "")), None)
    used = next((r["used"] for r in found if r.get("used") not in (None, "")), None)
    if left is None and used is not None and total is not None:
        left = _minus(total, used)
    if total is None and left is None:
        return f"{label}: {NOT_SAID}"
    if total is None:
        return f"{label}: {money(left)} left; the payer did not say the total."
    if left is None:
        return f"{label}: {money(total)}; the payer did not say how much is left."
    return f"{label}: {money(left)} of {money(total)} left"


def _minus(total: Any, used: Any) -> str | None:
    try:
        return str(max(Decimal(str(total)) - Decimal(str(used)), Decimal(0)))
    except InvalidOperation:
        return None


def _deductible(rows: list[Benefit]) -> str:
    return _limit(rows, "DEDUCTIBLE", "Deductible")


def _out_of_pocket(rows: list[Benefit]) -> str:
    return _limit(rows, "OUT_OF_POCKET", "Out-of-pocket maximum")


def _coinsurance(rows: list[Benefit]) -> str:
    found = [r for r in _preferred(rows, "COINSURANCE") if r.get("percent") not in (None, "")]
    if not found:
        return f"Coinsurance: {NOT_SAID}"
    row = found[0]
    try:
        share = Decimal(str(row["percent"])) * 100
    except InvalidOperation:
        return f"Coinsurance: {NOT_SAID}"
    percent = f"{share.normalize():f}%"
    return f"{percent} coinsurance after the deductible{_network(row)}"
