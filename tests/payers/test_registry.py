"""The registry refuses bad adapters and bad config with a message naming the payer and the problem."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import httpx
import pytest

from payers.contract import Capability, PayerSettings
from payers.model import EligibilityResult, MemberQuery
from payers.registry import (
    DISABLE_AUTOLOAD_ENV,
    AdapterRegistry,
    RegistryError,
    build_adapter,
    parse_payers_config,
)

GOOD = """
[defaults]
timeout_seconds = 7
cache_ttl = { eligibility = 60 }

[[payers]]
id = "acme"
name = "Acme Health"
adapter = "rest"
base_url = "https://acme.example/api/"
credentials = { api_key = "ACME_KEY" }
cache_ttl = { payments = 30 }
"""


def test_good_config_resolves_credentials_and_merges_ttls() -> None:
    (settings,) = parse_payers_config(GOOD, {"ACME_KEY": "s3cret"})
    assert settings.id == "acme"
    assert settings.base_url == "https://acme.example/api"
    assert settings.timeout_seconds == 7
    assert settings.credentials == {"api_key": "s3cret"}
    assert settings.cache_ttl["eligibility"] == 60
    assert settings.cache_ttl["payments"] == 30
    assert settings.cache_ttl["claim_status"] == 300
    assert "s3cret" not in repr(settings)


@pytest.mark.parametrize(
    ("text", "environ", "expected"),
    [
        ("[[payers]\nid=", {}, "is not valid TOML"),
        ("[defaults]\n", {}, "payers: Field required"),
        (GOOD, {}, "payer 'acme': credential 'api_key' expects environment variable 'ACME_KEY'"),
        (
            GOOD.replace('name = "Acme Health"\n', ""),
            {"ACME_KEY": "k"},
            "payer 'acme': name: Field required",
        ),
        (
            GOOD.replace('id = "acme"', 'id = "Acme Health!"'),
            {"ACME_KEY": "k"},
            "must be lowercase",
        ),
        (
            GOOD + GOOD.split("[defaults]")[1].split("cache_ttl = { eligibility = 60 }")[1],
            {"ACME_KEY": "k"},
            "payer 'acme' is configured twice",
        ),
        (
            GOOD.replace("payments = 30", "payment = 30"),
            {"ACME_KEY": "k"},
            "unknown cache_ttl operation 'payment'",
        ),
        (
            GOOD.replace("timeout_seconds = 7", "timeout_seconds = -1"),
            {"ACME_KEY": "k"},
            "greater than 0",
        ),
        (
            GOOD.replace('adapter = "rest"', 'adapter = "rest"\nbogus = 1'),
            {"ACME_KEY": "k"},
            "bogus: Extra inputs",
        ),
    ],
)
def test_bad_config_is_refused_with_a_clear_message(
    text: str, environ: dict[str, str], expected: str
) -> None:
    with pytest.raises(RegistryError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        parse_payers_config(text, environ)


def _settings(adapter: str = "rest") -> PayerSettings:
    return PayerSettings(
        id="acme",
        name="Acme",
        adapter=adapter,
        base_url="https://acme.example",
        credentials={"api_key": "k"},
    )


async def test_unknown_adapter_names_the_payer_and_lists_installed_ones() -> None:
    async with httpx.AsyncClient() as client:
        with pytest.raises(
            RegistryError,
            match=r"payer 'acme': unknown adapter 'soap' \(installed adapters: .*rest",
        ):
            build_adapter(_settings("soap"), AdapterRegistry.discover(), client)


class _NoMethod:
    protocol = "odd"
    capabilities = frozenset({Capability.ELIGIBILITY})

    def __init__(self, settings: PayerSettings, client: httpx.AsyncClient) -> None: ...


class _SyncMethod(_NoMethod):
    def check_eligibility(
        self, member: MemberQuery, service_types: Sequence[str], as_of: date
    ) -> EligibilityResult:
        raise AssertionError("never called")


class _NoProtocol:
    capabilities = frozenset({Capability.ELIGIBILITY})


class _BadInit(_NoMethod):
    async def check_eligibility(
        self, member: MemberQuery, service_types: Sequence[str], as_of: date
    ) -> EligibilityResult:
        raise AssertionError("never called")

    def __init__(self) -> None: ...  # type: ignore[misc]


@pytest.mark.parametrize(
    ("cls", "expected"),
    [
        (_NoMethod, "declares 'eligibility' but has no 'async def check_eligibility'"),
        (_SyncMethod, "declares 'eligibility' but has no 'async def check_eligibility'"),
        (_NoProtocol, "'protocol' must be a non-empty string"),
        (_BadInit, "__init__ must accept"),
        (object(), "must name a class"),
    ],
)
def test_adapter_failing_its_checks_is_refused_by_name(cls: object, expected: str) -> None:
    with pytest.raises(
        RegistryError,
        match=r"adapter 'odd-one'.*" + expected.replace("(", r"\(").replace(")", r"\)"),
    ):
        AdapterRegistry().register("odd-one", cls)


async def test_missing_required_credential_is_refused() -> None:
    settings = PayerSettings(
        id="acme", name="Acme", adapter="rest", base_url="https://acme.example"
    )
    async with httpx.AsyncClient() as client:
        with pytest.raises(
            RegistryError, match=r"payer 'acme': adapter 'rest' needs credentials \['api_key'\]"
        ):
            build_adapter(settings, AdapterRegistry.discover(), client)


async def test_adapter_settings_check_is_reported_with_the_payer() -> None:
    settings = PayerSettings(
        id="acme",
        name="Acme",
        adapter="rest",
        base_url="ftp://acme.example",
        credentials={"api_key": "k"},
    )
    async with httpx.AsyncClient() as client:
        with pytest.raises(RegistryError, match=r"payer 'acme': .*http"):
            build_adapter(settings, AdapterRegistry.discover(), client)


def test_builtins_are_entry_points_and_survive_disabled_autoload() -> None:
    from importlib.metadata import entry_points

    declared = {e.name for e in entry_points(group="payer_gateway.adapters")}
    assert {"rest", "fhir", "x12"} <= declared
    registry = AdapterRegistry.discover({DISABLE_AUTOLOAD_ENV: "1"})
    assert {"rest", "fhir", "x12"} <= set(registry.names())
    assert registry.get("rest").protocol == "rest"
