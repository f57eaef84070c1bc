"""Payments and Practice admin in Chromium, from login to result against the sandbox payers: a paid
patient's adjustments and what they owe; an API key created, shown once and revoked; a person invited;
a webhook refused, registered and deleted; the audit trail showing these events. Axe on every state."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.claims.conftest import LOOPBACK_NETWORKS
from tests.web.browsing import Watched, axe_scan, login, screenshot
from tests.web.conftest import LivePortal

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module", autouse=True)
def loopback_webhooks() -> Iterator[None]:
    """Webhooks may use plain http to loopback here (set before the module's live portal starts)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PAYER_GATEWAY_CLAIMS_WEBHOOK_ALLOW_HTTP", "true")
        patch.setenv("PAYER_GATEWAY_CLAIMS_WEBHOOK_ALLOWED_NETWORKS", LOOPBACK_NETWORKS)
        yield


def _shot(page: Watched, name: str, found: list[str]) -> None:
    found += axe_scan(page, name)
    screenshot(page, name)


def test_payments_show_a_paid_patients_adjustments_and_what_they_owe(
    page: Watched, live_portal: LivePortal, world: Any
) -> None:
    live, p, found = live_portal, page.page, []
    gateway = live.gateway
    person = next(
        key
        for key in world.people
        if key in gateway.patient_ids
        and any(
            m.payer_key in gateway.sandbox_apps
            and world.books[m.payer_key].payments_for(m.member_id)
            for m in world.coverages_of(key)
        )
    )
    login(page, live, "biller")
    p.click("nav.site-nav >> text=Payments")
    p.wait_for_url("**/payments")
    _shot(page, "payments-patients", found)
    p.goto(f"{live.url}/payments/{gateway.patient_ids[person]}")
    assert "Patient owes $" in p.inner_text("main")
    assert p.locator(".adjustments li").count() > 0
    _shot(page, "payments-patient", found)
    p.goto(f"{live.url}/payments/00000000-0000-0000-0000-000000000000")
    p.wait_for_selector("h1")
    page.expect_status(404)
    _shot(page, "payments-not-found", found)
    p.goto(f"{live.url}/payments")
    p.click("text=Sign out")
    p.wait_for_url("**/login*")
    login(page, live, "analyst")  # no phi:read: patients by their key, amounts all the same
    p.goto(f"{live.url}/payments/{gateway.patient_ids[person]}")
    assert "Patient owes $" in p.inner_text("main") and "Payments for Patient " in p.inner_text(
        "h1"
    )
    _shot(page, "payments-patient-analyst", found)
    assert found == []


def test_an_admin_creates_and_revokes_a_key_invites_and_manages_a_webhook(
    page: Watched, live_portal: LivePortal
) -> None:
    live, p, found = live_portal, page.page, []
    login(page, live, "practice_admin")
    p.click("nav.site-nav >> text=Admin")
    p.wait_for_url("**/admin")
    _shot(page, "admin-people", found)

    # Invite someone, keyboard only: a mistake first, then the code shown once.
    p.focus("#email")
    p.keyboard.type("nobody-at-all")
    p.select_option("#role", "BILLER")
    p.click("button:has-text('Send invitation')")
    p.wait_for_selector(".error-summary")
    page.expect_status(400)
    _shot(page, "admin-invite-error", found)
    p.fill("#email", "new.biller@portal.example")
    p.click("button:has-text('Send invitation')")
    p.wait_for_url("**/admin/invitations/sent?shown=*")
    code = p.inner_text(".secret code")
    _shot(page, "admin-invited", found)
    p.reload()
    assert code not in p.content() and "no longer shown" in p.inner_text("main")
    p.click("text=Back to People")
    assert "new.biller@portal.example" in p.inner_text("main")
    p.click("a:has-text('Withdraw')")
    p.wait_for_url("**/withdraw")
    _shot(page, "admin-invitation-withdraw-confirm", found)
    p.click("text=Cancel")
    p.locator("tr", has_text="Front_Desk").locator("a:has-text('Disable')").click()
    p.wait_for_url("**/disable")
    _shot(page, "admin-disable-confirm", found)
    p.click("button:has-text('Disable')")
    p.wait_for_url("**/admin")
    assert "Disabled" in p.locator("tr", has_text="Front_Desk").inner_text()
    p.locator("tr", has_text="Front_Desk").locator("button:has-text('Enable')").click()
    p.wait_for_url("**/admin")
    assert "Active" in p.locator("tr", has_text="Front_Desk").inner_text()

    # An API key: shown once, then revoked after a confirm step.
    p.click(".admin-tabs >> text=API keys")
    p.wait_for_url("**/admin/api-keys")
    p.click("button:has-text('Create the key')")
    p.wait_for_selector(".error-summary")
    page.expect_status(400)
    _shot(page, "admin-key-errors", found)
    p.fill("#name", "Scheduling app")
    p.get_by_label("Check insurance eligibility and benefits").check()
    p.get_by_label("1 year").check()
    p.click("button:has-text('Create the key')")
    p.wait_for_url("**/admin/api-keys/created?shown=*")
    secret = p.inner_text(".secret code")
    assert secret.startswith("pgw_")
    _shot(page, "admin-key-created", found)
    p.click("text=Back to API keys")
    assert secret not in p.content()
    _shot(page, "admin-keys", found)
    p.locator("tr", has_text="Scheduling app").locator("text=Revoke").click()
    p.wait_for_url("**/revoke")
    _shot(page, "admin-key-revoke-confirm", found)
    p.click("button:has-text('Revoke the key')")
    p.wait_for_url("**/admin/api-keys")
    assert "Revoked" in p.locator("tr", has_text="Scheduling app").inner_text()

    # A webhook: a private https address refused, then one registered and deleted.
    p.click(".admin-tabs >> text=Webhooks")
    p.fill("#url", "https://10.0.0.5/hook")
    p.click("button:has-text('Add the webhook')")
    p.wait_for_selector("#url-error")
    page.expect_status(400)
    _shot(page, "admin-webhook-error", found)
    p.fill("#url", "http://127.0.0.1:9/claims-hook")
    p.click("button:has-text('Add the webhook')")
    p.wait_for_url("**/admin/webhooks/created?shown=*")
    hook_secret = p.inner_text(".secret code")
    _shot(page, "admin-webhook-created", found)
    p.click("text=Back to Webhooks")
    assert hook_secret not in p.content()
    _shot(page, "admin-webhooks", found)
    p.click("a:has-text('Delete')")
    _shot(page, "admin-webhook-delete-confirm", found)
    p.click("button:has-text('Delete the webhook')")
    p.wait_for_url("**/admin/webhooks")
    assert "127.0.0.1:9/claims-hook" not in p.inner_text("main")

    # The audit trail tells what just happened, in words, and filters.
    p.click(".admin-tabs >> text=Audit trail")
    p.wait_for_url("**/admin/audit")
    text = p.inner_text("main")
    for done in (
        "invited someone",
        "created an API key",
        "revoked an API key",
        "deleted a webhook",
    ):
        assert done in text, done
    _shot(page, "admin-audit", found)
    p.select_option("#kind", "api_key.revoked")
    p.click("button:has-text('Show')")
    p.wait_for_url("**/admin/audit?kind=*")
    assert "revoked an API key" in p.inner_text("main")
    assert "created an API key" not in p.inner_text("tbody")
    _shot(page, "admin-audit-filtered", found)
    for secret_text in (code, secret, hook_secret):
        assert secret_text not in p.content()
    assert found == []
