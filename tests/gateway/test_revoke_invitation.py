"""revokeInvitation: a withdrawn invitation's token no longer works, it leaves the invitations list,
an accepted one cannot be withdrawn, only users:manage may withdraw, and the trail records it."""

from __future__ import annotations

from tests.gateway.conftest import Gateway
from tests.gateway.people import People, anonymous

INVITE = """mutation($email: String!) {
  inviteUser(input: {email: $email, role: BILLER}) { token invitation { id } errors { code } } }"""
REVOKE = """mutation($id: ID!) {
  revokeInvitation(id: $id) { invitation { id email } errors { code field } } }"""
ACCEPT = """mutation($token: String!) {
  acceptInvitation(input: {token: $token, name: "Nia Newhire", password: "otter-violin-summit-7"}) {
    user { email } errors { code } } }"""
LIST = "{ invitations { id } }"
TRAIL = '{ auditEvents(kind: "invitation.revoked") { edges { node { detail } } } }'


async def _invite(gateway: Gateway, people: People, email: str) -> tuple[str, str]:
    body = await gateway.query(INVITE, {"email": email}, key=people.admin.token)
    invited = body["data"]["inviteUser"]
    return invited["token"], invited["invitation"]["id"]


async def test_a_withdrawn_invitation_no_longer_lets_anyone_join(
    gateway: Gateway, people: People
) -> None:
    token, invitation_id = await _invite(gateway, people, "withdrawn@a.example")
    refused = await gateway.query(REVOKE, {"id": invitation_id}, key=people.biller.token)
    assert refused["data"]["revokeInvitation"] is None
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    done = await gateway.query(REVOKE, {"id": invitation_id}, key=people.admin.token)
    assert done["data"]["revokeInvitation"] == {
        "invitation": {"id": invitation_id, "email": "withdrawn@a.example"},
        "errors": [],
    }
    listed = await gateway.query(LIST, key=people.admin.token)
    assert invitation_id not in [i["id"] for i in listed["data"]["invitations"]]
    joined = await anonymous(gateway, ACCEPT, {"token": token})
    assert joined["data"]["acceptInvitation"]["user"] is None
    assert joined["data"]["acceptInvitation"]["errors"][0]["code"] == "INVALID_INVITATION"
    trail = await gateway.query(TRAIL, key=people.admin.token)
    assert [e["node"]["detail"] for e in trail["data"]["auditEvents"]["edges"]] == [
        [f"invitation={invitation_id}"]
    ]


async def test_an_accepted_or_unknown_invitation_is_not_found(
    gateway: Gateway, people: People
) -> None:
    token, invitation_id = await _invite(gateway, people, "joined@a.example")
    joined = await anonymous(gateway, ACCEPT, {"token": token})
    assert joined["data"]["acceptInvitation"]["user"] == {"email": "joined@a.example"}
    for target in (invitation_id, "00000000-0000-0000-0000-000000000000"):
        body = await gateway.query(REVOKE, {"id": target}, key=people.admin.token)
        assert body["data"]["revokeInvitation"] == {
            "invitation": None,
            "errors": [{"code": "NOT_FOUND", "field": ["input", "id"]}],  # as revokeApiKey
        }
