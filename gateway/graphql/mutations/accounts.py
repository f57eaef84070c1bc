"""A practice admin's work: inviting users, disabling them, and partner API keys (users:manage).
Accepting an invitation is open to anonymous callers (the token is the credential).

Every id is looked up within the caller's practice: another practice's user or key is answered
exactly like an id that does not exist (NOT_FOUND), and changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from gateway.auth.accounts import (
    accept_invitation,
    email_problems,
    invite,
    name_problems,
    set_user_status,
)
from gateway.auth.principal_cache import principal_cache
from gateway.graphql.attempts import CredentialAttempt, invitation_of
from gateway.graphql.field_errors import as_field_errors, one_error
from gateway.graphql.ids import parse_id
from gateway.graphql.permissions import needs
from gateway.graphql.types.common import FieldError
from gateway.graphql.types.identity import ApiKey, Invitation, Role, UserType
from gateway.identity import KEY_SCOPES, USERS_MANAGE, create_api_key_row
from gateway.storage import tables
from gateway.storage.identity_tables import Invitation as InvitationRow

MAX_KEY_NAME = 100


@strawberry.input
class InviteUserInput:
    email: str
    role: Role


@strawberry.type
class InviteUserPayload:
    invitation: Invitation | None
    token: str | None = strawberry.field(
        description="Send this to the person (it is shown only now); they accept with acceptInvitation."
    )
    errors: list[FieldError]


@strawberry.input
class AcceptInvitationInput:
    token: str
    name: str
    password: str = strawberry.field(
        description="At least 12 characters, not a common or breached one."
    )


@strawberry.type
class AcceptInvitationPayload:
    user: UserType | None
    errors: list[FieldError]


@strawberry.type
class UserPayload:
    user: UserType | None
    errors: list[FieldError]


@strawberry.input
class CreateApiKeyInput:
    name: str
    scopes: list[str] = strawberry.field(description='Explicit scopes, e.g. ["eligibility:read"].')
    expires_at: datetime | None = None


@strawberry.type
class CreateApiKeyPayload:
    api_key: ApiKey | None
    secret: str | None = strawberry.field(
        description="The key itself. Shown only now: store it safely."
    )
    errors: list[FieldError]


@strawberry.type
class ApiKeyPayload:
    api_key: ApiKey | None
    errors: list[FieldError]


@strawberry.type
class InvitationPayload:
    invitation: Invitation | None
    errors: list[FieldError]


def _not_found(kind: str) -> list[FieldError]:
    return one_error("id", "NOT_FOUND", f"No such {kind}.")


async def _set_status(info: Info, id: strawberry.ID, status: str) -> UserPayload:
    user_id = parse_id(id, "user")
    principal = info.context.principal
    if user_id == principal.actor_id and status != "active":
        return UserPayload(
            user=None, errors=one_error("id", "CANNOT_DISABLE_SELF", "You cannot disable yourself.")
        )
    user = await set_user_status(
        info.context.services.database, info.context.practice_id, user_id, status
    )
    if user is None:
        return UserPayload(user=None, errors=_not_found("user"))
    info.context.audit.event(
        f"user.{'enabled' if status == 'active' else 'disabled'}", detail={"user": user.id}
    )
    return UserPayload(user=UserType(row=user), errors=[])


@strawberry.type
class AccountMutations:
    @strawberry.mutation(
        description="Invite a person to your practice with a role.", extensions=needs(USERS_MANAGE)
    )
    async def invite_user(self, info: Info, input: InviteUserInput) -> InviteUserPayload | None:
        role = Role(input.role)
        problems = email_problems("email", input.email)
        if role is Role.OPERATOR:
            problems.append(
                ("role", "INVALID_ROLE", "Operators are created by the gateway's administrators.")
            )
        if problems:
            return InviteUserPayload(invitation=None, token=None, errors=as_field_errors(problems))
        services = info.context.services
        token, row = await invite(
            services.database,
            info.context.practice_id,
            input.email,
            role.value,
            info.context.principal.actor_id,
            services.settings.invitation_days,
        )
        info.context.audit.event("user.invited", detail={"invitation": row.id, "role": role.value})
        return InviteUserPayload(invitation=Invitation(row=row), token=token, errors=[])

    @strawberry.mutation(
        description="Accept an invitation: choose your name and password. Then log in.",
        extensions=[CredentialAttempt("invitation", invitation_of)],
    )
    async def accept_invitation(
        self, info: Info, input: AcceptInvitationInput
    ) -> AcceptInvitationPayload:
        problems = name_problems("name", input.name)
        if problems:
            return AcceptInvitationPayload(user=None, errors=as_field_errors(problems))
        user, problems, joined = await accept_invitation(
            info.context.services.database, input.token, input.name, input.password
        )
        if user is None:
            return AcceptInvitationPayload(user=None, errors=as_field_errors(problems))
        if joined:
            info.context.audit.event(
                "user.joined", practice_id=user.practice_id, actor_id=user.id, actor_kind="user"
            )
        else:  # not in the inviting practice's trail: it would tell of an account elsewhere
            info.context.audit.event("invitation.existing_account")
        return AcceptInvitationPayload(user=UserType(row=user), errors=[])

    @strawberry.mutation(
        description="Disable a user of your practice; their sessions end at once.",
        extensions=needs(USERS_MANAGE),
    )
    async def disable_user(self, info: Info, id: strawberry.ID) -> UserPayload | None:
        return await _set_status(info, id, "disabled")

    @strawberry.mutation(
        description="Enable a disabled user of your practice again.", extensions=needs(USERS_MANAGE)
    )
    async def enable_user(self, info: Info, id: strawberry.ID) -> UserPayload | None:
        return await _set_status(info, id, "active")

    @strawberry.mutation(
        description="Create an API key for a partner system. The secret is returned once.",
        extensions=needs(USERS_MANAGE),
    )
    async def create_api_key(
        self, info: Info, input: CreateApiKeyInput
    ) -> CreateApiKeyPayload | None:
        scopes = frozenset(s.strip() for s in input.scopes)
        problems: list[tuple[str, str, str]] = []
        if not 1 <= len(input.name.strip()) <= MAX_KEY_NAME:
            problems.append(("name", "REQUIRED", f"Name the key (1 to {MAX_KEY_NAME} characters)."))
        if not scopes:
            problems.append(("scopes", "REQUIRED", "Give the key at least one scope."))
        elif scopes - KEY_SCOPES:
            problems.append(
                (
                    "scopes",
                    "INVALID_SCOPE",
                    f"Keys may carry only: {', '.join(sorted(KEY_SCOPES))}; "
                    f"not {', '.join(sorted(scopes - KEY_SCOPES))}.",
                )
            )
        expires = input.expires_at  # aware UTC: the DateTime scalar refuses input without an offset
        if expires is not None and expires <= datetime.now(UTC):
            problems.append(("expiresAt", "DATE_IN_PAST", "The expiry must be in the future."))
        if problems:
            return CreateApiKeyPayload(api_key=None, secret=None, errors=as_field_errors(problems))
        secret, row = await create_api_key_row(
            info.context.services.database,
            info.context.practice_id,
            input.name.strip(),
            scopes,
            expires_at=expires,
            created_by=info.context.principal.actor_id,
        )
        info.context.audit.event(
            "api_key.created", detail={"key": row.id, "scopes": ",".join(sorted(scopes))}
        )
        return CreateApiKeyPayload(api_key=ApiKey(row=row), secret=secret, errors=[])

    @strawberry.mutation(
        description="Revoke an API key of your practice at once.", extensions=needs(USERS_MANAGE)
    )
    async def revoke_api_key(self, info: Info, id: strawberry.ID) -> ApiKeyPayload | None:
        key_id = parse_id(id, "API key")
        async with info.context.services.database.transaction() as session:
            row = await session.scalar(
                select(tables.ApiKey).where(
                    tables.ApiKey.id == key_id,
                    tables.ApiKey.practice_id == info.context.practice_id,
                )
            )
            if row is None:
                return ApiKeyPayload(api_key=None, errors=_not_found("API key"))
            if row.revoked_at is None:
                row.revoked_at = datetime.now(UTC)
        principal_cache(info.context.services.database).forget_actor(row.id)  # refused from now on
        info.context.audit.event("api_key.revoked", detail={"key": row.id})
        return ApiKeyPayload(api_key=ApiKey(row=row), errors=[])

    @strawberry.mutation(
        description="Withdraw an invitation of your practice not yet accepted: its token stops working.",
        extensions=needs(USERS_MANAGE),
    )
    async def revoke_invitation(self, info: Info, id: strawberry.ID) -> InvitationPayload | None:
        invitation_id = parse_id(id, "invitation")
        async with info.context.services.database.transaction() as session:
            row = await session.scalar(
                select(InvitationRow).where(
                    InvitationRow.id == invitation_id,
                    InvitationRow.practice_id == info.context.practice_id,
                )
            )
            # An accepted invitation is a person now: disable them instead.
            if row is None or row.accepted_at is not None:
                return InvitationPayload(invitation=None, errors=_not_found("invitation"))
            if row.revoked_at is None:
                row.revoked_at = datetime.now(UTC)
        info.context.audit.event("invitation.revoked", detail={"invitation": row.id})
        return InvitationPayload(invitation=Invitation(row=row), errors=[])
