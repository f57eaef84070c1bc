"""Getting in: registration and approval, invitations, password + TOTP login, lockout, sessions."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pyotp

from gateway.auth import tokens
from tests.gateway.conftest import Gateway
from tests.gateway.people import PASSWORD, People, anonymous, notified

REGISTER = """mutation($input: RegisterPracticeInput!) {
  registerPractice(input: $input) { practice { id status name } errors { code field } } }"""
LOGIN = """mutation($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) {
    challenge nextStep enrolment { secret provisioningUri qrCodeSvg } errors { code field message } } }"""
COMPLETE = """mutation($challenge: String!, $code: String!) {
  completeLogin(input: {challenge: $challenge, code: $code}) {
    session { accessToken refreshToken accessTokenExpiresAt } recoveryCodes errors { code field } } }"""
ME = "{ me { actorKind role scopes practice { name status } } }"
APPROVE = "mutation($id: ID!) { approvePractice(id: $id) { practice { status } errors { code } } }"
INVITE = """mutation($email: String!, $role: Role!) {
  inviteUser(input: {email: $email, role: $role}) { token invitation { email role } errors { code } } }"""
ACCEPT = """mutation($token: String!, $password: String!) {
  acceptInvitation(input: {token: $token, name: "Nia Newhire", password: $password}) {
    user { email role mfaEnrolled } errors { code field } } }"""


def _registration(password: str = "lantern-quartz-meadow-91") -> dict[str, object]:
    return {
        "name": "Juniper Hollow Clinic",
        "npi": "1245319599",
        "taxId": "98-7654321",
        "contactEmail": "office@juniper.example",
        "admin": {"name": "Rowan Reyes", "email": "rowan@juniper.example", "password": password},
    }


async def _login(
    gateway: Gateway, email: str, password: str, code_for: str | None = None
) -> dict[str, object]:
    """Both steps; enrols TOTP when asked. Returns completeLogin's payload (plus the secret and the
    code used)."""
    first = (await anonymous(gateway, LOGIN, {"email": email, "password": password}))["data"][
        "login"
    ]
    assert first["errors"] == [], first["errors"]
    secret = code_for or first["enrolment"]["secret"]
    code = pyotp.TOTP(secret).now()
    done = await anonymous(gateway, COMPLETE, {"challenge": first["challenge"], "code": code})
    return {
        **done["data"]["completeLogin"],
        "secret": secret,
        "step": first["nextStep"],
        "code": code,
    }


async def test_a_registered_practice_waits_for_an_operator_then_its_admin_enrols_totp(
    gateway: Gateway, people: People
) -> None:
    weak = await anonymous(
        gateway, REGISTER, {"input": {**_registration("Password2024!"), "npi": "1245319598"}}
    )
    codes = {(e["code"], ".".join(e["field"])) for e in weak["data"]["registerPractice"]["errors"]}
    assert codes == {("INVALID_NPI", "input.npi"), ("PASSWORD_TOO_COMMON", "input.admin.password")}

    practice = await anonymous(
        gateway, REGISTER, {"input": {**_registration(), "npi": "1003000126"}}
    )
    practice = practice["data"]["registerPractice"]["practice"]
    assert practice["status"] == "PENDING"
    waiting = await anonymous(
        gateway, LOGIN, {"email": "rowan@juniper.example", "password": "lantern-quartz-meadow-91"}
    )
    # Answered like a wrong password: otherwise registering then logging in would tell whether an
    # address already had an account. The operator's decision is notified instead (see below).
    assert waiting["data"]["login"]["errors"][0]["code"] == "INVALID_CREDENTIALS"

    refused = await gateway.query(APPROVE, {"id": practice["id"]}, key=people.admin.token)
    assert refused["data"]["approvePractice"] is None
    assert refused["errors"][0]["extensions"] == {"code": "FORBIDDEN", "scope": "practice:approve"}
    approved = await gateway.query(APPROVE, {"id": practice["id"]}, key=people.operator.token)
    assert approved["data"]["approvePractice"] == {"practice": {"status": "APPROVED"}, "errors": []}
    again = await gateway.query(APPROVE, {"id": practice["id"]}, key=people.operator.token)
    assert again["data"]["approvePractice"]["errors"] == [{"code": "NOT_FOUND"}]
    assert await notified(gateway) == [
        (
            "office@juniper.example",
            "practice.decided",
            {"practice": practice["id"], "status": "approved"},
        ),
        (
            "rowan@juniper.example",
            "practice.decided",
            {"practice": practice["id"], "status": "approved"},
        ),
    ]

    done = await _login(gateway, "rowan@juniper.example", "lantern-quartz-meadow-91")
    assert done["step"] == "ENROL_TOTP" and done["errors"] == []
    assert len(done["recoveryCodes"]) == 10 and len(set(done["recoveryCodes"])) == 10
    me = await gateway.query(ME, key=done["session"]["accessToken"])
    assert me["data"]["me"]["role"] == "PRACTICE_ADMIN"
    assert me["data"]["me"]["practice"] == {"name": "Juniper Hollow Clinic", "status": "APPROVED"}
    assert {"phi:read", "users:manage", "audit:read"} <= set(me["data"]["me"]["scopes"])
    # The second login asks for a code of the enrolled secret, and no new enrolment.
    second = await _login(
        gateway, "rowan@juniper.example", "lantern-quartz-meadow-91", code_for=done["secret"]
    )
    assert second["step"] == "TOTP" and second["recoveryCodes"] is None


async def test_enrolment_gives_a_provisioning_uri_and_a_qr_code(
    gateway: Gateway, people: People
) -> None:
    invited = await gateway.query(
        INVITE, {"email": "nia@a.example", "role": "BILLER"}, key=people.admin.token
    )
    token = invited["data"]["inviteUser"]["token"]
    weak = await anonymous(gateway, ACCEPT, {"token": token, "password": "short"})
    assert weak["data"]["acceptInvitation"]["errors"] == [
        {"code": "PASSWORD_TOO_SHORT", "field": ["input", "password"]}
    ]
    joined = await anonymous(gateway, ACCEPT, {"token": token, "password": "otter-violin-summit-7"})
    assert joined["data"]["acceptInvitation"]["user"] == {
        "email": "nia@a.example",
        "role": "BILLER",
        "mfaEnrolled": False,
    }
    reused = await anonymous(gateway, ACCEPT, {"token": token, "password": "otter-violin-summit-7"})
    assert reused["data"]["acceptInvitation"]["errors"][0]["code"] == "INVALID_INVITATION"

    first = (
        await anonymous(
            gateway, LOGIN, {"email": "nia@a.example", "password": "otter-violin-summit-7"}
        )
    )["data"]["login"]
    enrolment = first["enrolment"]
    assert first["nextStep"] == "ENROL_TOTP"
    assert enrolment["provisioningUri"].startswith(
        "otpauth://totp/Payer%20Gateway:nia%40a.example?secret="
    )
    assert enrolment["secret"] in enrolment["provisioningUri"]
    assert enrolment["qrCodeSvg"].startswith("data:image/svg+xml")
    # Without the second step there is no session at all, so nobody touches PHI without TOTP.
    assert "accessToken" not in str(first)
    wrong = await anonymous(gateway, COMPLETE, {"challenge": first["challenge"], "code": "000000"})
    assert wrong["data"]["completeLogin"]["errors"] == [
        {"code": "INVALID_CODE", "field": ["input", "code"]}
    ]


async def test_repeated_failures_lock_the_account(gateway: Gateway, people: People) -> None:
    email = people.biller.email
    for _ in range(gateway.services.settings.login_max_failures):
        failed = await anonymous(gateway, LOGIN, {"email": email, "password": "wrong-password-123"})
        assert failed["data"]["login"]["errors"][0]["code"] == "INVALID_CREDENTIALS"
    # Locked: even the right password gets no challenge. The answer is the one an unknown address
    # gets (a visible lock would tell anyone the account exists); the owner is told instead.
    still = (await anonymous(gateway, LOGIN, {"email": email, "password": PASSWORD}))["data"]
    assert still["login"]["challenge"] is None
    unknown = await anonymous(gateway, LOGIN, {"email": "nobody@a.example", "password": PASSWORD})
    assert unknown["data"]["login"] == still["login"]
    assert await notified(gateway) == [(email, "account.locked", {"minutes": "15"})]


async def test_a_totp_code_works_once_and_a_recovery_code_once(
    gateway: Gateway, people: People
) -> None:
    done = await _login(
        gateway, people.front_desk.email, PASSWORD, code_for=people.front_desk.totp_secret
    )
    assert done["session"]["accessToken"]
    used = done["code"]  # the very code: a new 30 s period's code would rightly be accepted
    first = (
        await anonymous(gateway, LOGIN, {"email": people.front_desk.email, "password": PASSWORD})
    )["data"]["login"]
    replay = await anonymous(gateway, COMPLETE, {"challenge": first["challenge"], "code": used})
    assert replay["data"]["completeLogin"]["errors"][0]["code"] == "INVALID_CODE"

    invited = await gateway.query(
        INVITE, {"email": "rc@a.example", "role": "ANALYST"}, key=people.admin.token
    )
    await anonymous(
        gateway,
        ACCEPT,
        {"token": invited["data"]["inviteUser"]["token"], "password": "copper-fjord-tulip-3"},
    )
    done = await _login(gateway, "rc@a.example", "copper-fjord-tulip-3")
    code = done["recoveryCodes"][0]
    for expected in ([], [{"code": "INVALID_CODE", "field": ["input", "code"]}]):
        step = (
            await anonymous(
                gateway, LOGIN, {"email": "rc@a.example", "password": "copper-fjord-tulip-3"}
            )
        )["data"]["login"]
        answer = await anonymous(
            gateway, COMPLETE, {"challenge": step["challenge"], "code": code.lower()}
        )
        assert answer["data"]["completeLogin"]["errors"] == expected


async def test_refresh_rotates_and_a_reused_refresh_token_ends_the_session(
    gateway: Gateway, people: People
) -> None:
    refresh = """mutation($t: String!) { refreshSession(refreshToken: $t) { session { accessToken refreshToken } errors { code } } }"""
    person = people.biller
    new = (await anonymous(gateway, refresh, {"t": person.refresh_token}))["data"]["refreshSession"]
    assert new["errors"] == [] and new["session"]["refreshToken"] != person.refresh_token
    assert (await gateway.post(ME, key=new["session"]["accessToken"])).status_code == 200
    reused = (await anonymous(gateway, refresh, {"t": person.refresh_token}))["data"][
        "refreshSession"
    ]
    assert reused["errors"] == [{"code": "INVALID_REFRESH_TOKEN"}]
    # The copy was stolen or the client is confused: either way the whole session is over.
    ended = await gateway.post(ME, key=new["session"]["accessToken"])
    assert ended.status_code == 401
    assert ended.json()["errors"][0]["message"] == "The session has ended; log in again."


async def test_logout_password_change_and_disabling_end_sessions(
    gateway: Gateway, people: People
) -> None:
    logout = await gateway.query("mutation { logout { ok } }", key=people.analyst.token)
    assert logout["data"]["logout"] == {"ok": True}
    assert (await gateway.post(ME, key=people.analyst.token)).status_code == 401

    change = """mutation($c: String!, $n: String!) { changePassword(input: {currentPassword: $c, newPassword: $n}) { ok errors { code } } }"""
    bad = await gateway.query(
        change, {"c": "not-it-at-all", "n": "saffron-glacier-piano-5"}, key=people.biller.token
    )
    assert bad["data"]["changePassword"]["errors"] == [{"code": "INVALID_CREDENTIALS"}]
    ok = await gateway.query(
        change, {"c": PASSWORD, "n": "saffron-glacier-piano-5"}, key=people.biller.token
    )
    assert ok["data"]["changePassword"] == {"ok": True, "errors": []}
    assert (await gateway.post(ME, key=people.biller.token)).status_code == 401

    disable = "mutation($id: ID!) { disableUser(id: $id) { user { status } errors { code } } }"
    done = await gateway.query(disable, {"id": people.front_desk.id}, key=people.admin.token)
    assert done["data"]["disableUser"] == {"user": {"status": "disabled"}, "errors": []}
    assert (await gateway.post(ME, key=people.front_desk.token)).status_code == 401
    login = await anonymous(
        gateway, LOGIN, {"email": people.front_desk.email, "password": PASSWORD}
    )
    assert login["data"]["login"]["errors"][0]["code"] == "ACCOUNT_DISABLED"


async def test_forged_expired_and_unsigned_tokens_are_refused(
    gateway: Gateway, people: People
) -> None:
    import jwt

    secret = gateway.services.settings.jwt_secret
    expired, _ = tokens.encode(
        secret, tokens.ACCESS, people.admin.id, timedelta(seconds=-5), sid=people.admin.session_id
    )
    forged, _ = tokens.encode(
        "x" * 48, tokens.ACCESS, people.admin.id, timedelta(minutes=5), sid=people.admin.session_id
    )
    claims = jwt.decode(people.admin.token, options={"verify_signature": False})
    unsigned = jwt.encode(claims, key=None, algorithm="none")
    challenge, _ = tokens.encode(
        secret,
        tokens.LOGIN_CHALLENGE,
        people.admin.id,
        timedelta(minutes=5),
        sid=people.admin.session_id,
    )
    for token, message in (
        (expired, "The access token has expired."),
        (forged, "The access token is not valid."),
        (unsigned, "The access token is not valid."),
        (challenge, "The access token is not valid."),
    ):
        response = await gateway.post(ME, key=token)
        assert response.status_code == 401, token
        assert response.json()["errors"][0]["message"] == message


async def test_a_login_challenge_opens_one_session_only(gateway: Gateway, people: People) -> None:
    person = people.front_desk
    first = await anonymous(gateway, LOGIN, {"email": person.email, "password": PASSWORD})
    challenge = first["data"]["login"]["challenge"]
    opened = await anonymous(gateway, COMPLETE, {"challenge": challenge, "code": person.code()})
    assert opened["data"]["completeLogin"]["errors"] == []
    # The next TOTP step is a valid code, but the challenge has been used.
    next_step = pyotp.TOTP(person.totp_secret).at(time.time() + 30)
    again = await anonymous(gateway, COMPLETE, {"challenge": challenge, "code": next_step})
    assert again["data"]["completeLogin"] == {
        "session": None,
        "recoveryCodes": None,
        "errors": [{"code": "CHALLENGE_INVALID", "field": ["input", "challenge"]}],
    }


async def test_two_concurrent_completions_of_one_challenge_open_one_session(
    gateway: Gateway, people: People
) -> None:
    """A TOTP code and a recovery code, both valid, race with the same challenge."""
    invited = await gateway.query(
        INVITE, {"email": "race@a.example", "role": "BILLER"}, key=people.admin.token
    )
    await anonymous(
        gateway,
        ACCEPT,
        {"token": invited["data"]["inviteUser"]["token"], "password": "copper-fjord-tulip-3"},
    )
    enrolled = await _login(gateway, "race@a.example", "copper-fjord-tulip-3")
    step = await anonymous(
        gateway, LOGIN, {"email": "race@a.example", "password": "copper-fjord-tulip-3"}
    )
    challenge = step["data"]["login"]["challenge"]
    # The enrolment used the current TOTP step: the next one (within the allowed drift) is valid.
    codes = [pyotp.TOTP(enrolled["secret"]).at(time.time() + 30), enrolled["recoveryCodes"][0]]
    answers = await asyncio.gather(
        *(anonymous(gateway, COMPLETE, {"challenge": challenge, "code": c}) for c in codes)
    )
    payloads = [a["data"]["completeLogin"] for a in answers]
    assert sorted(bool(p["session"]) for p in payloads) == [False, True], payloads
    loser = next(p for p in payloads if p["session"] is None)
    assert loser["errors"] == [{"code": "CHALLENGE_INVALID", "field": ["input", "challenge"]}]
