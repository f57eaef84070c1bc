"""Practices register themselves with a first admin, and wait for an operator's decision."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from gateway.auth.accounts import (
    Problem,
    email_problems,
    name_problems,
    new_password_problems,
    normalize_email,
)
from gateway.auth.passwords import hash_password
from gateway.practices import npi_is_valid
from gateway.storage.database import Database
from gateway.storage.identity_tables import User
from gateway.storage.tables import Practice


@dataclass(frozen=True, slots=True)
class Registration:
    name: str
    npi: str
    tax_id: str
    contact_email: str
    admin_name: str
    admin_email: str
    admin_password: str


def registration_problems(form: Registration) -> list[Problem]:
    problems: list[Problem] = []
    if not 2 <= len(form.name.strip()) <= 200:
        problems.append(("name", "REQUIRED", "Practice name is required (2 to 200 characters)."))
    if not npi_is_valid(form.npi.strip()):
        problems.append(("npi", "INVALID_NPI", "NPI must be 10 digits with a correct check digit."))
    if not re.fullmatch(r"\d{9}", form.tax_id.replace("-", "").strip()):
        problems.append(
            ("taxId", "INVALID_TAX_ID", "Tax ID (EIN) must be 9 digits, e.g. 12-3456789.")
        )
    problems += email_problems("contactEmail", form.contact_email)
    problems += name_problems("admin.name", form.admin_name)
    problems += email_problems("admin.email", form.admin_email)
    problems += new_password_problems(
        "admin.password", form.admin_password, (form.admin_email, form.admin_name, form.name)
    )
    return problems


async def register_practice(
    database: Database, form: Registration
) -> tuple[Practice | None, User | None, list[Problem]]:
    """A pending practice and its first admin (who can log in once an operator approves)."""
    problems = registration_problems(form)
    if problems:
        return None, None, problems
    async with database.transaction() as session:
        if await session.scalar(select(Practice.id).where(Practice.npi == form.npi.strip())):
            problems.append(
                ("npi", "NPI_REGISTERED", "A practice with this NPI is already registered.")
            )
        if await session.scalar(
            select(User.id).where(User.email == normalize_email(form.admin_email))
        ):
            problems.append(
                ("admin.email", "EMAIL_UNAVAILABLE", "Use another email address for the admin.")
            )
        if problems:
            return None, None, problems
        practice = Practice(
            name=form.name.strip(),
            npi=form.npi.strip(),
            tax_id=form.tax_id.replace("-", "").strip(),
            status="pending",
            contact_email=normalize_email(form.contact_email),
        )
        session.add(practice)
        await session.flush()
        admin = User(
            practice_id=practice.id,
            email=normalize_email(form.admin_email),
            name=form.admin_name.strip(),
            role="practice_admin",
            status="active",
            password_hash=hash_password(form.admin_password),
            failed_logins=0,
        )
        session.add(admin)
    return practice, admin, []


async def decide(
    database: Database,
    practice_id: str,
    operator_id: str,
    *,
    approve: bool,
    reason: str | None = None,
) -> Practice | None:
    """Approve or reject a pending practice; None when there is no such pending practice."""
    async with database.transaction() as session:
        practice = await session.scalar(
            select(Practice)
            .where(Practice.id == practice_id, Practice.status == "pending")
            .with_for_update()
        )
        if practice is None:
            return None
        practice.status = "approved" if approve else "rejected"
        practice.decided_at = datetime.now(UTC)
        practice.decided_by = operator_id
        practice.rejection_reason = None if approve else (reason or "").strip()[:500] or None
    return practice
