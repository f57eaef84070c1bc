"""What only the owner of an email address may learn, written down for a mailer to send.

Anonymous mutations answer alike whether or not an address has an account (registerPractice,
acceptInvitation, login); the difference is told to the address instead, as a row in
``notifications`` (kind + a few ids, never a password or token). Sending mail is a later mailer's
job: it reads unsent rows and sets ``sent_at``.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.storage.identity_tables import Notification

#: Someone registered a practice naming an address that already has an account.
REGISTRATION_WITH_EXISTING_ACCOUNT = "registration.existing_account"
#: Someone registered a practice with an NPI that is already registered (told to its contact).
REGISTRATION_WITH_REGISTERED_NPI = "registration.npi_registered"
#: A registration was received and waits for an operator (told to its admin).
REGISTRATION_RECEIVED = "registration.received"
#: An operator approved or rejected the practice (told to its admins and contact).
PRACTICE_DECIDED = "practice.decided"
#: Someone accepted an invitation to an address that already has an account.
INVITATION_TO_EXISTING_ACCOUNT = "invitation.existing_account"
#: Too many failed attempts locked the account for a while.
ACCOUNT_LOCKED = "account.locked"


def notify(session: AsyncSession, email: str, kind: str, **detail: str) -> None:
    """Owe ``email`` a message of ``kind`` (inside the caller's transaction)."""
    session.add(Notification(email=email.strip().lower(), kind=kind, detail=detail))
