"""Strict-then-lenient reading of FHIR R4 JSON, on the corpus and on broken bodies."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from payers.fhir.resources import (
    FhirContentError,
    dump_json,
    is_absent,
    load_json,
    parse_bundle,
    parse_resource,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "fhir"
#: Read leniently, each tested for what it lacks (test_fhir_eob_facts.py for the CARIN FR123 EOB).
LENIENT_FILES = {"carinbb_eob_professional_fr123.json"}
STRICT_FILES = sorted(
    p.name
    for p in FIXTURES.glob("*.json")
    if not p.name.startswith("bb2_eob_") and p.name not in LENIENT_FILES
)


def raw(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.mark.parametrize("name", STRICT_FILES)
def test_every_carin_and_core_example_parses_strictly(name: str) -> None:
    data = load_json(raw(name))
    if data["resourceType"] == "Bundle":
        parsed = parse_bundle(raw(name), "searchset")
        assert parsed.entries and all(e.strict for e in parsed.entries)
    else:
        parsed_one = parse_resource(raw(name))
        assert parsed_one.strict
        assert parsed_one.resource.get_resource_type() == data["resourceType"]
        assert parsed_one.resource.id == data["id"]


def test_bb2_carrier_eob_is_read_leniently_with_missing_elements_recorded() -> None:
    parsed = parse_resource(raw("bb2_eob_carrier_professional_v2.json"), ("ExplanationOfBenefit",))
    assert parsed.missing == ("insurance[0].focal", "insurer", "provider", "outcome")
    eob = parsed.resource
    assert is_absent(eob.insurer) and is_absent(eob.provider)
    assert eob.insurance[0].focal is None and eob.outcome is None
    assert eob.item[0].adjudication[1].amount.value == Decimal("50.0")


def test_bb2_inpatient_eob_missing_includes_choice_and_second_round_elements() -> None:
    parsed = parse_resource(raw("bb2_eob_inpatient_v2.json"))
    missing = parsed.missing
    assert missing[0] == "diagnosis[0].diagnosis[x]"
    assert [m for m in missing if m.endswith("productOrService")] == [
        f"item[{i}].productOrService" for i in range(11)
    ]
    assert "total[0].category" in missing
    # created/outcome only surface once field validation passed: the second lenient round
    assert missing[-2:] == ("created", "outcome")
    assert parsed.resource.diagnosis[0].packageCode.coding[0].code == "191"


def test_bb2_outpatient_and_pharmacy_bundle_missing() -> None:
    outpatient = parse_resource(raw("bb2_eob_outpatient_v2.json"))
    assert len(outpatient.missing) == 10
    assert "item[5].productOrService" in outpatient.missing
    bundle = parse_bundle(raw("bb2_eob_pharmacy_searchset_v2.json"), "searchset")
    assert len(bundle.entries) == 10
    assert bundle.entries[0].missing == (
        "insurance[0].focal",
        "insurance[1].focal",
        "insurance[2].focal",
        "insurer",
        "created",
        "outcome",
        "use",
    )
    assert "item[0].detail[0].productOrService" in bundle.entries[3].missing
    assert bundle.next_url is None
    assert len(bundle.of_type("ExplanationOfBenefit")) == 10


def test_lenient_read_does_not_touch_the_callers_dict() -> None:
    data = json.loads(raw("bb2_eob_carrier_professional_v2.json"))
    parse_resource(data)
    assert "insurer" not in data


def test_invalid_json_is_a_content_error() -> None:
    with pytest.raises(FhirContentError, match="not JSON"):
        parse_resource(b'{"resourceType": "Coverage", ')
    with pytest.raises(FhirContentError, match="not a JSON object"):
        parse_resource(b"[1, 2]")


def test_wrong_or_absent_resource_type() -> None:
    with pytest.raises(FhirContentError, match="expected ExplanationOfBenefit, got Coverage"):
        parse_resource(raw("r4_coverage_example.json"), ("ExplanationOfBenefit",))
    with pytest.raises(FhirContentError, match="no resourceType"):
        parse_resource(b'{"id": "x"}')
    with pytest.raises(FhirContentError, match="unknown FHIR R4 resourceType"):
        parse_resource(b'{"resourceType": "Banana"}')


def test_malformed_values_are_not_forgiven() -> None:
    data = json.loads(raw("r4_coverage_example.json"))
    data["period"]["start"] = "not-a-date"
    with pytest.raises(FhirContentError, match=r"invalid Coverage: period\.start"):
        parse_resource(data)
    data = json.loads(raw("r4_coverage_example.json"))
    data["colour"] = "blue"
    with pytest.raises(FhirContentError, match="colour"):
        parse_resource(data)


def test_bundle_type_is_checked_and_entry_errors_name_the_entry() -> None:
    with pytest.raises(FhirContentError, match="expected a batch Bundle, got searchset"):
        parse_bundle(raw("bb2_coverage_searchset_v2.json"), "batch")
    data = json.loads(raw("bb2_coverage_searchset_v2.json"))
    data["entry"][2]["resource"]["status"] = 42
    with pytest.raises(FhirContentError, match=r"Bundle\.entry\[2\]"):
        parse_bundle(data)


def test_dump_json_writes_exact_decimals() -> None:
    body = dump_json({"resourceType": "Basic", "amount": Decimal("30.10"), "n": [Decimal("-1.5")]})
    assert body == b'{"resourceType":"Basic","amount":30.10,"n":[-1.5]}'
    assert load_json(body)["amount"] == Decimal("30.10")
