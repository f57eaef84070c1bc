"""Authorization, declared on fields. Resolvers never re-check it.

Use the helpers as a field's ``extensions``::

    @strawberry.field(extensions=needs(PATIENTS_READ))      # the caller must hold patients:read
    @strawberry.field(extensions=signed_in())               # anyone authenticated
    first_name: str | None = strawberry.field(extensions=phi())   # phi:read, and the read is audited

A denied field resolves to null with a FORBIDDEN error at its path, and the rest of the query still
answers; so every guarded field is nullable (a denied non-null field would null its parent). An
anonymous caller gets UNAUTHENTICATED and HTTP 401. The printed schema shows each requirement as
``@requiresScope(scope: "...")`` / ``@requiresAuthentication``.
"""

from __future__ import annotations

from typing import Any

import strawberry
from starlette.websockets import WebSocket
from strawberry.extensions import FieldExtension
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.schema_directive import Location
from strawberry.types import Info

from gateway.audit.fields import PatientScope, PhiRead
from gateway.errors import Forbidden, Unauthenticated
from gateway.identity import PHI_READ

LOGIN_HINT = (
    "Authentication required: send 'Authorization: Bearer <API key or access token>' "
    "(get an access token with the login and completeLogin mutations)."
)


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    name="requiresScope",
    description="The caller needs this scope; otherwise the field is null with a FORBIDDEN error.",
    repeatable=True,  # a field may need several scopes (phi:read and claims:read): one each
)
class RequiresScope:
    scope: str


@strawberry.schema_directive(
    locations=[Location.ARGUMENT_DEFINITION],
    name="argumentRequiresScope",
    description="Giving this argument at all needs this scope; otherwise the field is null with a "
    "FORBIDDEN error.",
)
class ArgumentRequiresScope:
    scope: str


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    name="requiresAuthentication",
    description="Any authenticated caller (user or API key) may read this field.",
)
class RequiresAuthentication:
    pass


def _refuse_anonymous(info: Info) -> None:
    response = getattr(info.context, "response", None)
    # Over HTTP, a 401 with a challenge. A WebSocket has no status to set (its headers are the
    # request's); anonymous connections are refused at connection_init (http/connection_auth.py).
    if response is not None and not isinstance(response, WebSocket):
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="payer-gateway"'
    raise Unauthenticated(LOGIN_HINT)


class Authenticated(BasePermission):
    def __init__(self) -> None:
        self._schema_directive = RequiresAuthentication()  # type: ignore[misc]

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        if info.context.principal is None:
            _refuse_anonymous(info)
        return True


class ScopeRequired(BasePermission):
    def __init__(self, scope: str) -> None:
        self.scope = scope
        self.message: str = f"Your credentials lack the '{scope}' scope this field needs."
        self._schema_directive = RequiresScope(scope=scope)  # type: ignore[misc]

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        principal = info.context.principal
        if principal is None:
            _refuse_anonymous(info)
        return bool(principal.has(self.scope))

    def on_unauthorized(self) -> None:
        raise Forbidden(self.message or "", scope=self.scope)


class ArgumentScope(FieldExtension):
    """Using ``argument`` at all needs ``scope`` (e.g. searching patients by identity is reading PHI);
    the field without it stays open to its own scopes. Declare the argument with
    :func:`scoped_argument` so the printed schema shows the requirement."""

    def __init__(self, argument: str, scope: str) -> None:
        self.argument = argument
        self.scope = scope

    def _check(self, info: Info, kwargs: dict[str, Any]) -> None:
        if kwargs.get(self.argument) is None:
            return
        principal = info.context.principal
        if principal is None:
            _refuse_anonymous(info)
        if not principal.has(self.scope):
            raise Forbidden(
                f"Your credentials lack the '{self.scope}' scope that '{self.argument}' needs.",
                scope=self.scope,
                argument=self.argument,
            )

    def resolve(self, next_: Any, source: Any, info: Info, **kwargs: Any) -> Any:
        self._check(info, kwargs)
        return next_(source, info, **kwargs)

    async def resolve_async(self, next_: Any, source: Any, info: Info, **kwargs: Any) -> Any:
        self._check(info, kwargs)
        return await next_(source, info, **kwargs)


def scoped_argument(scope: str, description: str) -> Any:
    """``strawberry.argument`` showing ``@argumentRequiresScope`` (enforced by :class:`ArgumentScope`)."""
    return strawberry.argument(
        description=description, directives=[ArgumentRequiresScope(scope=scope)]
    )


def needs(*scopes: str) -> list[FieldExtension]:
    """The caller must hold every one of ``scopes``."""
    return [PermissionExtension(permissions=[ScopeRequired(scope) for scope in scopes])]


def signed_in() -> list[FieldExtension]:
    return [PermissionExtension(permissions=[Authenticated()])]


def phi(*scopes: str) -> list[FieldExtension]:
    """A field carrying protected health information: needs ``phi:read`` (and ``scopes``); each
    allowed read is noted in the request's audit trail (the extension last in the list runs first)."""
    return [*needs(PHI_READ, *scopes), PhiRead()]


def patient_scope(*scopes: str) -> list[FieldExtension]:
    """A field whose result (payer model objects) belongs to the patient of the object it is on."""
    return [*needs(*scopes), PatientScope()] if scopes else [PatientScope()]
