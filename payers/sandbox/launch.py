"""Stand up the sandbox payers of a world and describe them as a payers config the gateway can load.

Each protocol registers a :class:`SandboxKind`: how to build its server app from a payer book, which
credentials that server demands (and its adapter therefore needs), and adapter options.
"""

from __future__ import annotations

import secrets
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp

from payers.sandbox.clock import ClockSettings
from payers.sandbox.crossover import SandboxNetwork
from payers.sandbox.faults import FaultSettings
from payers.sandbox.policy import policy_of
from payers.sandbox.world import SandboxPayerBook, World


@dataclass(frozen=True)
class SandboxRun:
    """How the sandboxes of one plan run: their claim clock and the network they forward on."""

    clock: ClockSettings | None = None
    network: SandboxNetwork | None = None


AppBuilder = Callable[
    [SandboxPayerBook, Mapping[str, str], FaultSettings | None, SandboxRun], ASGIApp
]


@dataclass(frozen=True)
class SandboxKind:
    """A protocol's sandbox server, the credentials it demands, and its adapter's options."""

    protocol: str
    build: AppBuilder
    credential_names: tuple[str, ...]
    options: Callable[[SandboxPayerBook, str], dict[str, Any]] = field(default=lambda book, url: {})

    def create_app(
        self,
        book: SandboxPayerBook,
        credentials: Mapping[str, str],
        faults: FaultSettings | None = None,
        run: SandboxRun | None = None,
    ) -> ASGIApp:
        return self.build(book, credentials, faults, run or SandboxRun())


def _rest_app(
    book: SandboxPayerBook,
    credentials: Mapping[str, str],
    faults: FaultSettings | None,
    run: SandboxRun,
) -> ASGIApp:
    from payers.sandbox.rest_app import create_rest_app

    return create_rest_app(
        book, api_key=credentials["api_key"], faults=faults, clock=run.clock, network=run.network
    )


def _x12_app(
    book: SandboxPayerBook,
    credentials: Mapping[str, str],
    faults: FaultSettings | None,
    run: SandboxRun,
) -> ASGIApp:
    from payers.sandbox.x12_app import create_x12_app

    return create_x12_app(
        book, credentials=credentials, faults=faults, clock=run.clock, network=run.network
    )


def _fhir_app(
    book: SandboxPayerBook,
    credentials: Mapping[str, str],
    faults: FaultSettings | None,
    run: SandboxRun,
) -> ASGIApp:
    from payers.sandbox.fhir_app import create_fhir_app

    return create_fhir_app(
        book, credentials=credentials, faults=faults, claim_clock=run.clock, network=run.network
    )


KINDS: dict[str, SandboxKind] = {
    "rest": SandboxKind("rest", _rest_app, ("api_key",)),
    # The FHIR payer serves FHIR at its root, OAuth2 client credentials at /oauth/token, and
    # PaymentReconciliation for remittance totals; requests name the family practice ("mfm").
    "fhir": SandboxKind(
        "fhir",
        _fhir_app,
        ("client_id", "client_secret"),
        lambda book, url: {
            "token_url": f"{url.rstrip('/')}/oauth/token",
            "payment_reconciliation": True,
            "provider_npi": book.providers["mfm"].npi,
            "payer_identifier": book.payer_number,
            "payer_identifier_system": "urn:sandbox-payer:payer-id",
            # The sandbox pages by two to exercise paging: months of a practice's EOBs take many.
            "max_pages": 200,
        },
    ),
    # The X12 payer is asked as the family practice that bills most sandbox claims ("mfm"): its NPI
    # is the CORE SenderID/ISA06, the 270/276 provider, the 837P billing provider and 835 payee.
    "x12": SandboxKind(
        "x12",
        _x12_app,
        ("username", "password"),
        lambda book, url: {
            "sender_id": book.providers["mfm"].npi,
            "receiver_id": book.payer_number,
            "payer_id": book.payer_number,
            "payer_name": book.name,
            "provider_npi": book.providers["mfm"].npi,
            "provider_name": book.providers["mfm"].name,
            "billing_address": {
                "street": book.providers["mfm"].address1,
                "city": book.providers["mfm"].city,
                "state": book.providers["mfm"].state,
                "postal_code": book.providers["mfm"].postal_code,
            },
            "usage": "T",
        },
    ),
}


def env_name(book_key: str, credential: str) -> str:
    return f"SANDBOX_{book_key.upper()}_{credential.upper()}"


@dataclass
class SandboxPlan:
    """What to start: one app per book, and the secrets (as environment variables) it was given."""

    apps: dict[str, ASGIApp]
    environ: dict[str, str]


def plan_sandboxes(
    world: World,
    only: set[str] | None = None,
    faults: FaultSettings | None = None,
    clock: ClockSettings | None = None,
) -> SandboxPlan:
    """Apps for every book (or those in ``only``) whose protocol has a sandbox server.

    ``clock`` (default :class:`ClockSettings`) sets when received claims are adjudicated and paid;
    the apps share one :class:`SandboxNetwork`, so a crossover payer forwards to the others."""
    apps: dict[str, ASGIApp] = {}
    environ: dict[str, str] = {}
    run = SandboxRun(clock, SandboxNetwork(world))
    for key, book in world.books.items():
        kind = KINDS.get(book.protocol)
        if kind is None or (only is not None and key not in only):
            continue
        credentials = {name: secrets.token_urlsafe(24) for name in kind.credential_names}
        environ.update({env_name(key, name): value for name, value in credentials.items()})
        apps[key] = kind.create_app(book, credentials, faults, run)
    return SandboxPlan(apps=apps, environ=environ)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def _payer_options(key: str, kind: SandboxKind, book: SandboxPayerBook, url: str) -> dict[str, Any]:
    """The adapter's options, and the payer's timely-filing window as its sandbox enforces it (so
    the gateway's own edit refuses a late claim before it is sent)."""
    return {**kind.options(book, url), "timely_filing_days": policy_of(key).timely_filing_days}


def payers_toml(
    world: World,
    base_urls: Mapping[str, str],
    timeout_seconds: float = 10.0,
    options: Mapping[str, Any] | None = None,
) -> str:
    """A payers config naming each running sandbox; credentials point at environment variables.
    ``options`` are added to every payer's (e.g. the demo's ``status_poll_seconds``)."""
    lines = ["[defaults]", f"timeout_seconds = {timeout_seconds!r}", ""]
    for key, url in base_urls.items():
        book = world.books[key]
        kind = KINDS[book.protocol]
        lines += [
            "[[payers]]",
            f"id = {_toml_value(key)}",
            f"name = {_toml_value(book.name)}",
            f"adapter = {_toml_value(book.protocol)}",
            f"base_url = {_toml_value(url)}",
            f"credentials = {_toml_value({n: env_name(key, n) for n in kind.credential_names})}",
            f"options = {_toml_value({**_payer_options(key, kind, book, url), **(options or {})})}",
            "",
        ]
    text = "\n".join(lines)
    tomllib.loads(text)  # fail here, not in the gateway, if we wrote something unreadable
    return text
