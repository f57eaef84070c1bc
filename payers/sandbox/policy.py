"""Each sandbox payer's claim rules: fee schedule, filing limit, crossover, and the code lists that
decide pends, records requests, authorizations, non-covered services and modifiers (pure data)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from payers.sandbox.scenarios import ALLOWED_RATES


@dataclass(frozen=True, slots=True)
class PayerPolicy:
    """How one payer adjudicates."""

    allowed_rate: Decimal  # allowed amount = charge x rate (its fee schedule as a share of charges)
    timely_filing_days: int  # from the date of service to receipt
    payment_method: str  # BPR04 of its remittances: ACH (EFT) or CHK
    trace_prefix: str
    crossover: bool = False  # forwards its members' claims to their secondary payer (MA18)
    pend_over: Decimal = Decimal("1000.00")  # total charges above this are reviewed (P1)


POLICIES: dict[str, PayerPolicy] = {
    "lakeshore": PayerPolicy(Decimal(ALLOWED_RATES["lakeshore"]), 90, "ACH", "1LKS"),
    # Cascade's plans work like Medicare: it forwards claims to the secondary payer by itself.
    "cascade": PayerPolicy(Decimal(ALLOWED_RATES["cascade"]), 365, "ACH", "CMI", crossover=True),
    "northwind": PayerPolicy(Decimal(ALLOWED_RATES["northwind"]), 180, "ACH", "NWB"),
    "summit": PayerPolicy(Decimal(ALLOWED_RATES["summit"]), 180, "CHK", "SHA"),
}


def policy_of(book_key: str) -> PayerPolicy:
    """The payer's rules (a default PPO's for a book without its own)."""
    return POLICIES.get(book_key) or PayerPolicy(Decimal("0.60"), 180, "ACH", "SBX")


#: Advanced imaging that needs a prior authorization on file (CO 197 + N54).
AUTHORIZATION_REQUIRED = frozenset({"70551", "70552", "70553", "72148"})
#: Services the plans never cover: code -> (CARC, RARCs).
NON_COVERED: dict[str, tuple[str, tuple[str, ...]]] = {
    **{code: ("96", ("N130",)) for code in ("97810", "97811", "97813", "97814")},  # acupuncture
    "92015": ("204", ()),  # refraction (routine eye exam)
}
#: Therapy codes that must say which discipline (GP physical, GO occupational, GN speech).
THERAPY = frozenset(
    {
        "97110", "97112", "97116", "97140", "97161", "97162", "97163", "97164", "97165",
        "97166", "97167", "97168", "97530", "97535", "92507", "92523",
    }
)  # fmt: skip
THERAPY_MODIFIERS = frozenset({"GP", "GO", "GN"})
#: Modifier pairs that cannot go on one line (N519): both sides, bilateral with a side.
CONFLICTING_MODIFIERS = (frozenset({"RT", "LT"}), frozenset({"50", "RT"}), frozenset({"50", "LT"}))
#: Paid in full in network: preventive visits and vaccines.
PREVENTIVE = frozenset(
    {"99381", "99391", "99393", "99395", "99396", "99397", "90686", "90471", "90460"}
)
#: Office or outpatient E/M visits: a copay instead of deductible and coinsurance.
OFFICE_VISITS = frozenset({f"992{n:02d}" for n in range(2, 16)})
EMERGENCY_VISITS = frozenset({f"9928{n}" for n in range(1, 6)})
URGENT_CARE_PLACE = "20"


def is_unlisted(code: str) -> bool:
    """An unlisted procedure (CPT xxx99, e.g. 20999, 64999): the payer asks for the records."""
    return len(code) == 5 and code.isdigit() and code.endswith("99")
