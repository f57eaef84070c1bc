"""Root query fields. Every database read is filtered by the caller's practice."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import strawberry
from sqlalchemy import and_, func, or_, select, tuple_
from strawberry.types import Info

from gateway.cache.recording import refuse_response_cache
from gateway.errors import InvalidInput
from gateway.graphql.access_queries import AccessQueries
from gateway.graphql.batch_query import BatchQueries
from gateway.graphql.claims_query import ClaimQueries
from gateway.graphql.codes_query import CodeQueries
from gateway.graphql.discovery_query import DiscoveryQueries
from gateway.graphql.eligibility_history_query import EligibilityHistoryQueries
from gateway.graphql.estimate_query import EstimateQueries
from gateway.graphql.history_query import HistoryQueries
from gateway.graphql.ids import parse_id
from gateway.graphql.ledger_query import LedgerQueries
from gateway.graphql.money_query import MoneyQueries
from gateway.graphql.pagination import decode_cursor, encode_cursor
from gateway.graphql.patient_lookup import patient_with_coverages
from gateway.graphql.permissions import ArgumentScope, needs, scoped_argument, signed_in
from gateway.graphql.recent_patients import RecentPatientQueries
from gateway.graphql.schedule_query import ScheduleQueries
from gateway.graphql.types.patient import Patient
from gateway.graphql.types.payer import Payer
from gateway.graphql.webhook_query import WebhookQueries
from gateway.graphql.worklist_query import WorklistQueries
from gateway.identity import PATIENTS_READ, PHI_READ
from gateway.storage import tables


@strawberry.type
class PatientEdge:
    cursor: str
    node: Patient


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class PatientConnection:
    edges: list[PatientEdge]
    page_info: PageInfo


SEARCH_DESCRIPTION = (
    'A name prefix ("smi", "Smith, Jo", "Jo Smi"), an exact birth date (1980-04-02) or an exact '
    "member id. Searching by identity is reading PHI: it needs phi:read and is audited "
    "(the kind of term and how many matched, never the term)."
)


def search_kind(search: str) -> str:
    """What a search term is: ``birth_date``, ``member_id`` (it has a digit) or ``name``."""
    text = search.strip()
    try:
        date.fromisoformat(text)
    except ValueError:
        return "member_id" if any(c.isdigit() for c in text) else "name"
    return "birth_date"


def _search_condition(practice_id: str, search: str):  # type: ignore[no-untyped-def]
    """Name prefix ("smi", "Smith, Jo"), exact birth date (1980-04-02) or exact member id."""
    text = search.strip()
    kind = search_kind(text)
    if kind == "birth_date":
        return tables.Patient.birth_date == date.fromisoformat(text)
    if kind == "member_id":
        return tables.Patient.id.in_(
            select(tables.Coverage.patient_id).where(
                tables.Coverage.practice_id == practice_id, tables.Coverage.member_id == text
            )
        )
    last, _, first = text.partition(",")
    name = func.lower(tables.Patient.last_name).startswith(last.strip().lower(), autoescape=True)
    if first.strip():
        name = and_(
            name,
            func.lower(tables.Patient.first_name).startswith(
                first.strip().lower(), autoescape=True
            ),
        )
    elif " " in text:
        given, _, family = text.rpartition(" ")
        name = or_(
            name,
            and_(
                func.lower(tables.Patient.first_name).startswith(
                    given.strip().lower(), autoescape=True
                ),
                func.lower(tables.Patient.last_name).startswith(
                    family.strip().lower(), autoescape=True
                ),
            ),
        )
    else:
        name = or_(
            name, func.lower(tables.Patient.first_name).startswith(text.lower(), autoescape=True)
        )
    return name


@strawberry.type
class Query(
    AccessQueries,
    BatchQueries,
    ClaimQueries,
    CodeQueries,
    EligibilityHistoryQueries,
    EstimateQueries,
    HistoryQueries,
    LedgerQueries,
    MoneyQueries,
    RecentPatientQueries,
    ScheduleQueries,
    WebhookQueries,
    DiscoveryQueries,
    WorklistQueries,
):
    @strawberry.field(description="The payers the gateway is connected to.", extensions=signed_in())
    def payers(self, info: Info) -> list[Payer]:
        return [Payer.of(p) for p in info.context.services.payers.all()]

    @strawberry.field(
        description="One patient of your practice, or null if there is none with this id.",
        extensions=needs(PATIENTS_READ),
    )
    async def patient(self, info: Info, id: strawberry.ID) -> Patient | None:
        row, coverages = await patient_with_coverages(
            info.context.services.database, info.context.practice_id, parse_id(id, "patient")
        )
        if row is None:
            return None
        info.context.coverages.prime(row.id, coverages)  # read with the patient: no second query
        return Patient(row=row)

    @strawberry.field(
        description="Patients of your practice, ordered by last then first name (with phi:read) "
        "or by their pseudonymous id (without: a name order and name cursors would reveal names).",
        extensions=[ArgumentScope("search", PHI_READ), *needs(PATIENTS_READ)],
    )
    async def patients(
        self,
        info: Info,
        search: Annotated[str | None, scoped_argument(PHI_READ, SEARCH_DESCRIPTION)] = None,
        first: int = 20,
        after: str | None = None,
    ) -> PatientConnection | None:
        limit = info.context.services.settings.max_page_size
        if not 1 <= first <= limit:
            raise InvalidInput(f"'first' must be between 1 and {limit}.", field="first")
        if search is not None and not 1 <= len(search.strip()) <= 100:
            raise InvalidInput("'search' must be 1 to 100 characters.", field="search")
        practice_id = info.context.practice_id
        principal = info.context.principal
        by_name = principal is not None and principal.has(PHI_READ)
        order: tuple[Any, ...] = (
            (tables.Patient.last_name, tables.Patient.first_name, tables.Patient.id)
            if by_name
            else (tables.Patient.id,)
        )
        statement = select(tables.Patient).where(tables.Patient.practice_id == practice_id)
        if search is not None:
            statement = statement.where(_search_condition(practice_id, search))
        if after:
            statement = statement.where(tuple_(*order) > tuple_(*decode_cursor(after, len(order))))
        statement = statement.order_by(*order).limit(first + 1)
        async with info.context.services.database.session() as session:
            rows = list(await session.scalars(statement))
        if search is not None:
            # Who searched, what kind of term and how many matched; never the term (it is PHI).
            # A replayed response would skip this event, so searches are never response-cached.
            refuse_response_cache()
            info.context.audit.event(
                "patients.searched",
                detail={"termKind": search_kind(search), "matched": str(len(rows[:first]))},
            )
        edges = [
            PatientEdge(
                cursor=encode_cursor(*(getattr(r, column.key) for column in order)),
                node=Patient(row=r),
            )
            for r in rows[:first]
        ]
        return PatientConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=len(rows) > first, end_cursor=edges[-1].cursor if edges else None
            ),
        )
