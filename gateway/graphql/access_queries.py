"""Root query fields about access: who am I, my practice's users, invitations, keys and audit trail,
and (for operators) the practices waiting for approval. Each declares its scope; each is filtered by
the caller's practice."""

from __future__ import annotations

from datetime import datetime

import strawberry
from sqlalchemy import select, tuple_
from strawberry.types import Info

from gateway.errors import InvalidInput
from gateway.graphql.ids import parse_id
from gateway.graphql.pagination import decode_cursor, encode_cursor
from gateway.graphql.permissions import needs, signed_in
from gateway.graphql.types.audit import AuditEvent, AuditEventConnection, AuditEventEdge
from gateway.graphql.types.identity import (
    ApiKey,
    Invitation,
    PracticeStatus,
    PracticeType,
    Role,
    UserType,
    Viewer,
)
from gateway.identity import AUDIT_READ, PRACTICE_APPROVE, USERS_MANAGE
from gateway.storage import tables
from gateway.storage.audit_tables import AuditEvent as AuditEventRow
from gateway.storage.identity_tables import Invitation as InvitationRow
from gateway.storage.identity_tables import User


@strawberry.type
class AccessQueries:
    @strawberry.field(
        description="The caller: user or API key, role, scopes and practice.",
        extensions=signed_in(),
    )
    async def me(self, info: Info) -> Viewer | None:
        principal = info.context.principal
        practice = None
        async with info.context.services.database.session() as session:
            if principal.practice_id is not None:
                practice = await session.get(tables.Practice, principal.practice_id)
            actor = await session.get(
                User if principal.actor_kind == "user" else tables.ApiKey, principal.actor_id
            )
        return Viewer(
            actor_id=strawberry.ID(principal.actor_id),
            actor_kind=principal.actor_kind,
            name=actor.name if actor is not None else None,
            role=Role(principal.role) if principal.role else None,
            scopes=sorted(principal.scopes),
            practice=PracticeType(row=practice) if practice else None,
        )

    @strawberry.field(description="The people of your practice.", extensions=needs(USERS_MANAGE))
    async def users(self, info: Info) -> list[UserType] | None:
        async with info.context.services.database.session() as session:
            rows = await session.scalars(
                select(User)
                .where(User.practice_id == info.context.practice_id)
                .order_by(User.email)
            )
            return [UserType(row=row) for row in rows]

    @strawberry.field(
        description="Invitations of your practice not yet accepted nor withdrawn.",
        extensions=needs(USERS_MANAGE),
    )
    async def invitations(self, info: Info) -> list[Invitation] | None:
        async with info.context.services.database.session() as session:
            rows = await session.scalars(
                select(InvitationRow)
                .where(
                    InvitationRow.practice_id == info.context.practice_id,
                    InvitationRow.accepted_at.is_(None),
                    InvitationRow.revoked_at.is_(None),
                )
                .order_by(InvitationRow.created_at)
            )
            return [Invitation(row=row) for row in rows]

    @strawberry.field(
        description="Your practice's API keys (never their secrets).",
        extensions=needs(USERS_MANAGE),
    )
    async def api_keys(self, info: Info) -> list[ApiKey] | None:
        async with info.context.services.database.session() as session:
            rows = await session.scalars(
                select(tables.ApiKey)
                .where(tables.ApiKey.practice_id == info.context.practice_id)
                .order_by(tables.ApiKey.created_at)
            )
            return [ApiKey(row=row) for row in rows]

    @strawberry.field(
        description="Practices by registration status, pending by default (operators).",
        extensions=needs(PRACTICE_APPROVE),
    )
    async def practice_registrations(
        self, info: Info, status: PracticeStatus | None = None
    ) -> list[PracticeType] | None:
        wanted = PracticeStatus(status) if status is not None else PracticeStatus.PENDING
        async with info.context.services.database.session() as session:
            rows = await session.scalars(
                select(tables.Practice)
                .where(tables.Practice.status == wanted.value)
                .order_by(tables.Practice.created_at)
                .limit(info.context.services.settings.max_page_size)
            )
            return [PracticeType(row=row) for row in rows]

    @strawberry.field(
        description="Your practice's audit trail, newest first; filter by patient, actor, kind and time.",
        extensions=needs(AUDIT_READ),
    )
    async def audit_events(
        self,
        info: Info,
        patient_id: strawberry.ID | None = None,
        actor_id: strawberry.ID | None = None,
        kind: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> AuditEventConnection | None:
        limit = info.context.services.settings.max_page_size
        if not 1 <= first <= limit:
            raise InvalidInput(f"'first' must be between 1 and {limit}.", field="first")
        event = AuditEventRow
        statement = select(event).where(event.practice_id == info.context.practice_id)
        if patient_id is not None:
            statement = statement.where(
                event.patient_id == parse_id(patient_id, "patient", field="patientId")
            )
        if actor_id is not None:
            statement = statement.where(
                event.actor_id == parse_id(actor_id, "actor", field="actorId")
            )
        if kind is not None:
            statement = statement.where(event.kind == kind)
        if since is not None:
            statement = statement.where(event.occurred_at >= since)
        if until is not None:
            statement = statement.where(event.occurred_at < until)
        if after:
            moment, event_id = decode_cursor(after, 2)
            try:
                at = datetime.fromisoformat(moment)
            except ValueError as exc:
                raise InvalidInput(
                    "The cursor is not valid; use a cursor returned by this API.", field="after"
                ) from exc
            statement = statement.where(tuple_(event.occurred_at, event.id) < tuple_(at, event_id))
        statement = statement.order_by(event.occurred_at.desc(), event.id.desc()).limit(first + 1)
        async with info.context.services.database.session() as session:
            rows = list(await session.scalars(statement))
        edges = [
            AuditEventEdge(
                cursor=encode_cursor(r.occurred_at.isoformat(), r.id),
                node=AuditEvent(row=r),
            )
            for r in rows[:first]
        ]
        return AuditEventConnection(
            edges=edges,
            has_next_page=len(rows) > first,
            end_cursor=edges[-1].cursor if edges else None,
        )
