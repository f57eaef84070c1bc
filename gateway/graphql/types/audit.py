"""Audit events as practice admins read them (audit:read)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from gateway.storage.audit_tables import AuditEvent as AuditEventRow


@strawberry.type(
    description="One audit event: a PHI read (patient + fields, never values) or a security event."
)
class AuditEvent:
    row: strawberry.Private[AuditEventRow]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.row.id)

    @strawberry.field
    def occurred_at(self) -> datetime:
        return self.row.occurred_at

    @strawberry.field(
        description="phi.read, login.succeeded, login.failed, mfa.enrolled, api_key.created..."
    )
    def kind(self) -> str:
        return self.row.kind

    @strawberry.field
    def actor_id(self) -> strawberry.ID | None:
        return strawberry.ID(self.row.actor_id) if self.row.actor_id else None

    @strawberry.field(description="user or api_key.")
    def actor_kind(self) -> str | None:
        return self.row.actor_kind

    @strawberry.field
    def patient_id(self) -> strawberry.ID | None:
        return strawberry.ID(self.row.patient_id) if self.row.patient_id else None

    @strawberry.field(description="The fields read, as Type.field (e.g. Patient.birthDate).")
    def fields(self) -> list[str]:
        return list(self.row.fields or [])

    @strawberry.field(description="The GraphQL operation name the caller gave, if any.")
    def operation(self) -> str | None:
        return self.row.operation

    @strawberry.field
    def request_id(self) -> str | None:
        return self.row.request_id

    @strawberry.field
    def client_address(self) -> str | None:
        return self.row.client_address

    @strawberry.field(description="Event details as key=value pairs (never PHI).")
    def detail(self) -> list[str]:
        return [f"{key}={value}" for key, value in sorted((self.row.detail or {}).items())]


@strawberry.type
class AuditEventEdge:
    cursor: str
    node: AuditEvent


@strawberry.type
class AuditEventConnection:
    edges: list[AuditEventEdge]
    has_next_page: bool
    end_cursor: str | None
