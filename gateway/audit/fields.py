"""Field extensions that note PHI reads in the request's AuditLog as fields resolve.

:class:`PhiRead` sits on every PHI field, outside its permission check, so only reads that were
allowed are noted. The patient is found from the object being resolved, or, for payer model objects
(claims, payments) that do not know their patient, from the nearest field marked with
:class:`PatientScope` above it in the result.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from strawberry.extensions import FieldExtension
from strawberry.types import Info

from gateway.storage import tables
from gateway.storage.claims_tables import SubmittedClaim


def patient_of(source: Any) -> str | None:
    """The patient a Patient, Coverage, submitted claim or per-payer answer object belongs to."""
    named = getattr(source, "audit_patient_id", None)  # history rows name their patient
    if isinstance(named, str):
        return named
    row = getattr(source, "row", None)
    if isinstance(row, tables.Patient):
        return row.id
    if isinstance(row, tables.Coverage | SubmittedClaim):
        return row.patient_id
    stated = getattr(source, "audited_patient_id", None)  # objects that name their patient
    if isinstance(stated, str):
        return stated
    coverage = getattr(source, "coverage", None)
    coverage_row = getattr(coverage, "row", None)
    if isinstance(coverage_row, tables.Coverage):
        return coverage_row.patient_id
    return None


def _field_name(info: Info) -> str:
    return f"{info._raw_info.parent_type.name}.{info.field_name}"


class PhiRead(FieldExtension):
    """Note that this field of a patient was shown to the caller."""

    def _note(self, source: Any, info: Info) -> None:
        log = info.context.audit
        log.read(patient_of(source) or log.patient_at(info.path), _field_name(info))

    def resolve(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        value = next_(source, info, **kwargs)
        self._note(source, info)
        return value

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info, **kwargs: Any
    ) -> Any:
        value = await next_(source, info, **kwargs)
        self._note(source, info)
        return value


class PatientScope(FieldExtension):
    """Everything under this field belongs to the patient of the object it is resolved on."""

    def resolve(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        info.context.audit.remember_patient(info.path, patient_of(source))
        return next_(source, info, **kwargs)

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info, **kwargs: Any
    ) -> Any:
        info.context.audit.remember_patient(info.path, patient_of(source))
        return await next_(source, info, **kwargs)
