"""Practices: the tenants. Every patient, key and claim belongs to exactly one."""

from __future__ import annotations

import re

from sqlalchemy import select

from gateway.storage.database import Database
from gateway.storage.tables import Practice


def npi_is_valid(npi: str) -> bool:
    """NPI check digit: Luhn over the prefix 80840 + the first nine digits."""
    if not re.fullmatch(r"\d{10}", npi):
        return False
    total = 0
    for index, char in enumerate(reversed("80840" + npi[:9])):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            digit = digit - 9 if digit > 9 else digit
        total += digit
    return (10 - total % 10) % 10 == int(npi[9])


def tax_id_is_valid(tax_id: str) -> bool:
    """Nine digits, with or without the EIN's dash."""
    return re.fullmatch(r"\d{9}", tax_id.strip().replace("-", "")) is not None


async def practice_status(database: Database, practice_id: str) -> str | None:
    """The practice's status (pending, approved, rejected), or None when there is no such practice."""
    async with database.session() as session:
        return await session.scalar(select(Practice.status).where(Practice.id == practice_id))


async def create_practice(
    database: Database,
    name: str,
    npi: str,
    tax_id: str,
    *,
    status: str = "approved",
    contact_email: str | None = None,
) -> str:
    """An (approved, by default) practice, as the CLI and the demo create them; returns its id."""
    if not npi_is_valid(npi):
        raise ValueError(f"NPI {npi!r} is not valid (10 digits with a correct check digit)")
    if not tax_id_is_valid(tax_id):
        raise ValueError("tax ID must be 9 digits")
    async with database.transaction() as session:
        practice = Practice(
            name=name,
            npi=npi,
            tax_id=tax_id.strip().replace("-", ""),
            status=status,
            contact_email=contact_email,
        )
        session.add(practice)
        await session.flush()
        return practice.id
