"""Anonymous mutations answer alike whether or not an address has an account; the owner is told."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import func, select

from gateway.storage.identity_tables import User
from gateway.storage.tables import Practice
from tests.gateway.conftest import Gateway
from tests.gateway.people import People, anonymous, notified

REGISTER = """mutation($input: RegisterPracticeInput!) {
  registerPractice(input: $input) {
    practice { id name npi status contactEmail registeredAt rejectionReason }
    errors { code field message } } }"""
ACCEPT = """mutation($token: String!) {
  acceptInvitation(input: {token: $token, name: "Nia Newhire", password: "otter-violin-summit-7"}) {
    user { id email name role status mfaEnrolled lockedUntil } errors { code field message } } }"""
INVITE = """mutation($email: String!) {
  inviteUser(input: {email: $email, role: BILLER}) { token errors { code } } }"""
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
MOMENT = re.compile(r"\d{4}-\d\d-\d\dT[0-9:.]+\+00:00")


def _registration(npi: str, admin_email: str) -> dict[str, Any]:
    return {
        "input": {
            "name": "Juniper Hollow Clinic",
            "npi": npi,
            "taxId": "98-7654321",
            "contactEmail": "office@juniper.example",
            "admin": {
                "name": "Rowan Reyes",
                "email": admin_email,
                "password": "lantern-quartz-meadow-91",
            },
        }
    }


def _without_ids(answer: dict[str, Any]) -> str:
    """The answer's bytes, ids and timestamps (different by nature) blanked."""
    return MOMENT.sub("<moment>", UUID.sub("<id>", json.dumps(answer, sort_keys=True)))


async def _count(gateway: Gateway, table: Any) -> int:
    async with gateway.services.database.session() as session:
        return int(await session.scalar(select(func.count()).select_from(table)) or 0)


async def test_registering_with_an_address_that_has_an_account_answers_like_any_registration(
    gateway: Gateway, people: People
) -> None:
    new = await anonymous(gateway, REGISTER, _registration("1003000126", "rowan@juniper.example"))
    users, practices = await _count(gateway, User), await _count(gateway, Practice)
    # The other practice's admin: the address has an account.
    known = await anonymous(
        gateway, REGISTER, _registration("1003000217", people.other_admin.email)
    )
    assert new["data"]["registerPractice"]["errors"] == []
    assert _without_ids(known).replace("1003000217", "1003000126") == _without_ids(new)
    # Nothing was created for it; its owner is the one told.
    assert (await _count(gateway, User), await _count(gateway, Practice)) == (users, practices)
    assert await notified(gateway) == [
        (people.other_admin.email, "registration.existing_account", {})
    ]


async def test_registering_a_registered_npi_answers_like_any_registration(
    gateway: Gateway, people: People
) -> None:
    first = await anonymous(gateway, REGISTER, _registration("1003000126", "rowan@juniper.example"))
    again = await anonymous(gateway, REGISTER, _registration("1003000126", "sam@juniper.example"))
    assert _without_ids(again) == _without_ids(first)
    assert (
        first["data"]["registerPractice"]["practice"]["id"]
        != (again["data"]["registerPractice"]["practice"]["id"])
    )
    assert await notified(gateway) == [
        ("office@juniper.example", "registration.npi_registered", {"npi": "1003000126"})
    ]


async def test_accepting_an_invitation_to_an_address_with_an_account_looks_like_any_acceptance(
    gateway: Gateway, people: People
) -> None:
    tokens = {}
    for email in ("nia@a.example", people.other_admin.email):
        invited = await gateway.query(INVITE, {"email": email}, key=people.admin.token)
        tokens[email] = invited["data"]["inviteUser"]["token"]
    new = await anonymous(gateway, ACCEPT, {"token": tokens["nia@a.example"]})
    known = await anonymous(gateway, ACCEPT, {"token": tokens[people.other_admin.email]})
    assert new["data"]["acceptInvitation"]["errors"] == []
    assert _without_ids(known).replace(people.other_admin.email, "nia@a.example") == (
        _without_ids(new)
    )
    async with gateway.services.database.session() as session:
        owner = await session.scalar(select(User).where(User.email == people.other_admin.email))
    assert owner is not None and owner.practice_id == gateway.other_practice_id  # unchanged
    assert await notified(gateway) == [
        (people.other_admin.email, "invitation.existing_account", {})
    ]
    # Either invitation is used up, alike.
    again = [await anonymous(gateway, ACCEPT, {"token": token}) for token in tokens.values()]
    assert _without_ids(again[0]) == _without_ids(again[1])
