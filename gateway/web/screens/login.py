"""Login (email and password, then the 6-digit code; enrolment and recovery codes at first login),
and logout. Every step posts, then redirects (post/redirect/get)."""

from __future__ import annotations

import contextlib
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from gateway.web.session import PortalSession
from gateway.web.visit import Visit, page

ENROLMENT = "enrolment"
RECOVERY = "recovery-codes"
CODE_LENGTHS = {6}  # an authenticator code; recovery codes are longer and accepted as they are

#: What a person is told for each refusal of the API, and what to do next.
LOGIN_MESSAGES = {
    "INVALID_CREDENTIALS": "The email or password is not right. Check them and try again.",
    "ACCOUNT_LOCKED": "Too many failed attempts: this account is locked for a while. "
    "Wait 15 minutes and try again, or ask your practice's administrator.",
    "ACCOUNT_DISABLED": "This account has been turned off. Ask your practice's administrator.",
    "PRACTICE_NOT_APPROVED": "Your practice's registration has not been approved yet.",
    "RATE_LIMITED": "Too many attempts from here. Wait a minute, then try again.",
    "INVALID_CODE": "That code is not right (or was already used). Enter the current 6-digit "
    "code from your authenticator app.",
    "CHALLENGE_INVALID": "Signing in took too long. Start again with your email and password.",
}
UNKNOWN_PROBLEM = "Signing in did not work just now. Try again in a moment."


def _problem(result: Any, payload: dict[str, Any] | None) -> str | None:
    """The first refusal's code (payload errors first, then GraphQL errors), or None."""
    for error in (payload or {}).get("errors") or ():
        return str(error.get("code"))
    if payload is None or result.errors:
        return result.errors[0].code if result.errors else "UNKNOWN"
    return None


def _safe_next(target: str | None) -> str:
    """Only a path of this site (never //host or a scheme) is a place to go after login."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@page(signed_in=False)
async def login_form(visit: Visit) -> Response:
    if visit.session.signed_in:
        return visit.redirect("/")
    params = visit.request.query_params
    notice = None
    if params.get("expired"):
        notice = "You were signed out because the page was not used for a while. Sign in again; "
        notice += "anything you were sending has been kept."
    elif params.get("signed_out"):
        notice = "You are signed out."
    return visit.html("login.html", notice=notice, email="", errors={})


@page(signed_in=False)
async def login_submit(visit: Visit) -> Response:
    form = await visit.request.form()
    email = str(form.get("email", "")).strip()
    password = str(form.get("password", ""))
    errors: dict[str, str] = {}
    if not email:
        errors["email"] = "Enter your email address."
    if not password:
        errors["password"] = "Enter your password."  # noqa: S105  # a message, not a secret
    if not errors:
        result = await visit.call_anonymously("Login", {"email": email, "password": password})
        payload = result.data.get("login")
        problem = _problem(result, payload)
        if problem is None and payload is not None:
            session = visit.session
            session.challenge = payload["challenge"]
            session.enrolment = None
            enrolment = payload.get("enrolment")
            if enrolment:
                session.enrolment = await visit.portal.stash.put(
                    ENROLMENT, session.csrf, dict(enrolment), seconds=300
                )
            return visit.redirect("/login/code")
        errors["password"] = LOGIN_MESSAGES.get(problem or "", UNKNOWN_PROBLEM)
    return visit.html("login.html", notice=None, email=email, errors=errors)


async def _enrolment(visit: Visit) -> dict[str, Any] | None:
    return await visit.portal.stash.get(ENROLMENT, visit.session.enrolment, visit.session.csrf)


@page(signed_in=False)
async def code_form(visit: Visit) -> Response:
    if not visit.session.challenge:
        return visit.redirect("/login")
    return visit.html("login_code.html", enrolment=await _enrolment(visit), errors={})


@page(signed_in=False)
async def code_submit(visit: Visit) -> Response:
    session = visit.session
    if not session.challenge:
        return visit.redirect("/login")
    code = "".join(str((await visit.request.form()).get("code", "")).split())
    errors: dict[str, str] = {}
    if not code:
        errors["code"] = "Enter the 6-digit code from your authenticator app."
    else:
        result = await visit.call_anonymously(
            "CompleteLogin", {"challenge": session.challenge, "code": code}
        )
        payload = result.data.get("completeLogin")
        problem = _problem(result, payload)
        if problem is None and payload and payload.get("session"):
            return await _signed_in(visit, payload)
        if problem in {"CHALLENGE_INVALID", "ACCOUNT_LOCKED"}:
            session.challenge = session.enrolment = None
            errors["code"] = LOGIN_MESSAGES[problem]
            return visit.html(
                "login.html", notice=None, email="", errors={"password": errors["code"]}
            )
        errors["code"] = LOGIN_MESSAGES.get(problem or "", UNKNOWN_PROBLEM)
    return visit.html("login_code.html", enrolment=await _enrolment(visit), errors=errors)


async def _signed_in(visit: Visit, payload: dict[str, Any]) -> Response:
    session = visit.session
    kept_for = session.user_id
    await visit.portal.stash.drop(ENROLMENT, session.enrolment)
    session.challenge = session.enrolment = None
    visit.sign_in(payload["session"])
    me = await visit.call("SignedInUser")
    user_id = str((me.data.get("me") or {}).get("actorId", ""))
    session.user_id = user_id
    target = _safe_next(session.next)
    session.next = None
    if kept_for != user_id and "resume=" in target:
        target = "/"  # someone else's kept form is not theirs to see (the stash checks it too)
    session.csrf = PortalSession().csrf  # a new token for the signed-in session
    if payload.get("recoveryCodes"):
        session.recovery = await visit.portal.stash.put(
            RECOVERY, user_id, {"codes": payload["recoveryCodes"], "next": target}
        )
        return visit.redirect("/login/recovery-codes")
    return visit.redirect(target)


@page()
async def recovery_codes(visit: Visit) -> Response:
    kept = await visit.portal.stash.get(RECOVERY, visit.session.recovery, visit.session.user_id)
    if kept is None:
        return visit.redirect("/")
    return await visit.page(
        "recovery_codes.html", codes=kept.get("codes") or [], next=_safe_next(kept.get("next"))
    )


@page(signed_in=False)
async def logout(visit: Visit) -> Response:
    if visit.session.signed_in:
        with contextlib.suppress(Exception):  # the session is over either way; the cookie goes
            await visit.call("Logout")
    visit.session = PortalSession()
    return visit.redirect("/login?signed_out=1")


ROUTES = [
    Route("/login", login_form, methods=["GET"]),
    Route("/login", login_submit, methods=["POST"]),
    Route("/login/code", code_form, methods=["GET"]),
    Route("/login/code", code_submit, methods=["POST"]),
    Route("/login/recovery-codes", recovery_codes, methods=["GET"]),
    Route("/logout", logout, methods=["POST"]),
]
