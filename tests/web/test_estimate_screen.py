"""The Estimate screen over HTTP (no browser): reached from the patient's page, codes looked up
without script, field errors at their boxes, the breakdown, and the printable good-faith estimate."""

from __future__ import annotations

import re
from typing import Any

from tests.web.conftest import Portal

FEES = """mutation($entries: [FeeScheduleEntryInput!]!) {
  setFeeScheduleEntries(entries: $entries) { errors { code } } }"""


async def _form(portal: Portal, patient_id: str) -> dict[str, str]:
    page = await portal.client.get(f"/patients/{patient_id}/estimate")
    assert page.status_code == 200, page.text
    fields = dict(
        re.findall(r'<input id="[^"]*" name="([^"]+)" type="text" value="([^"]*)"', page.text)
    )
    fields.update(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    return fields


async def test_estimate_from_the_patient_page_and_printed(portal: Portal, today: Any) -> None:
    quinn = portal.gateway.patient_ids["quinn"]
    body = await portal.gateway.query(
        FEES,
        {
            "entries": [
                {
                    "payerId": "lakeshore",
                    "code": "99213",
                    "allowedAmount": "89.90",
                    "effectiveFrom": "2020-01-01",
                },
                {
                    "payerId": "lakeshore",
                    "code": "83036",
                    "allowedAmount": "26.04",
                    "effectiveFrom": "2020-01-01",
                },
            ]
        },
    )
    assert body["data"]["setFeeScheduleEntries"]["errors"] == []
    await portal.login("front_desk")
    record = await portal.client.get(f"/patients/{quinn}")
    assert f'href="/patients/{quinn}/estimate"' in record.text

    fields = await _form(portal, quinn)
    assert fields["providerNpi"] and fields["date"]  # the practice's NPI, today
    # words in a code box: the codes offered, no script needed
    looked = await portal.client.post(
        f"/patients/{quinn}/estimate",
        data={**fields, "lines.0.code": "hemoglobin a1c", "action": "find"},
    )
    assert 'value="lines.0.code=83036"' in looked.text
    picked = await portal.client.post(
        f"/patients/{quinn}/estimate", data={**fields, "pick": "lines.0.code=99213"}
    )
    assert 'name="lines.0.code" type="text" value="99213"' in picked.text

    wrong = await portal.client.post(
        f"/patients/{quinn}/estimate",
        data={**fields, "lines.0.code": "99213", "lines.0.charge": "lots", "action": "estimate"},
    )
    assert wrong.status_code == 422
    assert 'id="lines.0.charge-error"' in wrong.text  # found here, nothing asked of the API
    refused = await portal.client.post(
        f"/patients/{quinn}/estimate",
        data={
            **fields,
            "lines.0.code": "99213",
            "lines.0.charge": "145.00",
            "providerNpi": "1234567890",
            "action": "estimate",
        },
    )
    assert refused.status_code == 422
    assert re.search(r'id="providerNpi-error">[^<]*NPI', refused.text)  # the API's check digit

    visit = {
        **fields,
        "line_count": "2",
        "lines.0.code": "99213",
        "lines.0.units": "1",
        "lines.0.charge": "145.00",
        "lines.1.code": "83036",
        "lines.1.units": "1",
        "lines.1.charge": "$42.00",
        "diagnoses": "E11.9, Z79.84",
    }
    shown = await portal.client.post(
        f"/patients/{quinn}/estimate", data={**visit, "action": "estimate"}
    )
    assert shown.status_code == 200, shown.text
    assert "The patient will owe about $51.04" in shown.text
    assert "$26.04 goes to the deductible, $1,500.00 left before." in shown.text

    printed = await portal.client.post(
        f"/patients/{quinn}/estimate", data={**visit, "action": "print"}
    )
    assert printed.status_code == 200
    text = printed.text
    for expected in (
        "Good Faith Estimate",
        "Placeholder, Quinn",
        f"NPI {fields['providerNpi']}",
        "TIN ",
        "E11.9, Z79.84",
        "99213",
        "83036",
        "$187.00",
        "$51.04",
        "right to dispute",
        "$400.00",
    ):
        assert expected in text, expected
