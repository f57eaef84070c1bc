"""Collect one request's audit entries while it runs, and write them in one transaction at its end."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from graphql.pyutils import Path

from gateway.audit.group_commit import group_commit
from gateway.storage.database import Database
from gateway.storage.tables import new_id

if TYPE_CHECKING:
    from gateway.identity import Principal

PHI_READ = "phi.read"


@dataclass(slots=True)
class PendingEvent:
    """A security event (login.failed, key.created...); actor and practice default to the caller's."""

    kind: str
    practice_id: str | None = None
    actor_id: str | None = None
    actor_kind: str | None = None
    detail: dict[str, str] = field(default_factory=dict)


@dataclass
class AuditLog:
    """What one request did: PHI fields read per patient, and security events. Never field values."""

    reads: dict[str | None, set[str]] = field(default_factory=dict)
    events: list[PendingEvent] = field(default_factory=list)
    _patients_by_path: dict[Path, str | None] = field(default_factory=dict)

    def read(self, patient_id: str | None, field_name: str) -> None:
        self.reads.setdefault(patient_id, set()).add(field_name)

    def event(self, kind: str, **values: Any) -> None:
        self.events.append(PendingEvent(kind, **values))

    def remember_patient(self, path: Path, patient_id: str | None) -> None:
        """Everything resolved under ``path`` belongs to this patient (model objects do not say so)."""
        self._patients_by_path[path] = patient_id

    def patient_at(self, path: Path | None) -> str | None:
        while path is not None:
            if path in self._patients_by_path:
                return self._patients_by_path[path]
            path = path.prev
        return None

    def phi_reads(self) -> dict[str | None, list[str]]:
        """The reads so far, in a form a response cache can store beside the response."""
        return {patient: sorted(fields) for patient, fields in self.reads.items()}

    def __bool__(self) -> bool:
        return bool(self.reads or self.events)


@dataclass(frozen=True, slots=True)
class RequestFacts:
    """Who asked, and how, for every row of one request."""

    principal: Principal | None
    request_id: str | None
    client_address: str | None
    operation: str | None


def _rows(
    facts: RequestFacts, reads: Mapping[str | None, Iterable[str]], events: Iterable[PendingEvent]
) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    principal = facts.principal
    common = {
        "occurred_at": now,
        "operation": (facts.operation or "")[:120] or None,
        "request_id": facts.request_id,
        "client_address": facts.client_address,
    }
    rows: list[dict[str, Any]] = [
        {
            "id": new_id(),
            "kind": PHI_READ,
            "practice_id": principal.practice_id if principal else None,
            "actor_id": principal.actor_id if principal else None,
            "actor_kind": principal.actor_kind if principal else None,
            "patient_id": patient_id,
            "fields": sorted(fields),
            "detail": {},
            **common,
        }
        for patient_id, fields in reads.items()
    ]
    for event in events:
        rows.append(
            {
                "id": new_id(),
                "kind": event.kind,
                "practice_id": event.practice_id or (principal.practice_id if principal else None),
                "actor_id": event.actor_id or (principal.actor_id if principal else None),
                "actor_kind": event.actor_kind or (principal.actor_kind if principal else None),
                "patient_id": None,
                "fields": [],
                "detail": event.detail,
                **common,
            }
        )
    return rows


async def write(
    database: Database,
    facts: RequestFacts,
    reads: Mapping[str | None, Iterable[str]],
    events: Iterable[PendingEvent] = (),
) -> None:
    """Everything a request did, committed in one transaction before this returns (concurrent
    requests may share it: see gateway/audit/group_commit.py). A plain INSERT on a connection: an
    ORM session and its unit of work cost a request more than the write itself."""
    rows = _rows(facts, reads, events)
    if not rows:
        return
    await group_commit(database).write(rows)


async def flush(database: Database, log: AuditLog, facts: RequestFacts) -> None:
    await write(database, facts, log.reads, log.events)


#: Where the AuditTrail extension leaves a request's PHI reads in the ASGI ``scope["state"]``, so that
#: a response cache can store them beside the response (JSON-friendly: patient id -> field names).
STATE_KEY = "phi_reads"


def exported_reads(log: AuditLog) -> dict[str, list[str]]:
    return {patient or "": fields for patient, fields in log.phi_reads().items()}


async def audit_cached_response(
    database: Database, scope: Any, phi_reads: Mapping[str, Iterable[str]]
) -> None:
    """Record the PHI a response served from a cache shows again, as if it had been resolved now.

    ``scope`` is the ASGI scope of the request being answered (its ``state`` holds the principal and the
    request id); ``phi_reads`` is what ``scope["state"]["phi_reads"]`` held when the response was built.
    Raises if the events cannot be written: the caller must then not send the cached response.
    """
    state = scope.get("state", {})
    client = scope.get("client")
    facts = RequestFacts(
        principal=state.get("principal"),
        request_id=state.get("request_id"),
        client_address=str(client[0]) if client else None,
        operation=state.get("graphql_operation"),
    )
    await write(database, facts, {patient or None: fields for patient, fields in phi_reads.items()})


async def record_event(
    database: Database,
    kind: str,
    *,
    practice_id: str | None = None,
    actor_id: str | None = None,
    actor_kind: str | None = None,
    detail: dict[str, str] | None = None,
) -> None:
    """A security event outside any request (e.g. the create-operator command)."""
    facts = RequestFacts(principal=None, request_id=None, client_address=None, operation=None)
    event = PendingEvent(kind, practice_id, actor_id, actor_kind, detail or {})
    await write(database, facts, {}, [event])
