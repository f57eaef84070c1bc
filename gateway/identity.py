"""Who is calling: a :class:`Principal` acting for exactly one practice, with scopes.

For now callers are partner systems with API keys. Keys are random (``pgw_`` + 256 bits), shown once,
and stored only as a SHA-256 digest: with that much entropy a slow password hash adds nothing, and a
fast digest lets every request be checked with one indexed lookup.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from gateway.errors import Unauthenticated
from gateway.storage.database import Database
from gateway.storage.tables import ApiKey, Practice

KEY_PREFIX = "pgw_"

#: Every scope the gateway knows. Fields declare which they need (see graphql/permissions.py).
ALL_SCOPES = frozenset(
    {
        "patients:read",
        "patients:write",
        "eligibility:read",
        "claims:read",
        "claims:write",
        "payments:read",
        "phi:read",
    }
)

# Writing last_used_at on every request would turn each read into a write; a minute's precision is plenty.
_LAST_USED_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class Principal:
    practice_id: str
    actor_id: str
    actor_kind: str
    scopes: frozenset[str]

    def has(self, scope: str) -> bool:
        return scope in self.scopes


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


async def create_api_key(
    database: Database,
    practice_id: str,
    name: str,
    scopes: frozenset[str] = ALL_SCOPES,
    *,
    key: str | None = None,
    expires_at: datetime | None = None,
) -> str:
    """Create a key and return its secret (the only time it is ever visible)."""
    unknown = scopes - ALL_SCOPES
    if unknown:
        raise ValueError(f"unknown scopes: {sorted(unknown)}")
    secret = key or KEY_PREFIX + secrets.token_urlsafe(32)
    async with database.transaction() as session:
        session.add(
            ApiKey(
                practice_id=practice_id,
                name=name,
                prefix=secret[:12],
                key_hash=digest(secret),
                scopes=sorted(scopes),
                expires_at=expires_at,
            )
        )
    return secret


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes even for timezone-aware columns; they are stored in UTC.
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


async def authenticate_api_key(database: Database, key: str) -> Principal:
    """The principal a bearer key stands for, or :class:`Unauthenticated` saying why not."""
    if not key.startswith(KEY_PREFIX):
        raise Unauthenticated("The API key is not valid.")
    now = datetime.now(UTC)
    async with database.session() as session:
        row = (
            await session.execute(
                select(ApiKey, Practice.status)
                .join(Practice, Practice.id == ApiKey.practice_id)
                .where(ApiKey.key_hash == digest(key))
            )
        ).one_or_none()
        if row is None:
            raise Unauthenticated("The API key is not valid.")
        api_key, practice_status = row
        if api_key.revoked_at is not None:
            raise Unauthenticated("The API key has been revoked.")
        expires_at = _aware(api_key.expires_at)
        if expires_at is not None and expires_at <= now:
            raise Unauthenticated("The API key has expired.")
        if practice_status != "approved":
            raise Unauthenticated("The practice of this API key is not approved.")
        last_used = _aware(api_key.last_used_at)
        if last_used is None or now - last_used > _LAST_USED_PRECISION:
            await session.execute(
                update(ApiKey).where(ApiKey.id == api_key.id).values(last_used_at=now)
            )
            await session.commit()
    return Principal(
        practice_id=api_key.practice_id,
        actor_id=api_key.id,
        actor_kind="api_key",
        scopes=frozenset(api_key.scopes),
    )
