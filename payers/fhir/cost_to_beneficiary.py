"""``Coverage.costToBeneficiary`` -> :class:`Benefit` (what the card says the member pays).

Each entry's ``type`` is an HL7 coverage-copay-type code (``gpvisit``, ``copaypct``,
``deductible``, ``maxoutofpocket``...) or a CARIN Digital Insurance Card extended one
(``FamInDed``: family, in network, deductible; ``IndRxOutMax``; ``rx``...). It becomes:

- the kind: percentage types (``copaypct``) are coinsurance, ``deductible`` a deductible,
  ``maxoutofpocket`` an out-of-pocket maximum, every visit type a copay; the benefit's code is the
  payer's type code with its description (a card states no X12 EB01);
- the service type where a copay type names one (GP visit -> 98 office visit, emergency -> 86,
  inpatient hospital -> 48, urgent care -> UC, pharmacy -> 88);
- ``valueMoney`` -> amount; ``valueQuantity`` -> percent when it is a percentage (unit ``%`` or a
  percentage type: 20 -> 0.20), else quantity with its unit. A value stated only as text (the C4DIC
  BeneficiaryCostString extension: "DED THEN $10/$40/$70/25%") is kept as a message, amount absent;
- ``exception`` entries (type + period) on the benefit, as :class:`BenefitException`.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from payers.codesets import lookup
from payers.fhir.terminology import as_date, codings, currency, fhir_code, money
from payers.model import (
    Benefit,
    BenefitException,
    BenefitKind,
    Code,
    CoverageLevel,
    Network,
)

COPAY_TYPE = "http://terminology.hl7.org/CodeSystem/coverage-copay-type"
COST_STRING_EXTENSION = "http://hl7.org/fhir/us/insurance-card/StructureDefinition/C4DIC-BeneficiaryCostString-extension"
PERCENT_PLACES = Decimal("0.01")

_KINDS = {
    "copaypct": BenefitKind.COINSURANCE,
    "deductible": BenefitKind.DEDUCTIBLE,
    "maxoutofpocket": BenefitKind.OUT_OF_POCKET,
}
#: X12 service types the HL7 copay types name (televisit and spvisit have none of their own).
_SERVICE_TYPES = {"gpvisit": "98", "emergency": "86", "inpthosp": "48", "urgentcare": "UC"}
PHARMACY = "88"
#: C4DIC extended types: [Fam|Ind][Rx][In|Out][Ded|Max], e.g. FamRxInDed.
_EXTENDED = re.compile(r"^(Fam|Ind)?(Rx)?(In|Out)(Ded|Max)$")
_LEVELS = {"Fam": CoverageLevel.FAMILY, "Ind": CoverageLevel.INDIVIDUAL}
_NETWORKS = {"In": Network.IN_NETWORK, "Out": Network.OUT_OF_NETWORK}
_EXTENDED_KINDS = {"Ded": BenefitKind.DEDUCTIBLE, "Max": BenefitKind.OUT_OF_POCKET}


def cost_benefits(coverage: Any) -> tuple[Benefit, ...]:
    """The benefits a Coverage's ``costToBeneficiary`` entries state, in their order."""
    return tuple(_benefit(entry) for entry in coverage.costToBeneficiary or ())


def _benefit(entry: Any) -> Benefit:
    coding = next(iter(codings(entry.type)), None)
    type_code = str(coding.code) if coding is not None else "copay"
    code = _code(coding)
    kind = _KINDS.get(type_code, BenefitKind.COPAY)
    service_types: tuple[Code, ...] = ()
    if type_code in _SERVICE_TYPES:
        service_types = (lookup("service-type", _SERVICE_TYPES[type_code]),)
    network, level = Network.UNKNOWN, None
    extended = _EXTENDED.match(type_code)
    if extended:
        family, rx, where, what = extended.groups()
        kind, network, level = _EXTENDED_KINDS[what], _NETWORKS[where], _LEVELS.get(family or "")
        if rx:
            service_types = (lookup("service-type", PHARMACY),)
    elif type_code == "rx":
        service_types = (lookup("service-type", PHARMACY),)
    amount = money(entry.valueMoney)
    percent = quantity = None
    unit = None
    if entry.valueQuantity is not None and entry.valueQuantity.value is not None:
        value = Decimal(str(entry.valueQuantity.value))
        unit = entry.valueQuantity.unit or entry.valueQuantity.code
        if unit == "%" or kind is BenefitKind.COINSURANCE:
            kind = BenefitKind.COINSURANCE
            percent = (value / 100).quantize(PERCENT_PLACES)
            unit = None
        else:
            quantity = value
    messages = [text for text in (_cost_string(entry.valueMoney),) if text]
    unit_of_money = currency(entry.valueMoney)
    if unit_of_money and unit_of_money != "USD":
        messages.append(f"amounts in {unit_of_money}")
    return Benefit(
        kind=kind,
        code=code,
        service_types=service_types,
        network=network,
        coverage_level=level,
        amount=amount,
        percent=percent,
        quantity=quantity,
        quantity_unit=str(unit) if unit else None,
        messages=tuple(messages),
        exceptions=tuple(_exception(e) for e in entry.exception or ()),
    )


def _code(coding: Any) -> Code:
    if coding is None:
        return lookup("fhir-copay-type", "copay")
    if str(coding.system or "") == COPAY_TYPE:
        return lookup("fhir-copay-type", str(coding.code))
    return fhir_code(coding)


def _exception(entry: Any) -> BenefitException:
    coding = next(iter(codings(entry.type)), None)
    period = entry.period
    if coding is None:
        kind = Code("fhir-coverage-exception", "unknown", "Exception not stated")
    elif "coverage-financial-exception" in str(coding.system or ""):
        kind = lookup("fhir-coverage-exception", str(coding.code))
    else:
        kind = fhir_code(coding)
    return BenefitException(
        type=kind,
        start=as_date(period.start) if period else None,
        end=as_date(period.end) if period else None,
    )


def _cost_string(value: Any) -> str | None:
    """The cost a card states in words where it has no amount (C4DIC BeneficiaryCostString)."""
    for extension in getattr(value, "extension", None) or ():
        if extension.url == COST_STRING_EXTENSION and extension.valueString:
            return str(extension.valueString)
    return None
