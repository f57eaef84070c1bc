"""A service line's code read in the code list its qualifier names (835 SVC01, 837 SV101...).

``HC`` is HCPCS/CPT and is looked up in the procedure table; ``NU`` is a NUBC revenue code, ``AD``
an ADA dental code, ``N4`` a National Drug Code, ``ZZ`` a code the two parties agreed on: none of
them is a HCPCS code, so each gets its own system and a description that says what it is. Only
the procedure and revenue-code tables are ours; for the other lists (CDT is the ADA's, NDC the
FDA's...) the description names the list and the code rather than pretending to know the item.
"""

from __future__ import annotations

from payers.codesets import is_known, lookup
from payers.model import Code

#: qualifier -> (code system, how a code of that list is described)
_LISTS: dict[str, tuple[str, str]] = {
    "AD": ("cdt", "ADA dental procedure code {code}"),
    "ER": ("jurisdiction-specific", "jurisdiction-specific procedure or supply code {code}"),
    "HP": ("hipps", "HIPPS rate code {code}"),
    "IV": ("hiec", "Home Infusion EDI Coalition (HIEC) product/service code {code}"),
    "N4": ("ndc", "National Drug Code {code}"),
    "N6": ("nhric", "National Health Related Item Code {code}"),
    "UI": ("upc", "U.P.C. consumer package code {code}"),
    "WK": ("abc", "Advanced Billing Concepts (ABC) code {code}"),
    "ID": ("icd9-pcs", "ICD-9-CM procedure code {code}"),
    "ZZ": ("mutually-defined", "mutually defined code {code} (agreed between payer and provider)"),
}


def service_code(qualifier: str, code: str) -> Code:
    """``code`` of the list ``qualifier`` names; an unknown qualifier keeps the code, said so."""
    qualifier = qualifier.strip().upper()
    if qualifier == "HC":
        return lookup("procedure", code)
    if qualifier == "NU":
        padded = code.zfill(4) if code.isdigit() else code
        if is_known("revenue-code", padded):
            return Code("revenue-code", code, lookup("revenue-code", padded).description)
        return Code("revenue-code", code, f"revenue code {padded}")
    if qualifier in _LISTS:
        system, words = _LISTS[qualifier]
        return Code(system, code, words.format(code=code))
    return Code(
        "service-code",
        code,
        f"code {code} from list {qualifier or '(none)'} (not a known qualifier)",
    )
