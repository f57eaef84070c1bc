"""A third-party adapter, as an outside developer would write it against the published contract.

Acme Benefits exposes one JSON route: ``GET /members/{member_id}/coverage?dob=YYYY-MM-DD`` answering
``{"active": true, "plan": "...", "copays": [{"service": "98", "amount": "25.00"}]}``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation

import httpx

from payers.codesets import lookup
from payers.contract import (
    Capability,
    MemberNotFound,
    PayerProtocolError,
    PayerSettings,
    PayerUnavailable,
)
from payers.model import Benefit, BenefitKind, EligibilityResult, MemberQuery, Network, Plan


class AcmeBenefitsAdapter:
    protocol = "acme-json"
    capabilities = frozenset({Capability.ELIGIBILITY})

    def __init__(self, settings: PayerSettings, client: httpx.AsyncClient) -> None:
        self.settings = settings
        self.client = client

    async def check_eligibility(
        self, member: MemberQuery, service_types: Sequence[str], as_of: date
    ) -> EligibilityResult:
        url = f"{self.settings.base_url}/members/{member.member_id}/coverage"
        try:
            response = await self.client.get(url, params={"dob": member.birth_date.isoformat()})
        except httpx.HTTPError as exc:
            raise PayerUnavailable(self.settings.id, "Acme is not reachable") from exc
        if response.status_code == 404:
            raise MemberNotFound(self.settings.id, "Acme has no such member")
        if response.status_code != 200:
            raise PayerUnavailable(self.settings.id, f"Acme answered HTTP {response.status_code}")
        try:
            body = response.json()
            benefits = tuple(
                Benefit(
                    kind=BenefitKind.COPAY,
                    code=lookup("benefit-kind", "B"),
                    service_types=(lookup("service-type", item["service"]),),
                    network=Network.IN_NETWORK,
                    amount=Decimal(item["amount"]),
                )
                for item in body["copays"]
            )
            return EligibilityResult(
                payer_id=self.settings.id,
                member_id=member.member_id,
                active=bool(body["active"]),
                as_of=as_of,
                plan=Plan(name=body["plan"]),
                benefits=benefits,
            )
        except (ValueError, KeyError, TypeError, InvalidOperation) as exc:
            raise PayerProtocolError(
                self.settings.id, "Acme's answer is not what its API documents"
            ) from exc
