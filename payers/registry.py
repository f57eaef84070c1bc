"""Find adapter classes, read the payers config file, and build one adapter per configured payer.

Adapter classes are discovered through the entry-point group ``payer_gateway.adapters``; the built-in
ones are declared there too (see ``pyproject.toml``) and, like datasette's default plugins, are also
loaded by import path when ``PAYER_GATEWAY_DISABLE_ADAPTER_AUTOLOAD=1`` turns third-party discovery off.
Every class is checked when it registers; a bad class, an unknown adapter name, a missing credential or a
malformed config file raises :class:`RegistryError` whose message names the payer or adapter and the
problem, and the gateway refuses to start.

The payers config is TOML::

    [defaults]
    timeout_seconds = 10
    cache_ttl = { eligibility = 900 }

    [[payers]]
    id = "lakeshore"
    name = "Lakeshore Health Plan"
    adapter = "rest"
    base_url = "https://api.lakeshore.example"
    timeout_seconds = 5
    credentials = { api_key = "LAKESHORE_API_KEY" }   # values are environment-variable NAMES
    cache_ttl = { eligibility = 600 }
    options = { }                                      # adapter-specific
"""

from __future__ import annotations

import inspect
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from payers.contract import (
    CAPABILITY_METHODS,
    DEFAULT_CACHE_TTL,
    Capability,
    PayerAdapter,
    PayerSettings,
)

ENTRY_POINT_GROUP = "payer_gateway.adapters"
DISABLE_AUTOLOAD_ENV = "PAYER_GATEWAY_DISABLE_ADAPTER_AUTOLOAD"

#: Adapters shipped with the gateway; also declared as entry points in pyproject.toml.
BUILTIN_ADAPTERS: Mapping[str, str] = {
    "rest": "payers.rest.adapter:RestPayerAdapter",
    "fhir": "payers.fhir.adapter:FhirPayerAdapter",
    "x12": "payers.x12.adapter:X12PayerAdapter",
}

_PAYER_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


class RegistryError(Exception):
    """Start-up refused: an adapter or a configured payer cannot be used. The message says why."""


def check_adapter_class(name: str, cls: Any) -> None:
    """Refuse an adapter class that does not honour the contract, naming it and the problem."""
    where = (
        f"adapter {name!r} ({getattr(cls, '__module__', '?')}.{getattr(cls, '__qualname__', cls)})"
    )
    if not inspect.isclass(cls):
        raise RegistryError(f"{where}: the entry point must name a class, got {type(cls).__name__}")
    protocol = getattr(cls, "protocol", None)
    if not isinstance(protocol, str) or not protocol:
        raise RegistryError(f"{where}: class attribute 'protocol' must be a non-empty string")
    capabilities = getattr(cls, "capabilities", None)
    if not isinstance(capabilities, frozenset) or not capabilities:
        raise RegistryError(f"{where}: 'capabilities' must be a non-empty frozenset of Capability")
    for capability in capabilities:
        if not isinstance(capability, Capability):
            raise RegistryError(f"{where}: {capability!r} is not a payers.contract.Capability")
        method = getattr(cls, CAPABILITY_METHODS[capability], None)
        if method is None or not inspect.iscoroutinefunction(method):
            raise RegistryError(
                f"{where}: declares {capability.value!r} but has no "
                f"'async def {CAPABILITY_METHODS[capability]}'"
            )
    required: object = getattr(cls, "required_credentials", frozenset())
    if not isinstance(required, frozenset | set | tuple | list):
        raise RegistryError(f"{where}: 'required_credentials' must be a set of names")
    try:
        inspect.signature(cls).bind(None, None)
    except TypeError as exc:
        raise RegistryError(f"{where}: __init__ must accept (settings, client): {exc}") from exc


class AdapterRegistry:
    """Adapter classes by name, each checked against the contract when it registers."""

    def __init__(self) -> None:
        self._classes: dict[str, type[PayerAdapter]] = {}
        self._pending: dict[str, Callable[[], Any]] = {}

    def register(self, name: str, cls: Any) -> None:
        check_adapter_class(name, cls)
        self._classes[name] = cls
        self._pending.pop(name, None)

    def add_lazy(self, name: str, load: Callable[[], Any]) -> None:
        """Know ``name`` now, import it only when a payer uses it (a broken unused plug-in is harmless)."""
        if name not in self._classes:
            self._pending[name] = load

    def names(self) -> list[str]:
        return sorted({*self._classes, *self._pending})

    def get(self, name: str) -> type[PayerAdapter]:
        if name in self._classes:
            return self._classes[name]
        load = self._pending.get(name)
        if load is None:
            known = ", ".join(self.names()) or "none"
            raise RegistryError(f"unknown adapter {name!r} (installed adapters: {known})")
        try:
            cls = load()
        except Exception as exc:
            raise RegistryError(f"adapter {name!r} failed to import: {exc}") from exc
        self.register(name, cls)
        return self._classes[name]

    @classmethod
    def discover(cls, environ: Mapping[str, str] | None = None) -> AdapterRegistry:
        """Built-in adapters, plus every installed entry point unless autoload is disabled."""
        environ = os.environ if environ is None else environ
        registry = cls()
        if environ.get(DISABLE_AUTOLOAD_ENV, "").strip().lower() not in {"1", "true", "yes"}:
            for entry in entry_points(group=ENTRY_POINT_GROUP):
                registry.add_lazy(entry.name, entry.load)
        for name, target in BUILTIN_ADAPTERS.items():
            registry.add_lazy(name, EntryPoint(name, target, ENTRY_POINT_GROUP).load)
        return registry


# --- the config file ---------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Defaults(_Strict):
    timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    cache_ttl: dict[str, int] = Field(default_factory=dict)
    batch_concurrency: int = Field(default=5, ge=1, le=500)
    batch_rate_per_second: float = Field(default=10.0, gt=0, le=10_000)


class _PayerEntry(_Strict):
    id: str
    name: str = Field(min_length=1)
    adapter: str = Field(min_length=1)
    base_url: str = Field(min_length=1)
    timeout_seconds: float | None = Field(default=None, gt=0, le=300)
    credentials: dict[str, str] = Field(default_factory=dict)
    cache_ttl: dict[str, int] = Field(default_factory=dict)
    options: dict[str, Any] = Field(default_factory=dict)
    batch_concurrency: int | None = Field(default=None, ge=1, le=500)
    batch_rate_per_second: float | None = Field(default=None, gt=0, le=10_000)

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not _PAYER_ID.match(value):
            raise ValueError("must be lowercase letters, digits, '-' or '_' (at most 63)")
        return value


class _PayersFile(_Strict):
    defaults: _Defaults = Field(default_factory=_Defaults)
    payers: list[_PayerEntry] = Field(min_length=1)


def _describe(error: ValidationError, data: Mapping[str, Any]) -> str:
    problems = []
    for item in error.errors():
        loc = list(item["loc"])
        where = ".".join(str(part) for part in loc)
        if len(loc) >= 2 and loc[0] == "payers" and isinstance(loc[1], int):
            entries = data.get("payers") or []
            entry = entries[loc[1]] if loc[1] < len(entries) else {}
            payer = entry.get("id") if isinstance(entry, dict) else None
            where = f"payer {payer!r}: " + ".".join(str(p) for p in loc[2:]) if payer else where
        problems.append(f"{where}: {item['msg']}")
    return "; ".join(problems)


def _check_ttls(owner: str, ttls: Mapping[str, int]) -> None:
    for operation, seconds in ttls.items():
        if operation not in DEFAULT_CACHE_TTL:
            allowed = ", ".join(DEFAULT_CACHE_TTL)
            raise RegistryError(f"{owner}: unknown cache_ttl operation {operation!r} ({allowed})")
        if seconds < 0:
            raise RegistryError(f"{owner}: cache_ttl.{operation} must be >= 0")


def parse_payers_config(
    text: str, environ: Mapping[str, str] | None = None, *, source: str = "payers config"
) -> list[PayerSettings]:
    """Read a payers TOML document into settings, resolving credentials from the environment."""
    environ = os.environ if environ is None else environ
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"{source} is not valid TOML: {exc}") from exc
    try:
        parsed = _PayersFile.model_validate(data)
    except ValidationError as exc:
        raise RegistryError(f"{source}: {_describe(exc, data)}") from exc
    _check_ttls(f"{source} [defaults]", parsed.defaults.cache_ttl)
    seen: set[str] = set()
    settings = []
    for entry in parsed.payers:
        if entry.id in seen:
            raise RegistryError(f"{source}: payer {entry.id!r} is configured twice")
        seen.add(entry.id)
        _check_ttls(f"payer {entry.id!r}", entry.cache_ttl)
        credentials = {}
        for name, variable in entry.credentials.items():
            value = environ.get(variable)
            if not value:
                raise RegistryError(
                    f"payer {entry.id!r}: credential {name!r} expects environment variable "
                    f"{variable!r}, which is not set"
                )
            credentials[name] = value
        settings.append(
            PayerSettings(
                id=entry.id,
                name=entry.name,
                adapter=entry.adapter,
                base_url=entry.base_url.rstrip("/"),
                timeout_seconds=entry.timeout_seconds or parsed.defaults.timeout_seconds,
                credentials=credentials,
                cache_ttl={**DEFAULT_CACHE_TTL, **parsed.defaults.cache_ttl, **entry.cache_ttl},
                options=dict(entry.options),
                batch_concurrency=entry.batch_concurrency or parsed.defaults.batch_concurrency,
                batch_rate_per_second=entry.batch_rate_per_second
                or parsed.defaults.batch_rate_per_second,
            )
        )
    return settings


def load_payers_config(
    path: str | Path, environ: Mapping[str, str] | None = None
) -> list[PayerSettings]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RegistryError(f"cannot read payers config {str(path)!r}: {exc.strerror}") from exc
    return parse_payers_config(text, environ, source=f"payers config {str(path)!r}")


def build_adapter(
    settings: PayerSettings, registry: AdapterRegistry, client: httpx.AsyncClient
) -> PayerAdapter:
    """Instantiate one configured payer's adapter after the adapter's own checks."""
    try:
        cls = registry.get(settings.adapter)
    except RegistryError as exc:
        raise RegistryError(f"payer {settings.id!r}: {exc}") from exc
    missing = sorted(set(getattr(cls, "required_credentials", ())) - set(settings.credentials))
    if missing:
        raise RegistryError(
            f"payer {settings.id!r}: adapter {settings.adapter!r} needs credentials {missing}"
        )
    validate = getattr(cls, "validate_settings", None)
    if validate is not None:
        try:
            validate(settings)
        except ValueError as exc:
            raise RegistryError(f"payer {settings.id!r}: {exc}") from exc
    return cls(settings, client)
