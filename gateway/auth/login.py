"""Logging in: password first, then a TOTP code (or a one-time recovery code).

A user without TOTP enrols at the second step: the first step answers with a new secret (URI and QR
code), and the first valid code from it completes both enrolment and login. No session exists without
a second factor, so nobody touches PHI without one. Failed passwords and codes count together;
``login_max_failures`` in a row lock the account for ``login_lockout_minutes`` (the owner is told).

Step one answers ``INVALID_CREDENTIALS`` alike for an unknown address, a wrong password, a locked
account and a practice not (yet) approved, after the same password-hashing work: otherwise five
wrong passwords (locked or not) or a registration followed by a login would tell anyone whether an
address has an account. Only a caller who knows the password learns more (a disabled account).

A challenge is single-use: its id (``jti``) is stored on the user when it is issued, and the step
that opens a session clears it in the same transaction with a conditional UPDATE, so two concurrent
completions of one challenge open one session. Issuing a new challenge replaces the old one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth import notifications, tokens
from gateway.auth.passwords import dummy_hash, verify_password
from gateway.auth.sessions import IssuedSession, open_session
from gateway.auth.totp import (
    TotpEnrolment,
    accepted_step,
    looks_like_recovery_code,
    new_enrolment,
    new_recovery_codes,
    recovery_digest,
)
from gateway.config import GatewaySettings
from gateway.errors import Unauthenticated
from gateway.identity import aware
from gateway.storage.database import Database
from gateway.storage.identity_tables import RecoveryCode, User
from gateway.storage.tables import Practice

INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
INVALID_CODE = "INVALID_CODE"
ACCOUNT_LOCKED = "ACCOUNT_LOCKED"
ACCOUNT_DISABLED = "ACCOUNT_DISABLED"
PRACTICE_NOT_APPROVED = "PRACTICE_NOT_APPROVED"
CHALLENGE_INVALID = "CHALLENGE_INVALID"

MESSAGES = {
    INVALID_CREDENTIALS: "The email or password is not correct, or this account cannot sign in now.",
    INVALID_CODE: "The code is not correct (or was already used).",
    ACCOUNT_LOCKED: "Too many failed attempts: the account is locked for a while. Try again later.",
    ACCOUNT_DISABLED: "This account has been disabled by the practice's administrator.",
    PRACTICE_NOT_APPROVED: "The practice's registration has not been approved (yet).",
    CHALLENGE_INVALID: "The login step has expired or is not valid; start again with your password.",
}


@dataclass
class LoginOutcome:
    """The result of one login step: a failure code, or what the caller gets next."""

    user: User | None = None
    failure: str | None = None  # what the caller is told
    reason: str | None = None  # what the audit trail records, when it says more than ``failure``
    challenge: str | None = None
    challenge_expires_at: datetime | None = None
    enrolment: TotpEnrolment | None = None
    session: IssuedSession | None = None
    recovery_codes: list[str] = field(default_factory=list)
    used_recovery_code: bool = False

    @property
    def message(self) -> str:
        return MESSAGES.get(self.failure or "", "")


def _locked(user: User, now: datetime) -> bool:
    locked_until = aware(user.locked_until)
    return locked_until is not None and locked_until > now


def _fail(session: AsyncSession, user: User, settings: GatewaySettings, now: datetime) -> str:
    user.failed_logins += 1
    if user.failed_logins >= settings.login_max_failures:
        user.failed_logins = 0
        user.locked_until = now + timedelta(minutes=settings.login_lockout_minutes)
        notifications.notify(
            session,
            user.email,
            notifications.ACCOUNT_LOCKED,
            minutes=str(settings.login_lockout_minutes),
        )
        return ACCOUNT_LOCKED
    return INVALID_CREDENTIALS


def _refused(user: User, reason: str) -> LoginOutcome:
    """Step one's answer for every failure that must not tell an account apart from no account."""
    return LoginOutcome(user=user, failure=INVALID_CREDENTIALS, reason=reason)


async def _practice_status(session: AsyncSession, user: User) -> str | None:
    if user.practice_id is None:
        return "approved"
    return await session.scalar(select(Practice.status).where(Practice.id == user.practice_id))


def _stamp(user: User) -> int:
    return int((aware(user.password_changed_at) or datetime.now(UTC)).timestamp())


async def check_password(
    database: Database, settings: GatewaySettings, email: str, password: str
) -> LoginOutcome:
    """Step one. On success the outcome carries a short-lived challenge token (and, when the user has
    no TOTP yet, the enrolment to scan)."""
    now = datetime.now(UTC)
    async with database.transaction() as session:
        user = await session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            verify_password(dummy_hash(), password)
            return LoginOutcome(failure=INVALID_CREDENTIALS)
        # The hash is checked first, even when locked: a locked account answers as slowly as any.
        password_ok = verify_password(user.password_hash, password)
        if _locked(user, now):
            return _refused(user, ACCOUNT_LOCKED)
        if not password_ok:
            return _refused(user, _fail(session, user, settings, now))
        if user.status != "active":
            return LoginOutcome(user=user, failure=ACCOUNT_DISABLED)
        if await _practice_status(session, user) != "approved":
            return _refused(user, PRACTICE_NOT_APPROVED)  # the decision is notified instead
        enrolment = None
        if user.totp_secret is None:
            enrolment = new_enrolment(user.email)
            user.totp_pending_secret = enrolment.secret
        user.login_challenge_id = challenge_id = uuid.uuid4().hex
    challenge, expires = tokens.encode(
        settings.jwt_secret,
        tokens.LOGIN_CHALLENGE,
        user.id,
        timedelta(minutes=tokens.CHALLENGE_MINUTES),
        enrol=enrolment is not None,
        pwd=_stamp(user),
        jti=challenge_id,
    )
    return LoginOutcome(
        user=user, challenge=challenge, challenge_expires_at=expires, enrolment=enrolment
    )


def _check_totp(user: User, code: str, enrolling: bool) -> bool:
    secret = user.totp_pending_secret if enrolling else user.totp_secret
    if secret is None:
        return False
    step = accepted_step(secret, code, None if enrolling else user.totp_last_step)
    if step is None:
        return False
    user.totp_last_step = step
    if enrolling:
        user.totp_secret, user.totp_pending_secret = secret, None
    return True


async def _use_recovery_code(session: AsyncSession, user: User, code: str, now: datetime) -> bool:
    row = await session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == recovery_digest(code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if row is None:
        return False
    row.used_at = now
    return True


async def check_code(
    database: Database,
    settings: GatewaySettings,
    challenge: str,
    code: str,
    client_address: str | None,
) -> LoginOutcome:
    """Step two: a TOTP code (or a recovery code) opens a session."""
    try:
        claims = tokens.decode(settings.jwt_secret, tokens.LOGIN_CHALLENGE, challenge)
    except Unauthenticated:
        return LoginOutcome(failure=CHALLENGE_INVALID)
    try:
        outcome = await _complete(database, settings, claims, code)
    except _ChallengeTaken:
        return LoginOutcome(failure=CHALLENGE_INVALID)
    if outcome.failure is None and outcome.user is not None:
        outcome.session = await open_session(database, settings, outcome.user, client_address)
    return outcome


class _ChallengeTaken(Exception):
    """Raised inside the transaction to roll it back: the challenge was consumed meanwhile."""


async def _consume_challenge(session: AsyncSession, user: User, challenge_id: str) -> bool:
    """Clear the user's challenge if it is still this one; False when another step took it."""
    cleared = await session.execute(
        update(User)
        .where(User.id == user.id, User.login_challenge_id == challenge_id)
        .values(login_challenge_id=None)
        .execution_options(synchronize_session=False)
    )
    return cleared.rowcount == 1  # type: ignore[attr-defined]


async def _complete(
    database: Database, settings: GatewaySettings, claims: dict[str, Any], code: str
) -> LoginOutcome:
    """Check the code and consume the challenge, in one transaction (rolled back if taken)."""
    enrolling = bool(claims.get("enrol"))
    now = datetime.now(UTC)
    outcome = LoginOutcome()
    async with database.transaction() as session:
        user = await session.scalar(select(User).where(User.id == claims["sub"]).with_for_update())
        if (
            user is None
            or claims.get("pwd") != _stamp(user)
            or user.login_challenge_id != claims.get("jti")
        ):
            return LoginOutcome(failure=CHALLENGE_INVALID)
        outcome.user = user
        if _locked(user, now):
            outcome.failure = ACCOUNT_LOCKED
            return outcome
        if user.status != "active" or await _practice_status(session, user) != "approved":
            outcome.failure = CHALLENGE_INVALID
            return outcome
        if not enrolling and looks_like_recovery_code(code):
            outcome.used_recovery_code = await _use_recovery_code(session, user, code, now)
            passed = outcome.used_recovery_code
        else:
            passed = _check_totp(user, code, enrolling)
        if not passed:
            failed = _fail(session, user, settings, now)
            outcome.failure = INVALID_CODE if failed != ACCOUNT_LOCKED else ACCOUNT_LOCKED
            return outcome
        if not await _consume_challenge(session, user, str(claims.get("jti"))):
            # Another completion of this challenge won: undo this one's use of its code as well.
            raise _ChallengeTaken
        user.failed_logins, user.locked_until = 0, None
        if enrolling:
            await session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
            outcome.recovery_codes = new_recovery_codes()
            session.add_all(
                RecoveryCode(user_id=user.id, code_hash=recovery_digest(c))
                for c in outcome.recovery_codes
            )
    return outcome
