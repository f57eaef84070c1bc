"""Gateway settings, read from the environment only (secrets never come from files in the repo)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as setting

PREFIX = "PAYER_GATEWAY_"


class SettingsError(ValueError):
    """An environment variable holds a value its setting cannot take (the message names it)."""


@dataclass(frozen=True, slots=True)
class GatewaySettings:
    database_url: str = "sqlite:///payer-gateway.db"
    cache_url: str = "memory://"  # or redis://host:port/db, shared by every gateway process
    cache_namespace: str = (
        "pgw"  # prefix of every cache key (one Redis can serve several deployments)
    )
    cache_max_entries: int = 20_000  # bound of the in-memory cache; the oldest entries go first
    cache_timeout_ms: int = 250  # a slower cache operation counts as a miss (the cache fails open)
    cache_stale_grace_seconds: int = (
        600  # how long past its TTL an entry may answer for a down payer
    )
    response_cache_ttl: int = 60  # upper bound for whole-response entries; 0 turns them off
    breaker_failure_threshold: int = 5  # consecutive failed calls that open a payer's breaker
    breaker_reset_seconds: float = 30.0  # how long an open breaker waits before one probe call
    retry_attempts: int = 2  # extra tries of an idempotent read after a retryable failure
    retry_base_delay_ms: int = 50  # first backoff (full jitter, doubling each try)
    retry_max_delay_ms: int = 400
    payers_config: str = "payers.toml"
    # Processes `serve` runs on one port (`--workers` wins over it); more than one needs the Redis
    # cache, which they share (docs/deployment.md says what is shared and what is per process).
    workers: int = 1
    # Sized for checkEligibilityBatch's largest list: 10,000 patient ids are about 390 KB of JSON
    # (440 KB indented); 512 KiB holds them with room, and still bounds what is read.
    max_body_bytes: int = 512 * 1024
    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 4000
    max_page_size: int = 100
    introspection: bool = True
    log_level: str = "INFO"
    # Identity. Secrets: PAYER_GATEWAY_JWT_SECRET signs session tokens, PAYER_GATEWAY_PSEUDONYM_SECRET
    # keys analysts' patient pseudonyms; `serve` refuses to start without them (see gateway/auth/secrets.py).
    jwt_secret: str = setting(default="", repr=False)
    pseudonym_secret: str = setting(default="", repr=False)
    access_token_minutes: int = 15
    session_hours: int = 12  # a login lasts at most this long, however often it is refreshed
    login_max_failures: int = 5  # consecutive failed passwords or codes that lock an account
    login_lockout_minutes: int = 15
    invitation_days: int = 7
    # Rate limits (token bucket per API key, per user, and per client address for anonymous calls).
    rate_limit_per_minute: int = 600
    rate_limit_burst: int = 120
    anonymous_rate_limit_per_minute: int = 30  # also: credential attempts per client address
    # Credential attempts (login, completeLogin, refreshSession, acceptInvitation, ...) per target
    # account or token, counted per mutation executed, not per request (gateway/graphql/attempts.py).
    credential_attempts_per_minute: int = 10
    # Coverage discovery asks every payer: searches per minute per user or key (3x per practice).
    discovery_per_minute: int = 10
    # How long an API key's principal is remembered instead of read again (revoking through the gateway
    # forgets it at once in that process; elsewhere it takes effect within this bound). 0: always read.
    principal_cache_seconds: float = 5.0
    max_batch_operations: int = 0  # GraphQL batching (a JSON list of operations); 0 turns it off
    # Browsers. GraphiQL at GET /graphql, its assets served by the gateway (the demo turns it on).
    graphiql: bool = False
    # Origins (scheme://host[:port], comma-separated) whose pages may call the gateway; none by default.
    cors_origins: str = ""
    # The portal (gateway/web/): a signed-in browser that sends nothing for this long goes back to login.
    portal_idle_seconds: int = 900
    # Times on the portal's pages are shown in this zone (an IANA name).
    portal_time_zone: str = "America/New_York"
    # Behind a TLS-terminating proxy: trust its X-Forwarded-Proto to mark the session cookie Secure.
    behind_proxy: bool = False
    # History exports (GET /exports/history, docs/exports.md): the longest slice, payers named at most,
    # exports started per practice a minute, and exports streaming at once per practice and process.
    export_max_days: int = 731
    export_max_payers: int = 20
    export_per_minute: int = 6
    export_max_concurrent: int = 2

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> GatewaySettings:
        environ = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for name, field in cls.__dataclass_fields__.items():
            raw = environ.get(PREFIX + name.upper())
            if raw is None:
                continue
            if field.type in {"int", "float"}:
                try:
                    values[name] = int(raw) if field.type == "int" else float(raw)
                except ValueError:
                    kind = "a whole number" if field.type == "int" else "a number"
                    raise SettingsError(
                        f"{PREFIX}{name.upper()} must be {kind}, not {raw[:40]!r}"
                    ) from None
            elif field.type == "bool":
                values[name] = raw.strip().lower() in {"1", "true", "yes", "on"}
            else:
                values[name] = raw
        return cls(**values)  # type: ignore[arg-type]
