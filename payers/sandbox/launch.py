"""Stand up the sandbox payers of a world and describe them as a payers config the gateway can load.

Each protocol registers a :class:`SandboxKind`: how to build its server app from a payer book, which
credentials that server demands (and its adapter therefore needs), and adapter options.
"""

from __future__ import annotations

import secrets
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from starlette.types import ASGIApp

from payers.sandbox.world import SandboxPayerBook, World


@dataclass(frozen=True)
class SandboxKind:
    protocol: str
    factory: str  # "module:function" taking (book, *, credentials, faults=None)
    credential_names: tuple[str, ...]
    options: Callable[[SandboxPayerBook, str], dict[str, Any]] = field(default=lambda book, url: {})

    def create_app(self, book: SandboxPayerBook, credentials: Mapping[str, str]) -> ASGIApp:
        module, _, name = self.factory.partition(":")
        return getattr(import_module(module), name)(book, credentials=dict(credentials))  # type: ignore[no-any-return]


KINDS: dict[str, SandboxKind] = {
    "rest": SandboxKind("rest", "payers.sandbox.rest_app:create_rest_app", ("api_key",)),
}


def env_name(book_key: str, credential: str) -> str:
    return f"SANDBOX_{book_key.upper()}_{credential.upper()}"


@dataclass
class SandboxPlan:
    """What to start: one app per book, and the secrets (as environment variables) it was given."""

    apps: dict[str, ASGIApp]
    environ: dict[str, str]


def plan_sandboxes(world: World, only: set[str] | None = None) -> SandboxPlan:
    apps: dict[str, ASGIApp] = {}
    environ: dict[str, str] = {}
    for key, book in world.books.items():
        if only is not None and key not in only:
            continue
        kind = KINDS[book.protocol]
        credentials = {name: secrets.token_urlsafe(24) for name in kind.credential_names}
        environ.update({env_name(key, name): value for name, value in credentials.items()})
        apps[key] = kind.create_app(book, credentials)
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


def payers_toml(world: World, base_urls: Mapping[str, str], timeout_seconds: float = 10.0) -> str:
    """A payers config naming each running sandbox; credentials point at environment variables."""
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
            f"options = {_toml_value(kind.options(book, url))}",
            "",
        ]
    text = "\n".join(lines)
    tomllib.loads(text)  # fail here, not in the gateway, if we wrote something unreadable
    return text
