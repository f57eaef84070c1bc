"""Login sessions: opened after both login steps, refreshed with rotating refresh tokens, ended by
logout, password change or a disabled account.

Every request with an access token checks its session row (one indexed lookup, like an API key): a
revoked session stops working at once, not when its access token expires.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth import tokens
from gateway.config import GatewaySettings
from gateway.errors import Unauthenticated
from gateway.identity import ROLE_SCOPES, Principal, aware, digest
from gateway.storage.database import Database
from gateway.storage.identity_tables import LoginSession, User
from gateway.storage.tables import Practice


@dataclass(frozen=True, slots=True)
class IssuedSession:
    session_id: str
    access_token: str
    access_expires_at: datetime
    refresh_token: str
    session_expires_at: datetime


def _access_token(settings: GatewaySettings, user: User, session_id: str) -> tuple[str, datetime]:
    return tokens.encode(
        settings.jwt_secret,
        tokens.ACCESS,
        user.id,
        timedelta(minutes=settings.access_token_minutes),
        sid=session_id,
    )


async def open_session(
    database: Database, settings: GatewaySettings, user: User, client_address: str | None
) -> IssuedSession:
    row = LoginSession(
        user_id=user.id,
        refresh_hash="",
        expires_at=datetime.now(UTC) + timedelta(hours=settings.session_hours),
        client_address=client_address,
    )
    async with database.transaction() as session:
        session.add(row)
        await session.flush()
        refresh, secret = tokens.new_refresh_token(row.id)
        row.refresh_hash = digest(secret)
    access, access_expires = _access_token(settings, user, row.id)
    return IssuedSession(row.id, access, access_expires, refresh, row.expires_at)


def user_is_usable(user: User, practice_status: str | None) -> bool:
    """Active, and (unless an operator) of an approved practice."""
    if user.status != "active":
        return False
    return user.practice_id is None or practice_status == "approved"


async def _load(
    session: AsyncSession, session_id: str
) -> tuple[LoginSession, User, str | None] | None:
    row = (
        await session.execute(
            select(LoginSession, User, Practice.status)
            .join(User, User.id == LoginSession.user_id)
            .outerjoin(Practice, Practice.id == User.practice_id)
            .where(LoginSession.id == session_id)
        )
    ).one_or_none()
    return None if row is None else (row[0], row[1], row[2])


async def refresh_session(
    database: Database, settings: GatewaySettings, refresh_token: str
) -> tuple[IssuedSession, User]:
    """A new access token and a new refresh token; the old refresh token stops working.

    Presenting an old (already rotated) refresh token ends the whole session: it means the token was
    copied, and either copy may be the attacker's.
    """
    parts = tokens.split_refresh_token(refresh_token)
    if parts is None:
        raise Unauthenticated("The refresh token is not valid.")
    session_id, secret = parts
    now = datetime.now(UTC)
    async with database.transaction() as session:
        loaded = await _load(session, session_id)
        if loaded is None:
            raise Unauthenticated("The refresh token is not valid.")
        login, user, practice_status = loaded
        if login.revoked_at is not None or (aware(login.expires_at) or now) <= now:
            raise Unauthenticated("The session has ended; log in again.")
        if not user_is_usable(user, practice_status):
            raise Unauthenticated("The account cannot be used.")
        reused = login.refresh_hash != digest(secret)
        refresh, new_secret = tokens.new_refresh_token(login.id)
        if reused:
            login.revoked_at = now
        else:
            login.refresh_hash = digest(new_secret)
            login.refreshed_at = now
        expires_at = aware(login.expires_at)
    if reused:
        raise Unauthenticated("The refresh token was already used; the session has been ended.")
    access, access_expires = _access_token(settings, user, session_id)
    assert expires_at is not None
    return IssuedSession(session_id, access, access_expires, refresh, expires_at), user


async def revoke_session(database: Database, session_id: str) -> None:
    async with database.transaction() as session:
        await session.execute(
            update(LoginSession)
            .where(LoginSession.id == session_id, LoginSession.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
        )


async def revoke_user_sessions(session: AsyncSession, user_id: str) -> None:
    """End every session of a user (inside the caller's transaction)."""
    await session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    )


async def authenticate_access_token(
    database: Database, settings: GatewaySettings, token: str
) -> Principal:
    """The principal an access token stands for, if its session is still open and its user usable."""
    principal, _ = await access_token_principal(database, settings, token)
    return principal


async def access_token_principal(
    database: Database, settings: GatewaySettings, token: str
) -> tuple[Principal, datetime]:
    """Like :func:`authenticate_access_token`, also returning when the token expires."""
    claims = tokens.decode(settings.jwt_secret, tokens.ACCESS, token)
    session_id = str(claims.get("sid", ""))
    async with database.session() as session:
        loaded = await _load(session, session_id)
    if loaded is None:
        raise Unauthenticated("The access token is not valid.")
    login, user, practice_status = loaded
    now = datetime.now(UTC)
    if login.user_id != claims["sub"]:
        raise Unauthenticated("The access token is not valid.")
    if login.revoked_at is not None or (aware(login.expires_at) or now) <= now:
        raise Unauthenticated("The session has ended; log in again.")
    if not user_is_usable(user, practice_status):
        raise Unauthenticated("The account cannot be used.")
    return Principal(
        practice_id=user.practice_id,
        actor_id=user.id,
        actor_kind="user",
        # Scopes come from the role as it is now: a changed role takes effect on the next request.
        scopes=ROLE_SCOPES.get(user.role, frozenset()),
        role=user.role,
        session_id=login.id,
    ), datetime.fromtimestamp(int(claims["exp"]), UTC)
