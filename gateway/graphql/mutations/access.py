"""Logging in and out: login (password), completeLogin (TOTP or recovery code), refreshSession,
logout, changePassword. The first three are open to anonymous callers; each execution is a credential
attempt counted per client address and per target (gateway/graphql/attempts.py), and failures lock
the account (gateway/auth/login.py)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from gateway.auth import login as steps
from gateway.auth.accounts import change_password
from gateway.auth.sessions import IssuedSession, refresh_session, revoke_session
from gateway.errors import Unauthenticated
from gateway.graphql.attempts import (
    CredentialAttempt,
    challenge_user_of,
    email_of,
    refresh_session_of,
    signed_in_user,
)
from gateway.graphql.field_errors import as_field_errors, one_error
from gateway.graphql.permissions import signed_in
from gateway.graphql.types.common import FieldError
from gateway.graphql.types.identity import LoginStep, SessionTokens, TotpEnrolment


@strawberry.input
class LoginInput:
    email: str
    password: str


@strawberry.type
class LoginPayload:
    challenge: str | None = strawberry.field(description="Pass to completeLogin within 5 minutes.")
    challenge_expires_at: datetime | None
    next_step: LoginStep | None
    enrolment: TotpEnrolment | None = strawberry.field(
        description="Present when the user has no authenticator yet: scan it, then send its first code."
    )
    errors: list[FieldError]


@strawberry.input
class CompleteLoginInput:
    challenge: str
    code: str = strawberry.field(
        description="The 6-digit code of the authenticator, or a recovery code."
    )


@strawberry.type
class CompleteLoginPayload:
    session: SessionTokens | None
    recovery_codes: list[str] | None = strawberry.field(
        description="After enrolment only: ten one-time codes for when the authenticator is lost. Shown once."
    )
    errors: list[FieldError]


@strawberry.input
class ChangePasswordInput:
    current_password: str
    new_password: str


@strawberry.type
class SessionPayload:
    session: SessionTokens | None
    errors: list[FieldError]


@strawberry.type
class DonePayload:
    ok: bool
    errors: list[FieldError]


def _tokens(issued: IssuedSession) -> SessionTokens:
    return SessionTokens(
        access_token=issued.access_token,
        access_token_expires_at=issued.access_expires_at,
        refresh_token=issued.refresh_token,
        session_expires_at=issued.session_expires_at,
    )


def _audit_user(info: Info, kind: str, outcome: steps.LoginOutcome, **detail: str) -> None:
    user = outcome.user
    info.context.audit.event(
        kind,
        practice_id=user.practice_id if user else None,
        actor_id=user.id if user else None,
        actor_kind="user" if user else None,
        detail=detail,
    )


@strawberry.type
class AccessMutations:
    @strawberry.mutation(
        description="Login step one: email and password. Open to anonymous callers.",
        extensions=[CredentialAttempt("login", email_of)],
    )
    async def login(self, info: Info, input: LoginInput) -> LoginPayload:
        services = info.context.services
        outcome = await steps.check_password(
            services.database, services.settings, input.email, input.password
        )
        if outcome.failure:
            _audit_user(info, "login.failed", outcome, reason=outcome.reason or outcome.failure)
            return LoginPayload(
                challenge=None,
                challenge_expires_at=None,
                next_step=None,
                enrolment=None,
                errors=one_error("password", outcome.failure, outcome.message),
            )
        _audit_user(info, "login.password_accepted", outcome)
        enrolment = outcome.enrolment
        return LoginPayload(
            challenge=outcome.challenge,
            challenge_expires_at=outcome.challenge_expires_at,
            next_step=LoginStep.ENROL_TOTP if enrolment else LoginStep.TOTP,
            enrolment=TotpEnrolment(
                secret=enrolment.secret,
                provisioning_uri=enrolment.provisioning_uri,
                qr_code_svg=enrolment.qr_svg_data_uri,
            )
            if enrolment
            else None,
            errors=[],
        )

    @strawberry.mutation(
        description="Login step two: a TOTP code (or a recovery code) opens a session.",
        extensions=[CredentialAttempt("code", challenge_user_of)],
    )
    async def complete_login(self, info: Info, input: CompleteLoginInput) -> CompleteLoginPayload:
        services = info.context.services
        outcome = await steps.check_code(
            services.database,
            services.settings,
            input.challenge,
            input.code,
            info.context.client_address,
        )
        if outcome.failure or outcome.session is None:
            _audit_user(info, "mfa.failed", outcome, reason=outcome.failure or "")
            failure = outcome.failure or steps.CHALLENGE_INVALID
            path = "challenge" if failure == steps.CHALLENGE_INVALID else "code"
            return CompleteLoginPayload(
                session=None, recovery_codes=None, errors=one_error(path, failure, outcome.message)
            )
        if outcome.recovery_codes:
            _audit_user(info, "mfa.enrolled", outcome)
        if outcome.used_recovery_code:
            _audit_user(info, "mfa.recovery_code_used", outcome)
        _audit_user(info, "login.succeeded", outcome, session=outcome.session.session_id)
        return CompleteLoginPayload(
            session=_tokens(outcome.session),
            recovery_codes=outcome.recovery_codes or None,
            errors=[],
        )

    @strawberry.mutation(
        description="A new access token (and a new refresh token) for a session.",
        extensions=[CredentialAttempt("refresh", refresh_session_of)],
    )
    async def refresh_session(self, info: Info, refresh_token: str) -> SessionPayload:
        services = info.context.services
        try:
            issued, _ = await refresh_session(services.database, services.settings, refresh_token)
        except Unauthenticated as exc:
            return SessionPayload(
                session=None,
                errors=as_field_errors(
                    [("refreshToken", "INVALID_REFRESH_TOKEN", exc.message)], ()
                ),
            )
        return SessionPayload(session=_tokens(issued), errors=[])

    @strawberry.mutation(description="End the current login session.", extensions=signed_in())
    async def logout(self, info: Info) -> DonePayload | None:
        principal = info.context.principal
        if principal.session_id is None:
            return DonePayload(
                ok=False,
                errors=as_field_errors(
                    [("", "NOT_A_SESSION", "API keys have no session; revoke the key instead.")], ()
                ),
            )
        await revoke_session(info.context.services.database, principal.session_id)
        info.context.audit.event("logout", detail={"session": principal.session_id})
        return DonePayload(ok=True, errors=[])

    @strawberry.mutation(
        description="Change your password. Every session of yours ends, this one included: log in again.",
        extensions=[CredentialAttempt("password", signed_in_user), *signed_in()],
    )
    async def change_password(self, info: Info, input: ChangePasswordInput) -> DonePayload | None:
        principal = info.context.principal
        if principal.actor_kind != "user":
            return DonePayload(
                ok=False,
                errors=one_error("currentPassword", "NOT_A_USER", "API keys have no password."),
            )
        user, problems = await change_password(
            info.context.services.database,
            principal.actor_id,
            input.current_password,
            input.new_password,
        )
        if user is None:
            return DonePayload(ok=False, errors=as_field_errors(problems))
        info.context.audit.event("password.changed")
        return DonePayload(ok=True, errors=[])
