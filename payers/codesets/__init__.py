"""Code sets the normalized model speaks: each code keeps its code and a readable description.

``lookup(system, value)`` returns a :class:`payers.model.Code`; an unknown code is kept (never
dropped) with a description saying it is not in our table, so a payer's newer codes still reach the
biller.
The tables live one module per code system in this package; their sources are named in each module.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

from payers.codesets import ncpdp_reject, tables
from payers.model import Code

#: ICD-9-CM (837 HI qualifiers BK/BF) has no table: its codes keep their code and this description.
ICD9CM = "icd9cm"
ICD9CM_DESCRIPTION = "ICD-9-CM diagnosis code (not looked up: the gateway has no ICD-9-CM table)"

#: code system name -> {code: description}
SYSTEMS: Mapping[str, Mapping[str, str]] = MappingProxyType(tables.ALL)


def normalize(system: str, value: str) -> str:
    """The form our tables use: ICD-10-CM with its dot (X12 sends ``E119`` for ``E11.9``)."""
    value = value.strip()
    if system in ("icd10cm", "icd9cm"):
        value = value.upper()
        # ICD-9-CM external-cause codes (E800-E999) have four characters before the dot.
        head = 4 if system == "icd9cm" and value.startswith("E") else 3
        if "." not in value and len(value) > head:
            value = f"{value[:head]}.{value[head:]}"
    elif system == "ncpdp-reject":
        value = ncpdp_reject.normalize(value)
    return value


def lookup(system: str, value: str) -> Code:
    """The code ``value`` of ``system`` with its description (unknown codes are kept, marked)."""
    if type(system) is str and type(value) is str:
        return _known_lookup(system, value)
    return _lookup(system, value)


@lru_cache(maxsize=8192)
def _known_lookup(system: str, value: str) -> Code:
    """Memoized (bounded, so a payer's unknown codes cannot grow it without limit): decoding answers
    looks up the same few codes again and again, and a ``Code`` is frozen, so one can be shared."""
    return _lookup(system, value)


def _lookup(system: str, value: str) -> Code:
    value = normalize(system, value)
    if system == ICD9CM:  # no table: say what the code is rather than guess at it
        return Code(system=system, code=value, description=ICD9CM_DESCRIPTION)
    description = SYSTEMS[system].get(value)
    if description is None:
        description = f"{system} code {value} (not in the gateway's table)"
    return Code(system=system, code=value, description=description)


#: Front-desk wording by code system, where we have one (ours, not the code set's own text).
PLAIN_WORDS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {"aaa-reject-reason": tables.AAA_PLAIN_WORDS}
)


def plain_words(code: Code) -> str | None:
    """What a front desk should make of ``code`` in plain words, or None if we have no wording."""
    return PLAIN_WORDS.get(code.system, {}).get(normalize(code.system, code.code))


def is_known(system: str, value: str) -> bool:
    return normalize(system, value) in SYSTEMS[system]
