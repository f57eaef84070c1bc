"""The four sandbox payers of a world served together (one plan, one crossover network), each with
our real adapter for it and a client for its ``/_control`` routes; plus claim builders."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest

from payers.codesets import lookup
from payers.contract import PayerAdapter
from payers.model import (
    Adjustment,
    BenefitKind,
    ClaimLine,
    ClaimPayment,
    ClaimSubmission,
    CoverageLevel,
    MemberQuery,
    Network,
    Payment,
)
from payers.registry import AdapterRegistry, build_adapter, parse_payers_config
from payers.sandbox.clock import ClockSettings
from payers.sandbox.fleet import serving
from payers.sandbox.launch import payers_toml, plan_sandboxes
from payers.sandbox.world import World


@dataclass
class Desk:
    world: World
    adapters: dict[str, Any]  # PayerAdapter with every capability the sandbox has
    controls: dict[str, httpx.AsyncClient]
    apps: dict[str, Any] = field(default_factory=dict)

    def member(self, book_key: str, member_id: str) -> MemberQuery:
        member = self.world.books[book_key].members[member_id]
        person = member.person
        return MemberQuery(
            member.member_id,
            person.first_name,
            person.last_name,
            person.birth_date,
            member.group_number,
            member.relation,
        )

    async def clock(self, book_key: str, **body: Any) -> dict[str, Any]:
        answer = await self.controls[book_key].post("/_control/clock", json=body)
        assert answer.status_code == 200, answer.text
        return answer.json()  # type: ignore[no-any-return]

    async def payments(self, book_key: str, since: date | None = None) -> Sequence[Payment]:
        return await self.adapters[book_key].payments(None, since)  # type: ignore[no-any-return]

    async def claim_payments(self, book_key: str, control_number: str) -> list[ClaimPayment]:
        """Every claim payment (reversals included) carrying ``control_number``, oldest first."""
        return [
            claim
            for payment in await self.payments(book_key)
            for claim in payment.claims
            if claim.control_number == control_number
        ]

    async def deductible_left(self, book_key: str, member: MemberQuery, today: date) -> Decimal:
        result = await self.adapters[book_key].check_eligibility(member, ["30"], today)
        return next(
            b.remaining
            for b in result.benefits
            if b.kind is BenefitKind.DEDUCTIBLE
            and b.network is Network.IN_NETWORK
            and b.coverage_level is CoverageLevel.INDIVIDUAL
        )


@contextlib.asynccontextmanager
async def open_desk(
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    clock: ClockSettings,
    *,
    loopback: bool = False,
) -> AsyncIterator[Desk]:
    """Every sandbox of ``world`` with ``clock``; in process (ASGI) or on loopback sockets."""
    plan = plan_sandboxes(world, clock=clock)
    for name, value in plan.environ.items():
        monkeypatch.setenv(name, value)
    async with contextlib.AsyncExitStack() as stack:
        if loopback:
            running = await stack.enter_async_context(serving(plan.apps))
            urls = {key: r.base_url for key, r in running.items()}
            transports: dict[str, httpx.AsyncBaseTransport] = {
                key: httpx.AsyncHTTPTransport() for key in urls
            }
        else:
            urls = {key: f"http://{key}.sandbox" for key in plan.apps}
            transports = {key: httpx.ASGITransport(app=app) for key, app in plan.apps.items()}
        registry = AdapterRegistry.discover()
        adapters: dict[str, PayerAdapter] = {}
        controls: dict[str, httpx.AsyncClient] = {}
        for settings in parse_payers_config(payers_toml(world, urls, 5)):
            transport = transports[settings.id]
            client = await stack.enter_async_context(httpx.AsyncClient(transport=transport))
            adapters[settings.id] = build_adapter(settings, registry, client)
            controls[settings.id] = await stack.enter_async_context(
                httpx.AsyncClient(transport=transport, base_url=urls[settings.id])
            )
        yield Desk(world, adapters, controls, plan.apps)


def line(
    number: int,
    code: str,
    charge: str,
    day: date,
    modifiers: tuple[str, ...] = (),
    units: str = "1",
) -> ClaimLine:
    return ClaimLine(
        number,
        lookup("procedure", code),
        Decimal(charge),
        Decimal(units),
        modifiers=modifiers,
        diagnosis_pointers=(1,),
        service_date=day,
    )


def claim(
    world: World,
    member: MemberQuery,
    lines: Sequence[ClaimLine],
    *,
    frequency: str = "1",
    original: str | None = None,
    place: str = "11",
) -> ClaimSubmission:
    practice = world.providers["mfm"]
    return ClaimSubmission(
        member=member,
        billing_provider_npi=practice.npi,
        billing_provider_tax_id=practice.tax_id or "",
        billing_provider_name=practice.name,
        rendering_provider_npi=world.providers["dr_exampleton"].npi,
        place_of_service=place,
        frequency_code=frequency,
        diagnoses=("J01.90",),
        lines=tuple(lines),
        total_charge=sum((item.charge for item in lines), Decimal("0.00")),
        original_payer_claim_id=original,
    )


def cas(adjustments: Sequence[Adjustment]) -> list[tuple[str, str, Decimal, tuple[str, ...]]]:
    """Adjustments as (group, CARC, amount, RARCs), easy to compare."""
    return [
        (a.group.code, a.reason.code, a.amount, tuple(r.code for r in a.remarks))
        for a in adjustments
    ]


def balanced(payment: ClaimPayment) -> bool:
    """Every line: charge = paid + sum(CAS); the claim: CLP05 = sum of PR."""
    lines_ok = all(
        line.charge == line.paid + sum((a.amount for a in line.adjustments), Decimal(0))
        for line in payment.lines
    )
    pr = sum(
        (a.amount for line in payment.lines for a in line.adjustments if a.group.code == "PR"),
        Decimal(0),
    )
    return lines_ok and payment.patient_responsibility == pr
