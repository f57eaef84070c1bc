"""People's accounts: creating users, inviting and accepting, disabling, changing passwords."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from gateway.auth import notifications
from gateway.auth.notifications import notify
from gateway.auth.passwords import hash_password, password_problems, verify_password
from gateway.auth.sessions import revoke_user_sessions
from gateway.identity import ROLE_SCOPES, aware, digest
from gateway.storage.database import Database
from gateway.storage.identity_tables import Invitation, User
from gateway.storage.tables import new_id

INVITATION_PREFIX = "pgi_"
EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}$")

Problem = tuple[str, str, str]  # (input field, code, message)


def normalize_email(email: str) -> str:
    return email.strip().lower()


def email_problems(field: str, email: str) -> list[Problem]:
    if not EMAIL.match(email.strip()):
        return [(field, "INVALID_EMAIL", "Enter an email address such as name@clinic.example.")]
    return []


def name_problems(field: str, name: str) -> list[Problem]:
    if not 1 <= len(name.strip()) <= 120:
        return [(field, "REQUIRED", "Name is required (at most 120 characters).")]
    return []


def new_password_problems(field: str, password: str, personal: tuple[str, ...]) -> list[Problem]:
    return [
        (field, code, message) for code, message in password_problems(password, personal=personal)
    ]


async def create_user(
    database: Database,
    *,
    practice_id: str | None,
    email: str,
    name: str,
    role: str,
    password: str | None = None,
    password_hash: str | None = None,
    totp_secret: str | None = None,
) -> User:
    """A user ready to log in (the CLI, registration and the demo use this; checks are the caller's)."""
    if role not in ROLE_SCOPES or (role == "operator") != (practice_id is None):
        raise ValueError(
            f"role {role!r} does not fit a user {'without' if practice_id is None else 'of'} a practice"
        )
    user = User(
        practice_id=practice_id,
        email=normalize_email(email),
        name=name.strip(),
        role=role,
        status="active",
        password_hash=password_hash or hash_password(password or ""),
        totp_secret=totp_secret,
        failed_logins=0,
    )
    async with database.transaction() as session:
        session.add(user)
    return user


async def invite(
    database: Database, practice_id: str, email: str, role: str, invited_by: str, days: int
) -> tuple[str, Invitation]:
    """A one-time invitation token (to send to the person) and the stored invitation.

    Whether the address already has an account anywhere is not checked here: answering differently
    would tell one practice about another's users. Acceptance refuses a taken address instead.
    """
    token = INVITATION_PREFIX + secrets.token_urlsafe(32)
    invitation = Invitation(
        practice_id=practice_id,
        email=normalize_email(email),
        role=role,
        token_hash=digest(token),
        invited_by=invited_by,
        expires_at=datetime.now(UTC) + timedelta(days=days),
    )
    async with database.transaction() as session:
        session.add(invitation)
    return token, invitation


async def accept_invitation(
    database: Database, token: str, name: str, password: str
) -> tuple[User | None, list[Problem], bool]:
    """The new user, the problems, and whether the user was stored.

    An invited address that already has an account is answered like any acceptance (same user
    payload, same hashing) but creates nothing: its owner is notified. Telling the token's holder
    "taken" would let one practice learn about another's users.
    """
    now = datetime.now(UTC)
    async with database.transaction() as session:
        invitation = await session.scalar(
            select(Invitation)
            .where(Invitation.token_hash == digest(token.strip()))
            .with_for_update()
        )
        expires = aware(invitation.expires_at) if invitation else None
        if (
            invitation is None
            or invitation.accepted_at
            or invitation.revoked_at
            or (expires and expires <= now)
        ):
            return (
                None,
                [("token", "INVALID_INVITATION", "The invitation is not valid, used or expired.")],
                False,
            )
        problems = name_problems("name", name) + new_password_problems(
            "password", password, (invitation.email, name)
        )
        if problems:
            return None, problems, False
        user = User(
            id=new_id(),
            practice_id=invitation.practice_id,
            email=invitation.email,
            name=name.strip(),
            role=invitation.role,
            status="active",
            password_hash=hash_password(password),
            failed_logins=0,
            password_changed_at=now,
            created_at=now,
        )
        invitation.accepted_at = now
        taken = await session.scalar(select(User.id).where(User.email == invitation.email))
        if taken is not None:
            notify(session, invitation.email, notifications.INVITATION_TO_EXISTING_ACCOUNT)
            return user, [], False
        session.add(user)
    return user, [], True


async def set_user_status(
    database: Database, practice_id: str, user_id: str, status: str
) -> User | None:
    """Disable or re-enable a user of this practice; disabling ends their sessions at once."""
    async with database.transaction() as session:
        user = await session.scalar(
            select(User).where(User.id == user_id, User.practice_id == practice_id)
        )
        if user is None:
            return None
        user.status = status
        if status != "active":
            await revoke_user_sessions(session, user.id)
    return user


async def change_password(
    database: Database, user_id: str, current: str, new: str
) -> tuple[User | None, list[Problem]]:
    """Check the current password, set the new one and end every session of the user."""
    async with database.transaction() as session:
        user = await session.scalar(select(User).where(User.id == user_id).with_for_update())
        if user is None or not verify_password(user.password_hash, current):
            return None, [
                ("currentPassword", "INVALID_CREDENTIALS", "The current password is not correct.")
            ]
        problems = new_password_problems("newPassword", new, (user.email, user.name))
        if not problems and verify_password(user.password_hash, new):
            problems = [
                (
                    "newPassword",
                    "PASSWORD_REUSED",
                    "Choose a password different from the current one.",
                )
            ]
        if problems:
            return None, problems
        user.password_hash = hash_password(new)
        user.password_changed_at = datetime.now(UTC)
        await revoke_user_sessions(session, user.id)
    return user, []
