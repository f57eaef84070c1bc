"""Users for gateway tests: created directly (one argon2 hash for all, it is slow on purpose), with
TOTP enrolled and a session already open, so tests start from a signed-in caller."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import pyotp

from gateway.auth.accounts import create_user
from gateway.auth.passwords import hash_password
from gateway.auth.sessions import open_session
from tests.gateway.conftest import Gateway

PASSWORD = "plum-harbor-lantern-42"


@functools.cache
def password_hash() -> str:
    return hash_password(PASSWORD)


@dataclass
class Person:
    id: str
    email: str
    role: str
    practice_id: str | None
    totp_secret: str
    token: str
    refresh_token: str
    session_id: str

    def code(self) -> str:
        return pyotp.TOTP(self.totp_secret).now()


@dataclass
class People:
    admin: Person
    front_desk: Person
    biller: Person
    analyst: Person
    other_admin: Person
    operator: Person


async def add_person(gateway: Gateway, practice_id: str | None, role: str, email: str) -> Person:
    secret = pyotp.random_base32()
    services = gateway.services
    user = await create_user(
        services.database,
        practice_id=practice_id,
        email=email,
        name=email.split("@")[0].title(),
        role=role,
        password_hash=password_hash(),
        totp_secret=secret,
    )
    issued = await open_session(services.database, services.settings, user, "127.0.0.1")
    return Person(
        user.id,
        user.email,
        role,
        practice_id,
        secret,
        issued.access_token,
        issued.refresh_token,
        issued.session_id,
    )


async def staff(gateway: Gateway) -> People:
    a, b = gateway.practice_id, gateway.other_practice_id
    return People(
        admin=await add_person(gateway, a, "practice_admin", "admin@a.example"),
        front_desk=await add_person(gateway, a, "front_desk", "desk@a.example"),
        biller=await add_person(gateway, a, "biller", "biller@a.example"),
        analyst=await add_person(gateway, a, "analyst", "analyst@a.example"),
        other_admin=await add_person(gateway, b, "practice_admin", "admin@b.example"),
        operator=await add_person(gateway, None, "operator", "operator@gateway.example"),
    )


async def notified(gateway: Gateway) -> list[tuple[str, str, dict[str, str]]]:
    """Every notification owed so far: (address, kind, detail), oldest first."""
    from sqlalchemy import select

    from gateway.storage.identity_tables import Notification

    async with gateway.services.database.session() as session:
        rows = await session.scalars(
            select(Notification).order_by(Notification.created_at, Notification.email)
        )
        return [(row.email, row.kind, row.detail) for row in rows]


async def anonymous(
    gateway: Gateway, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = await gateway.client.post(
        "/graphql", json={"query": query, "variables": variables or {}}
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]
