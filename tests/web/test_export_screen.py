"""The Export screen (/exports) over the real app: the zip it downloads with the person's own token,
de-identified unless they may and ask otherwise, the API's refusals at their fields, and the refusal
of a role without history:export."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from typing import Any

import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from gateway.storage.audit_tables import AuditEvent
from gateway.web.session import SessionSeal
from tests.exports.conftest import add_claims_and_payments
from tests.gateway.people import PASSWORD
from tests.web.conftest import COOKIE_NAME, Portal

TABLES = ("claims", "claim_lines", "payments", "payment_lines", "adjustments")
YEAR = {"from": "01/01/2026", "to": "12/31/2026", "format": "parquet"}


@pytest.fixture
async def claim_ids(portal: Portal) -> list[str]:
    """Claims in October and November 2026 with their lines, paid by posted remittances."""
    return await add_claims_and_payments(portal.gateway)


async def post_export(portal: Portal, **fields: Any) -> Any:
    token = await portal.csrf("/exports")
    return await portal.client.post("/exports", data={**fields, "csrf_token": token})


def zipped(response: Any) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


async def audited_exports(portal: Portal) -> list[AuditEvent]:
    async with portal.gateway.services.database.session() as session:
        found = await session.execute(
            select(AuditEvent).where(AuditEvent.kind == "history.export.started")
        )
        return list(found.scalars())


async def test_an_analyst_downloads_the_tables_de_identified(
    portal: Portal, claim_ids: list[str]
) -> None:
    await portal.login("analyst")
    form = await portal.client.get("/exports")
    assert form.status_code == 200
    assert 'href="/exports"' in form.text  # the menu offers it
    assert "patient_key" in form.text and "no names, birth dates, member IDs" in form.text
    assert 'name="identified"' not in form.text  # no phi:read: not offered
    # Even posted by hand, an analyst's export stays de-identified.
    response = await post_export(portal, **YEAR, identified="true")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert re.match(
        r'attachment; filename="history-2026-01-01-2026-12-31-parquet\.zip"',
        response.headers["content-disposition"],
    )
    files = zipped(response)
    manifest = json.loads(files["manifest.json"])
    for table in TABLES:
        assert manifest["rows"][table] > 0, table
        rows = pq.read_table(io.BytesIO(files[f"{table}.parquet"]))
        assert rows.num_rows == manifest["rows"][table]
    claims = pq.read_table(io.BytesIO(files["claims.parquet"]))
    assert claims.num_rows == len(claim_ids)
    assert "patient_key" in claims.column_names
    assert not {"patient_last_name", "patient_birth_date", "member_id"} & set(claims.column_names)
    # Asked with the person's own token: the audit trail names them, not a key of the portal.
    (started,) = await audited_exports(portal)
    assert started.actor_kind == "user"
    assert started.detail["identified"] == "false"


async def test_csv_by_month_for_one_payer(portal: Portal, claim_ids: list[str]) -> None:
    await portal.login("analyst")
    form = await portal.client.get("/exports")
    payer = re.search(r'name="payers" value="([^"]+)"', form.text)
    assert payer, form.text
    response = await post_export(
        portal, **{**YEAR, "format": "csv"}, payers=payer.group(1), partition="month"
    )
    assert response.status_code == 200, response.text
    files = zipped(response)
    manifest = json.loads(files["manifest.json"])
    claim_files = [n for n in files if n.startswith("claims/service_month=")]
    assert claim_files and all(n.endswith(".csv") for n in claim_files)
    assert manifest["rows"]["claims"] > 0
    assert sum(files[n].decode().count("\n") - 1 for n in claim_files) == manifest["rows"]["claims"]


async def test_identified_columns_are_offered_with_phi_read(
    portal: Portal, claim_ids: list[str]
) -> None:
    await portal.login("practice_admin")
    form = await portal.client.get("/exports")
    assert 'name="identified" value="true"' in form.text
    plain = zipped(await post_export(portal, **YEAR))
    assert "patient_last_name" not in pq.read_schema(io.BytesIO(plain["claims.parquet"])).names
    identified = zipped(await post_export(portal, **YEAR, identified="true"))
    claims = pq.read_table(io.BytesIO(identified["claims.parquet"])).to_pylist()
    assert claims and all(row["patient_last_name"] and row["member_id"] for row in claims)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"from": "12/31/2026", "to": "01/01/2026"}, "to", "'to' is before 'from'."),
        ({"from": "01/01/2020", "to": "12/31/2026"}, "to", "An export covers at most 731 days."),
        ({"from": "2026-01-01"}, "from", "Write the date as MM/DD/YYYY"),
        ({"payers": "no-such-payer"}, "payers", "Unknown payer"),
    ],
)
async def test_a_bad_request_is_shown_at_its_field(
    portal: Portal, fields: dict[str, str], field: str, message: str
) -> None:
    await portal.login("analyst")
    response = await post_export(portal, **{**YEAR, **fields})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    error = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', response.text)
    assert error and message in error.group(1).replace("&#39;", "'"), response.text
    assert 'class="error-summary"' in response.text
    assert "Traceback" not in response.text and "BAD_EXPORT_REQUEST" not in response.text
    # The form comes back as typed.
    assert f'value="{fields.get("from", YEAR["from"])}"' in response.text
    assert await audited_exports(portal) == []


@pytest.mark.parametrize("role", ["front_desk", "biller"])
async def test_a_role_without_the_scope_is_refused(portal: Portal, role: str) -> None:
    await portal.login(role)
    today = await portal.client.get("/")
    assert today.status_code == 200 and 'href="/exports"' not in today.text
    page = await portal.client.get("/exports")
    assert page.status_code == 403
    assert "You cannot export the practice&#39;s history" in page.text
    token = await portal.csrf("/")
    posted = await portal.client.post("/exports", data={**YEAR, "csrf_token": token})
    assert posted.status_code == 403
    assert await audited_exports(portal) == []


async def test_signed_out_is_sent_to_login(portal: Portal) -> None:
    response = await portal.client.get("/exports")
    assert response.status_code == 303 and response.headers["location"] == "/login"


async def test_an_expired_access_token_is_renewed_for_the_download(
    portal: Portal, claim_ids: list[str]
) -> None:
    await portal.login("analyst")
    token = await portal.csrf("/exports")
    seal = SessionSeal(portal.gateway.services.settings)
    opened = seal.open(portal.client.cookies[COOKIE_NAME])
    assert opened is not None
    opened["access_expires"] = 0  # as if the access token had just expired
    portal.client.cookies.clear()
    portal.client.cookies.set(COOKIE_NAME, seal.seal(opened))
    response = await portal.client.post("/exports", data={**YEAR, "csrf_token": token})
    assert response.status_code == 200, response.text
    assert json.loads(zipped(response)["manifest.json"])["rows"]["claims"] == len(claim_ids)


async def test_a_form_posted_after_expiry_comes_back_filled_in(
    short_idle: Portal,
    idle_out: Callable[[], None],
) -> None:
    portal = short_idle
    await portal.login("analyst")
    token = await portal.csrf("/exports")
    idle_out()
    posted = await portal.client.post(
        "/exports",
        data={"from": "03/01/2026", "to": "04/30/2026", "format": "ndjson", "partition": "month",
              "csrf_token": token},
    )  # fmt: skip
    assert posted.status_code == 303 and posted.headers["location"] == "/login?expired=1"
    person = portal.staff["analyst"]
    token = await portal.csrf("/login")
    await portal.client.post(
        "/login", data={"email": person.email, "password": PASSWORD, "csrf_token": token}
    )
    token = await portal.csrf("/login/code")
    done = await portal.client.post(
        "/login/code", data={"code": person.code(), "csrf_token": token}
    )
    target = done.headers["location"]
    assert re.fullmatch(r"/exports\?resume=[A-Za-z0-9_-]+", target), target
    back = await portal.client.get(target)
    assert 'value="03/01/2026"' in back.text and 'value="04/30/2026"' in back.text
    assert re.search(r'value="ndjson" checked', back.text)
    assert re.search(r'name="partition" value="month" checked', back.text)
