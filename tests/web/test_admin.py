"""Practice admin over HTTP: each form's errors, values shown once (an API key, an invitation code, a
webhook's secret appear on the page after the POST and on no later page), confirm steps before
destructive actions, CSRF, and the audit trail in words."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from gateway.storage.database import Database
from tests.claims.conftest import LOOPBACK_NETWORKS
from tests.web.conftest import Portal, start_portal

SECRET = re.compile(r'<p class="secret"><code>([^<]+)</code>')
ADMIN_PAGES = ("/admin", "/admin/api-keys", "/admin/webhooks", "/admin/audit")


async def _post(portal: Portal, path: str, data: dict[str, Any]) -> httpx.Response:
    token = await portal.csrf("/admin")  # one token per session
    return await portal.client.post(path, data={**data, "csrf_token": token})


async def _shown_once(portal: Portal, answer: httpx.Response) -> str:
    """The value on the page after the POST; it is gone on a reload and on every admin page."""
    assert answer.status_code == 303, answer.text
    shown = await portal.client.get(answer.headers["location"])
    found = SECRET.search(shown.text)
    assert found, shown.text
    secret = found.group(1)
    again = await portal.client.get(answer.headers["location"])
    assert secret not in again.text and "no longer shown" in again.text
    for path in ADMIN_PAGES:
        assert secret not in (await portal.client.get(path)).text
    return secret


async def test_an_api_key_is_shown_once_then_works_until_revoked_after_a_confirm_step(
    portal: Portal,
) -> None:
    await portal.login("practice_admin")
    answer = await _post(
        portal,
        "/admin/api-keys",
        {"name": "Scheduling app", "scopes": ["patients:read"], "expires": "30"},
    )
    secret = await _shown_once(portal, answer)
    api = await portal.client.post(
        "/graphql",
        json={"query": "{ me { name scopes } }"},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert api.json()["data"]["me"] == {"name": "Scheduling app", "scopes": ["patients:read"]}

    listing = await portal.client.get("/admin/api-keys")
    row = next(r for r in listing.text.split("<tr>") if "Scheduling app" in r)
    [key_id] = re.findall(r'href="/admin/api-keys/([^/"]+)/revoke"', row)
    confirm = await portal.client.get(f"/admin/api-keys/{key_id}/revoke")
    assert confirm.status_code == 200 and "Revoke the key" in confirm.text
    assert "revokedAt" not in confirm.text
    refused = await portal.client.post(f"/admin/api-keys/{key_id}/revoke", data={})
    assert refused.status_code == 403  # no CSRF token: nothing happens
    still = await portal.client.post(
        "/graphql", json={"query": "{ me { name } }"}, headers={"Authorization": f"Bearer {secret}"}
    )
    assert still.json()["data"]["me"]["name"] == "Scheduling app"
    done = await _post(portal, f"/admin/api-keys/{key_id}/revoke", {})
    assert done.status_code == 303
    gone = await portal.client.post(
        "/graphql", json={"query": "{ me { name } }"}, headers={"Authorization": f"Bearer {secret}"}
    )
    assert gone.json().get("data") in (None, {"me": None})
    listing = await portal.client.get("/admin/api-keys")
    row = next(r for r in listing.text.split("<tr>") if "Scheduling app" in r)
    assert "Revoked" in row and "/revoke" not in row


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"name": "", "scopes": ["claims:read"], "expires": "30"}, "name", "Name the key"),
        ({"name": "Billing", "expires": "30"}, "scopes", "Tick at least one"),
        ({"name": "Billing", "scopes": ["users:manage"], "expires": "30"}, "scopes", "Tick"),
        ({"name": "Billing", "scopes": ["claims:read"], "expires": "7"}, "expires", "how long"),
        ({"name": "x" * 101, "scopes": ["claims:read"], "expires": "30"}, "name", "1 to 100"),
    ],
)
async def test_the_key_form_says_what_to_fix_and_keeps_what_was_typed(
    portal: Portal, form: dict[str, Any], field: str, message: str
) -> None:
    await portal.login("practice_admin")
    answer = await _post(portal, "/admin/api-keys", form)
    assert answer.status_code == 400
    assert f'id="{field}-error"' in answer.text and message in answer.text
    assert 'class="error-summary"' in answer.text
    if form["name"] and len(form["name"]) < 100:
        assert f'value="{form["name"]}"' in answer.text


async def test_an_invitation_code_is_shown_once_and_the_invite_form_explains_errors(
    portal: Portal,
) -> None:
    await portal.login("practice_admin")
    bad = await _post(portal, "/admin/invitations", {"email": "not-an-email", "role": "BILLER"})
    assert bad.status_code == 400 and 'id="email-error"' in bad.text
    assert 'value="not-an-email"' in bad.text
    no_role = await _post(
        portal, "/admin/invitations", {"email": "new@x.example", "role": "OPERATOR"}
    )
    assert no_role.status_code == 400 and "Choose what the person will do" in no_role.text
    answer = await _post(portal, "/admin/invitations", {"email": "new@x.example", "role": "BILLER"})
    code = await _shown_once(portal, answer)
    people = await portal.client.get("/admin")
    assert "new@x.example" in people.text and "Invitations waiting" in people.text
    assert re.search(r"href=\"/admin/invitations/[^/\"]+/withdraw\"", people.text)
    accepted = await portal.client.post(
        "/graphql",
        json={
            "query": "mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) "
            "{ errors { code } user { role } } }",
            "variables": {
                "i": {"token": code, "name": "Nia New", "password": "correct horse 12 battery"}
            },
        },
    )
    assert accepted.json()["data"]["acceptInvitation"]["user"] == {"role": "BILLER"}


async def test_disabling_a_person_asks_first_and_enabling_brings_them_back(portal: Portal) -> None:
    await portal.login("practice_admin")
    people = await portal.client.get("/admin")
    links = re.findall(r'href="/admin/users/([^/"]+)/disable"', people.text)
    assert len(links) == 3  # the three other staff; not the admin themself
    confirm = await portal.client.get(f"/admin/users/{links[0]}/disable")
    assert "will be signed out at once" in confirm.text
    assert 'action="/admin/users/' in confirm.text
    done = await _post(portal, f"/admin/users/{links[0]}/disable", {})
    assert done.status_code == 303
    people = await portal.client.get("/admin")
    assert "Disabled" in people.text
    enabled = await portal.client.post(
        f"/admin/users/{links[0]}/enable", data={"csrf_token": await portal.csrf("/admin")}
    )
    assert enabled.status_code == 303
    assert "Disabled" not in (await portal.client.get("/admin")).text
    unknown = await _post(portal, "/admin/users/nobody/disable", {})
    assert unknown.status_code in (403, 404) and "could not be changed" in unknown.text


@pytest.mark.parametrize("role", ["front_desk", "biller", "analyst"])
async def test_admin_pages_are_403_for_other_roles(portal: Portal, role: str) -> None:
    await portal.login(role)
    for path in (*ADMIN_PAGES, "/admin/api-keys/created", "/admin/webhooks/created"):
        page = await portal.client.get(path)
        assert page.status_code == 403, path
        assert "Only practice administrators" in page.text


async def test_the_audit_trail_tells_the_tests_events_in_words_and_filters(portal: Portal) -> None:
    await portal.login("practice_admin")
    await _post(
        portal,
        "/admin/api-keys",
        {"name": "Audit app", "scopes": ["claims:read"], "expires": "never"},
    )
    trail = await portal.client.get("/admin/audit")
    assert trail.status_code == 200
    assert re.search(r"<th scope=\"row\">[^<]* created an API key", trail.text), trail.text
    assert re.search(r"<th scope=\"row\">[^<]* signed in", trail.text)
    only = await portal.client.get("/admin/audit", params={"kind": "api_key.created"})
    assert "created an API key" in only.text and "> signed in<" not in only.text
    nothing = await portal.client.get("/admin/audit", params={"kind": "webhook.deleted"})
    assert "No events match these filters" in nothing.text


@pytest.fixture
async def webhook_portal(
    monkeypatch: pytest.MonkeyPatch, database: Database, world: Any
) -> AsyncIterator[Portal]:
    """The portal whose webhooks may use plain http to loopback (as tests/claims' webhook tests)."""
    monkeypatch.setenv("PAYER_GATEWAY_CLAIMS_WEBHOOK_ALLOW_HTTP", "true")
    monkeypatch.setenv("PAYER_GATEWAY_CLAIMS_WEBHOOK_ALLOWED_NETWORKS", LOOPBACK_NETWORKS)
    async for running in start_portal(database, world):
        yield running


async def test_a_webhook_secret_is_shown_once_and_deleting_asks_first(
    webhook_portal: Portal,
) -> None:
    portal = webhook_portal
    await portal.login("practice_admin")
    empty = await _post(portal, "/admin/webhooks", {"url": "", "events": []})
    assert empty.status_code == 400
    assert 'id="url-error"' in empty.text and 'id="events-error"' in empty.text
    url = "http://127.0.0.1:9/claims-hook"
    answer = await _post(portal, "/admin/webhooks", {"url": url, "events": ["CLAIM_REMITTANCE"]})
    await _shown_once(portal, answer)
    listing = await portal.client.get("/admin/webhooks")
    assert url in listing.text and "A payer pays or denies a claim" in listing.text
    [hook_id] = re.findall(r'href="/admin/webhooks/([^/"]+)/delete"', listing.text)
    confirm = await portal.client.get(f"/admin/webhooks/{hook_id}/delete")
    assert "Delete this webhook?" in confirm.text and url in confirm.text
    done = await _post(portal, f"/admin/webhooks/{hook_id}/delete", {})
    assert done.status_code == 303
    assert url not in (await portal.client.get("/admin/webhooks")).text
    again = await portal.client.get(f"/admin/webhooks/{hook_id}/delete")
    assert again.status_code == 404


async def test_a_webhook_to_a_private_address_is_refused_with_the_api_s_reason(
    portal: Portal,
) -> None:
    await portal.login("practice_admin")
    for url in ("http://hooks.example.com/x", "https://127.0.0.1/x"):
        answer = await _post(
            portal, "/admin/webhooks", {"url": url, "events": ["CLAIM_STATUS_CHANGED"]}
        )
        assert answer.status_code == 400, url
        assert 'id="url-error"' in answer.text and f'value="{url}"' in answer.text
        assert SECRET.search(answer.text) is None


async def test_withdrawing_an_invitation_asks_first_and_its_code_stops_working(
    portal: Portal,
) -> None:
    await portal.login("practice_admin")
    answer = await _post(
        portal, "/admin/invitations", {"email": "late@x.example", "role": "ANALYST"}
    )
    code = SECRET.search((await portal.client.get(answer.headers["location"])).text).group(1)  # type: ignore[union-attr]
    people = await portal.client.get("/admin")
    [invitation_id] = re.findall(r'href="/admin/invitations/([^/"]+)/withdraw"', people.text)
    confirm = await portal.client.get(f"/admin/invitations/{invitation_id}/withdraw")
    assert "Withdraw the invitation to late@x.example?" in confirm.text
    done = await _post(portal, f"/admin/invitations/{invitation_id}/withdraw", {})
    assert done.status_code == 303
    assert "late@x.example" not in (await portal.client.get("/admin")).text
    accepted = await portal.client.post(
        "/graphql",
        json={
            "query": "mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) "
            "{ errors { code } user { role } } }",
            "variables": {
                "i": {"token": code, "name": "Lee Late", "password": "correct horse 12 battery"}
            },
        },
    )
    assert accepted.json()["data"]["acceptInvitation"]["errors"] == [{"code": "INVALID_INVITATION"}]
    again = await portal.client.get(f"/admin/invitations/{invitation_id}/withdraw")
    assert again.status_code == 404 and "withdrawn already" in again.text
    unknown = await _post(portal, "/admin/invitations/nowhere/withdraw", {})
    assert unknown.status_code in (403, 404) and "could not be withdrawn" in unknown.text
    trail = await portal.client.get("/admin/audit", params={"kind": "invitation.revoked"})
    assert "withdrew an invitation" in trail.text


async def test_an_audit_filter_the_api_refuses_says_what_to_do(portal: Portal) -> None:
    await portal.login("practice_admin")
    page = await portal.client.get("/admin/audit", params={"patient": "not-an-id"})
    assert page.status_code == 400 and "Clear them to see all" in page.text
    assert "Traceback" not in page.text and "not-an-id" not in page.text.split("<main")[1]
