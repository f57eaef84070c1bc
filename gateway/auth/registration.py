"""Practices register themselves with a first admin, and wait for an operator's decision."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from gateway.auth import notifications
from gateway.auth.accounts import (
    Problem,
    email_problems,
    name_problems,
    new_password_problems,
    normalize_email,
)
from gateway.auth.notifications import notify
from gateway.auth.passwords import hash_password
from gateway.practices import npi_is_valid
from gateway.storage.database import Database
from gateway.storage.identity_tables import User
from gateway.storage.tables import Practice, new_id, utcnow


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
    """A pending practice and its first admin (who can log in once an operator approves).

    Only the form's own problems are answered. An admin email that already has an account, or an NPI
    already registered, gets the same answer as a new registration, after the same password hashing,
    with rows that are never stored: the owner of the account (or the registered practice's contact)
    is notified instead. Otherwise anyone could ask the gateway who has an account.
    """
    problems = registration_problems(form)
    if problems:
        return None, None, problems
    now = utcnow()
    practice = Practice(
        id=new_id(),
        name=form.name.strip(),
        npi=form.npi.strip(),
        tax_id=form.tax_id.replace("-", "").strip(),
        status="pending",
        contact_email=normalize_email(form.contact_email),
        created_at=now,
    )
    admin = User(
        id=new_id(),
        practice_id=practice.id,
        email=normalize_email(form.admin_email),
        name=form.admin_name.strip(),
        role="practice_admin",
        status="active",
        password_hash=hash_password(form.admin_password),  # the same work on every path
        failed_logins=0,
        password_changed_at=now,
        created_at=now,
    )
    async with database.transaction() as session:
        registered = await session.scalar(select(Practice).where(Practice.npi == practice.npi))
        taken = await session.scalar(select(User.id).where(User.email == admin.email))
        if registered is not None and registered.contact_email:
            notify(
                session,
                registered.contact_email,
                notifications.REGISTRATION_WITH_REGISTERED_NPI,
                npi=practice.npi,
            )
        if taken is not None:
            notify(session, admin.email, notifications.REGISTRATION_WITH_EXISTING_ACCOUNT)
        if registered is None and taken is None:
            session.add(practice)
            await session.flush()  # the admin refers to the practice
            session.add(admin)
    return practice, admin, []


async def is_registered(database: Database, practice_id: str) -> bool:
    """Whether a registration answered by :func:`register_practice` was stored."""
    async with database.session() as session:
        return await session.get(Practice, practice_id) is not None


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
        # Login does not say "not approved" (it would tell who registered): the decision is sent.
        admins = await session.scalars(
            select(User.email).where(User.practice_id == practice.id, User.role == "practice_admin")
        )
        for email in sorted(
            {*admins, *([practice.contact_email] if practice.contact_email else [])}
        ):
            notify(
                session,
                email,
                notifications.PRACTICE_DECIDED,
                practice=practice.id,
                status=practice.status,
            )
    return practice
