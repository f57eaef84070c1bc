"""One sandbox payer and its adapter per protocol, as the demo's payers config builds them."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date

import httpx

from payers.contract import PayerAdapter
from payers.model import Demographics
from payers.registry import AdapterRegistry, build_adapter, parse_payers_config
from payers.sandbox.launch import payers_toml, plan_sandboxes
from payers.sandbox.world import SandboxPayerBook, SandboxPerson, build_world

TODAY = date.today()
WORLD = build_world(TODAY)
#: One payer per protocol: lakeshore (REST), northwind (FHIR), summit (X12).
BY_PROTOCOL = {"rest": "lakeshore", "fhir": "northwind", "x12": "summit"}


@dataclass
class Sandbox:
    book: SandboxPayerBook
    adapter: PayerAdapter


@asynccontextmanager
async def sandbox(key: str) -> AsyncIterator[Sandbox]:
    plan = plan_sandboxes(WORLD, only={key})
    os.environ.update(plan.environ)
    (settings,) = parse_payers_config(
        payers_toml(WORLD, {key: f"http://{key}.sandbox"}, timeout_seconds=3)
    )
    transport = httpx.ASGITransport(app=plan.apps[key])
    async with httpx.AsyncClient(transport=transport) as client:
        yield Sandbox(WORLD.books[key], build_adapter(settings, AdapterRegistry.discover(), client))


def who(
    person: SandboxPerson, *, first_name: str | None = None, zip_code: bool = False
) -> Demographics:
    return Demographics(
        first_name or person.first_name,
        person.last_name,
        person.birth_date,
        person.gender,
        person.postal_code if zip_code else None,
    )
