"""Claims settings, from ``PAYER_GATEWAY_CLAIMS_*`` environment variables (all optional)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields

from gateway.claims.webhook_addresses import Network, parse_networks

PREFIX = "PAYER_GATEWAY_CLAIMS_"


@dataclass(frozen=True, slots=True)
class ClaimsSettings:
    run_in_gateway: bool = (
        True  # dispatcher, poller and webhook sender inside `serve` (off: use `worker`)
    )
    idle_seconds: float = (
        1.0  # how often an idle dispatcher looks for due rows (new claims wake it)
    )
    batch_size: int = 50
    per_payer_concurrency: int = 8  # claims in flight to one payer from one dispatcher
    retry_base_seconds: float = 2.0  # first backoff after a payer failure, doubling each time...
    retry_cap_seconds: float = 900.0  # ...up to this
    lease_seconds: float = (
        15.0  # a send's lease, renewed while in flight: a crash's rows go again after it
    )
    poll_tick_seconds: float = 30.0  # how often the poller looks for claims due a status check
    first_poll_seconds: float = 300.0  # first status check this long after the acknowledgment
    webhook_tick_seconds: float = 2.0
    webhook_timeout_seconds: float = 5.0
    webhook_max_attempts: int = 12
    webhook_allow_http: bool = (
        False  # plain http webhook URLs, loopback included (development only)
    )
    # Networks webhooks may reach though not public, CIDR, comma-separated (e.g. 127.0.0.0/8,::1/128
    # for a receiver on this machine); the default allows none (gateway/claims/webhook_addresses.py).
    webhook_allowed_networks: str = ""
    eligibility_budget_seconds: float = 3.0  # 0 turns the eligibility edit off
    # The ledger's remittance puller (gateway/ledger/puller.py): each practice's remittances from each
    # payer this often, looked for every tick; a pull's lease is renewed while the payer answers.
    remittance_pull_seconds: float = 300.0
    remittance_tick_seconds: float = 5.0
    remittance_lease_seconds: float = 120.0
    # The claim history refresher (gateway/history/refresher.py): each practice's claims from each
    # payer with claim search this often (the first one this long after a process sees the practice).
    history_refresh_seconds: float = 3600.0
    history_first_refresh_seconds: float = 60.0
    history_tick_seconds: float = 15.0
    history_lease_seconds: float = 120.0
    history_lookback_days: int = 730

    def __post_init__(self) -> None:
        self.allowed_networks()  # a typo fails at start-up, naming the variable

    def allowed_networks(self) -> tuple[Network, ...]:
        try:
            return parse_networks(self.webhook_allowed_networks)
        except ValueError as exc:
            raise ValueError(f"{PREFIX}WEBHOOK_ALLOWED_NETWORKS: {exc}") from None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> ClaimsSettings:
        environ = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for item in fields(cls):
            raw = environ.get(PREFIX + item.name.upper())
            if raw is None:
                continue
            if item.type == "bool":
                values[item.name] = raw.strip().lower() in {"1", "true", "yes", "on"}
            elif item.type == "str":
                values[item.name] = raw
            elif item.type == "int":
                values[item.name] = int(raw)
            else:
                values[item.name] = float(raw)
        return cls(**values)  # type: ignore[arg-type]
