"""Practice registration (open to anyone) and the operators' decision on it (practice:approve)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from gateway.auth.registration import Registration, decide, is_registered, register_practice
from gateway.graphql.attempts import CredentialAttempt, admin_email_of
from gateway.graphql.field_errors import as_field_errors, one_error
from gateway.graphql.ids import parse_id
from gateway.graphql.permissions import needs
from gateway.graphql.types.common import FieldError
from gateway.graphql.types.identity import PracticeType
from gateway.identity import PRACTICE_APPROVE


@strawberry.input
class AdminInput:
    name: str
    email: str
    password: str = strawberry.field(
        description="At least 12 characters, not a common or breached one."
    )


@strawberry.input
class RegisterPracticeInput:
    name: str
    npi: str = strawberry.field(
        description="The practice's 10-digit NPI (the check digit is verified)."
    )
    tax_id: str
    contact_email: str
    admin: AdminInput


@strawberry.type
class PracticePayload:
    practice: PracticeType | None
    errors: list[FieldError]


@strawberry.type
class RegistrationMutations:
    @strawberry.mutation(
        description="Register a practice and its first admin. Nothing can be done with patient data "
        "until a gateway operator approves it.",
        extensions=[CredentialAttempt("registration", admin_email_of)],
    )
    async def register_practice(self, info: Info, input: RegisterPracticeInput) -> PracticePayload:
        form = Registration(
            name=input.name,
            npi=input.npi,
            tax_id=input.tax_id,
            contact_email=input.contact_email,
            admin_name=input.admin.name,
            admin_email=input.admin.email,
            admin_password=input.admin.password,
        )
        database = info.context.services.database
        practice, admin, problems = await register_practice(database, form)
        if practice is None or admin is None:
            return PracticePayload(practice=None, errors=as_field_errors(problems))
        if await is_registered(database, practice.id):
            info.context.audit.event(
                "practice.registered", practice_id=practice.id, actor_id=admin.id, actor_kind="user"
            )
        else:  # the same answer as a registration; the owners were notified (auth/registration.py)
            info.context.audit.event("practice.registration_declined")
        return PracticePayload(practice=PracticeType(row=practice), errors=[])

    @strawberry.mutation(
        description="Approve a pending practice (operators).", extensions=needs(PRACTICE_APPROVE)
    )
    async def approve_practice(self, info: Info, id: strawberry.ID) -> PracticePayload | None:
        return await _decide(info, id, approve=True, reason=None)

    @strawberry.mutation(
        description="Reject a pending practice (operators).", extensions=needs(PRACTICE_APPROVE)
    )
    async def reject_practice(
        self, info: Info, id: strawberry.ID, reason: str
    ) -> PracticePayload | None:
        return await _decide(info, id, approve=False, reason=reason)


async def _decide(
    info: Info, id: strawberry.ID, *, approve: bool, reason: str | None
) -> PracticePayload:
    practice_id = parse_id(id, "practice")
    operator = info.context.principal.actor_id
    practice = await decide(
        info.context.services.database, practice_id, operator, approve=approve, reason=reason
    )
    if practice is None:
        return PracticePayload(
            practice=None, errors=one_error("id", "NOT_FOUND", "No pending practice with this id.")
        )
    kind = "practice.approved" if approve else "practice.rejected"
    info.context.audit.event(kind, practice_id=practice.id, detail={"operator": operator})
    return PracticePayload(practice=PracticeType(row=practice), errors=[])
