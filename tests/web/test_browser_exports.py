"""The Export screen in Chromium: an analyst fills the form and gets the zip as a download (Playwright
accepts downloads in its contexts and hands over the file); a bad range comes back at its field;
axe on both; screenshots to look at."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from tests.exports.conftest import add_claims_and_payments
from tests.web.browsing import Watched, axe_scan, login, screenshot
from tests.web.conftest import LivePortal

pytestmark = pytest.mark.browser


def test_an_analyst_downloads_a_csv_export_by_month(
    page: Watched, live_portal: LivePortal, tmp_path: Path
) -> None:
    live, p = live_portal, page.page
    claim_ids = live.run(add_claims_and_payments(live.gateway))
    login(page, live, "analyst")
    p.get_by_role("link", name="Export").click()
    p.wait_for_url("**/exports")
    assert p.locator("h1").inner_text() == "Export claim history"
    assert p.locator("input[name=identified]").count() == 0  # no phi:read
    assert axe_scan(page, "export form") == []
    screenshot(page, "export-form")

    p.fill("#from", "01/01/2026")
    p.fill("#to", "12/31/2026")
    p.get_by_label("CSV (spreadsheets)").check()
    p.get_by_label("Partition by service month").check()
    with p.expect_download() as started:
        p.get_by_role("button", name="Download the zip").click()
    download = started.value
    assert download.suggested_filename == "history-2026-01-01-2026-12-31-csv.zip"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        names = archive.namelist()
    assert manifest["rows"]["claims"] == len(claim_ids)
    for table in ("claims", "claim_lines", "payments", "payment_lines", "adjustments"):
        assert manifest["rows"][table] > 0
        assert any(n.startswith(f"{table}/service_month=2026-1") for n in names), table
    assert p.url.endswith("/exports")  # the form stays, as filled

    p.fill("#from", "12/31/2026")
    p.fill("#to", "01/01/2026")
    p.get_by_role("button", name="Download the zip").click()
    p.wait_for_selector(".error-summary")
    page.expect_status(400)
    assert p.locator("#to-error").inner_text() == "'to' is before 'from'."
    assert p.locator("#to").get_attribute("aria-invalid") == "true"
    assert axe_scan(page, "export form with an error") == []
    screenshot(page, "export-form-error")


def test_a_front_desk_is_refused(page: Watched, live_portal: LivePortal) -> None:
    live, p = live_portal, page.page
    login(page, live, "front_desk")
    assert p.get_by_role("link", name="Export").count() == 0
    p.goto(f"{live.url}/exports")
    page.expect_status(403)
    assert p.locator("h1").inner_text() == "You cannot export the practice's history"


def test_identifying_columns_are_offered_with_phi_read(
    page: Watched, live_portal: LivePortal
) -> None:
    live, p = live_portal, page.page
    login(page, live, "practice_admin")
    p.goto(f"{live.url}/exports")
    option = p.get_by_label("Include identifying columns", exact=False)
    assert option.count() == 1 and not option.is_checked()
    assert axe_scan(page, "export form with the identifying option") == []
    screenshot(page, "export-form-phi")
