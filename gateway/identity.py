"""Who is calling: a :class:`Principal` acting for one practice (or an operator, for none), with scopes.

People log in (gateway/auth/) and get scopes from their role; partner systems use API keys carrying
scopes directly. Keys are random (``pgw_`` + 256 bits), shown once, and stored only as a SHA-256
digest: with that much entropy a slow password hash adds nothing, and a fast digest lets every request
be checked with one indexed lookup.
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

PATIENTS_READ = "patients:read"
PATIENTS_WRITE = "patients:write"
ELIGIBILITY_READ = "eligibility:read"
ELIGIBILITY_BATCH = "eligibility:batch"  # start batch eligibility jobs and follow their progress
CLAIMS_READ = "claims:read"
CLAIMS_WRITE = "claims:write"
PAYMENTS_READ = "payments:read"
PAYMENTS_WRITE = "payments:write"  # upload, enter and match remittances; fetch them now
PHI_READ = "phi:read"
FEES_WRITE = (
    "fees:write"  # maintain the practice's fee schedule (allowed amounts per payer and code)
)
USERS_MANAGE = "users:manage"
AUDIT_READ = "audit:read"
PRACTICE_APPROVE = "practice:approve"
HISTORY_EXPORT = (
    "history:export"  # bulk history exports (gateway/exports/): de-identified by default
)

#: Every scope the gateway knows. Fields declare which they need (see graphql/permissions.py).
ALL_SCOPES = frozenset(
    {
        PATIENTS_READ,
        PATIENTS_WRITE,
        ELIGIBILITY_READ,
        ELIGIBILITY_BATCH,
        CLAIMS_READ,
        CLAIMS_WRITE,
        PAYMENTS_READ,
        PAYMENTS_WRITE,
        PHI_READ,
        FEES_WRITE,
        USERS_MANAGE,
        AUDIT_READ,
        PRACTICE_APPROVE,
        HISTORY_EXPORT,
    }
)

#: What a partner system's key may carry: never the power to mint keys or users, nor an operator's.
KEY_SCOPES = ALL_SCOPES - {USERS_MANAGE, PRACTICE_APPROVE}

_CLINICAL = {PATIENTS_READ, PATIENTS_WRITE, ELIGIBILITY_READ, CLAIMS_READ, CLAIMS_WRITE, PHI_READ}

#: Roles of people. An analyst sees claims and payments with pseudonymous patient keys, not identity.
ROLE_SCOPES: dict[str, frozenset[str]] = {
    "operator": frozenset({PRACTICE_APPROVE}),
    "practice_admin": frozenset(KEY_SCOPES | {USERS_MANAGE}),
    "front_desk": frozenset(_CLINICAL | {ELIGIBILITY_BATCH}),
    "biller": frozenset(_CLINICAL | {PAYMENTS_READ, PAYMENTS_WRITE, FEES_WRITE}),
    "analyst": frozenset({PATIENTS_READ, CLAIMS_READ, PAYMENTS_READ, HISTORY_EXPORT}),
}
PRACTICE_ROLES = frozenset(ROLE_SCOPES) - {"operator"}

# Writing last_used_at on every request would turn each read into a write; a minute's precision is plenty.
_LAST_USED_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller. ``practice_id`` is None only for gateway operators, who see no practice's data."""

    practice_id: str | None
    actor_id: str
    actor_kind: str  # "user" or "api_key"
    scopes: frozenset[str]
    role: str | None = None
    session_id: str | None = None

    def has(self, scope: str) -> bool:
        return scope in self.scopes

    @property
    def rate_limit_key(self) -> str:
        return f"{self.actor_kind}:{self.actor_id}"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes even for timezone-aware columns; they are stored in UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def check_key_scopes(scopes: frozenset[str]) -> None:
    unknown = scopes - ALL_SCOPES
    if unknown:
        raise ValueError(f"unknown scopes: {sorted(unknown)}")
    refused = scopes - KEY_SCOPES
    if refused:
        raise ValueError(f"API keys cannot carry: {sorted(refused)}")


async def create_api_key(
    database: Database,
    practice_id: str,
    name: str,
    scopes: frozenset[str] = KEY_SCOPES,
    *,
    key: str | None = None,
    expires_at: datetime | None = None,
    created_by: str | None = None,
) -> str:
    """Create a key and return its secret (the only time it is ever visible)."""
    secret, _ = await create_api_key_row(
        database, practice_id, name, scopes, key=key, expires_at=expires_at, created_by=created_by
    )
    return secret


async def create_api_key_row(
    database: Database,
    practice_id: str,
    name: str,
    scopes: frozenset[str],
    *,
    key: str | None = None,
    expires_at: datetime | None = None,
    created_by: str | None = None,
) -> tuple[str, ApiKey]:
    """Like :func:`create_api_key`, also returning the stored row (for the createApiKey mutation)."""
    check_key_scopes(scopes)
    secret = key or KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(
        practice_id=practice_id,
        name=name,
        prefix=secret[:12],
        key_hash=digest(secret),
        scopes=sorted(scopes),
        expires_at=expires_at,
        created_by=created_by,
    )
    async with database.transaction() as session:
        session.add(row)
    return secret, row


async def authenticate_api_key(database: Database, key: str) -> Principal:
    """The principal a bearer key stands for, or :class:`Unauthenticated` saying why not."""
    principal, _ = await api_key_principal(database, key)
    return principal


async def api_key_principal(database: Database, key: str) -> tuple[Principal, datetime | None]:
    """Like :func:`authenticate_api_key`, also returning when the key expires (None: never)."""
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
        expires_at = aware(api_key.expires_at)
        if expires_at is not None and expires_at <= now:
            raise Unauthenticated("The API key has expired.")
        if practice_status != "approved":
            raise Unauthenticated("The practice of this API key is not approved.")
        last_used = aware(api_key.last_used_at)
        if last_used is None or now - last_used > _LAST_USED_PRECISION:
            await session.execute(
                update(ApiKey).where(ApiKey.id == api_key.id).values(last_used_at=now)
            )
            await session.commit()
    return Principal(
        practice_id=api_key.practice_id,
        actor_id=api_key.id,
        actor_kind="api_key",
        # Scopes a key may no longer carry (the list shrank) are dropped, never honoured.
        scopes=frozenset(api_key.scopes) & KEY_SCOPES,
    ), expires_at
