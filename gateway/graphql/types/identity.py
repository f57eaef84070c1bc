"""People, keys, sessions and practices as callers see them. Secrets appear only in the payloads
that create them, once."""

from __future__ import annotations

import enum
from datetime import datetime

import strawberry

from gateway.storage import tables
from gateway.storage.identity_tables import Invitation as InvitationRow
from gateway.storage.identity_tables import User as UserRow


@strawberry.enum(description="What a person may do; each role maps to a set of scopes.")
class Role(enum.StrEnum):
    PRACTICE_ADMIN = "practice_admin"
    FRONT_DESK = "front_desk"
    BILLER = "biller"
    ANALYST = "analyst"
    OPERATOR = "operator"


@strawberry.enum
class PracticeStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


@strawberry.enum(description="What the second login step expects.")
class LoginStep(enum.StrEnum):
    TOTP = "totp"
    ENROL_TOTP = "enrol_totp"


@strawberry.type(
    name="Practice", description="A practice (tenant) and the state of its registration."
)
class PracticeType:
    row: strawberry.Private[tables.Practice]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.row.id)

    @strawberry.field
    def name(self) -> str:
        return self.row.name

    @strawberry.field
    def npi(self) -> str:
        return self.row.npi

    @strawberry.field(
        description="Employer identification number (9 digits), billed on its claims."
    )
    def tax_id(self) -> str:
        return self.row.tax_id

    @strawberry.field
    def status(self) -> PracticeStatus:
        return PracticeStatus(self.row.status)

    @strawberry.field
    def contact_email(self) -> str | None:
        return self.row.contact_email

    @strawberry.field
    def registered_at(self) -> datetime:
        return self.row.created_at

    @strawberry.field
    def rejection_reason(self) -> str | None:
        return self.row.rejection_reason

    @strawberry.field(
        description="Whether a secondary claim goes out by itself once the primary's payment "
        "posts (practice administrators switch it with setAutoSecondaryClaims)."
    )
    def auto_secondary_claims(self) -> bool:
        return self.row.auto_secondary_claims

    @strawberry.field(
        description="The practice's IANA time zone (e.g. America/New_York): its today, tomorrow "
        "and appointment times are read on this clock."
    )
    def time_zone(self) -> str:
        return self.row.time_zone


@strawberry.type(name="User", description="A person with an account.")
class UserType:
    row: strawberry.Private[UserRow]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.row.id)

    @strawberry.field
    def email(self) -> str:
        return self.row.email

    @strawberry.field
    def name(self) -> str:
        return self.row.name

    @strawberry.field
    def role(self) -> Role:
        return Role(self.row.role)

    @strawberry.field(description="active or disabled.")
    def status(self) -> str:
        return self.row.status

    @strawberry.field(description="True once the user has enrolled an authenticator app.")
    def mfa_enrolled(self) -> bool:
        return self.row.totp_secret is not None

    @strawberry.field
    def locked_until(self) -> datetime | None:
        return self.row.locked_until


@strawberry.type(description="An invitation to join a practice with a role.")
class Invitation:
    row: strawberry.Private[InvitationRow]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.row.id)

    @strawberry.field
    def email(self) -> str:
        return self.row.email

    @strawberry.field
    def role(self) -> Role:
        return Role(self.row.role)

    @strawberry.field
    def expires_at(self) -> datetime:
        return self.row.expires_at

    @strawberry.field
    def accepted_at(self) -> datetime | None:
        return self.row.accepted_at


@strawberry.type(
    description="A partner system's API key. The secret itself is shown only when created."
)
class ApiKey:
    row: strawberry.Private[tables.ApiKey]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.row.id)

    @strawberry.field
    def name(self) -> str:
        return self.row.name

    @strawberry.field(description="The key's first characters, to recognise it.")
    def prefix(self) -> str:
        return self.row.prefix

    @strawberry.field
    def scopes(self) -> list[str]:
        return list(self.row.scopes)

    @strawberry.field
    def created_at(self) -> datetime:
        return self.row.created_at

    @strawberry.field
    def expires_at(self) -> datetime | None:
        return self.row.expires_at

    @strawberry.field
    def last_used_at(self) -> datetime | None:
        return self.row.last_used_at

    @strawberry.field
    def revoked_at(self) -> datetime | None:
        return self.row.revoked_at


@strawberry.type(description="Who is calling, and with which scopes.")
class Viewer:
    actor_id: strawberry.ID
    actor_kind: str = strawberry.field(description="user or api_key.")
    name: str | None = strawberry.field(description="The user's name, or the API key's name.")
    role: Role | None
    scopes: list[str]
    practice: PracticeType | None


@strawberry.type(
    description="Tokens of a login session. Send the access token as 'Authorization: Bearer ...'."
)
class SessionTokens:
    access_token: str
    access_token_expires_at: datetime
    refresh_token: str = strawberry.field(
        description="Use once with refreshSession; it is replaced each time."
    )
    session_expires_at: datetime


@strawberry.type(description="Scan the QR code (or enter the secret) in an authenticator app.")
class TotpEnrolment:
    secret: str
    provisioning_uri: str = strawberry.field(
        description="otpauth:// URI, the content of the QR code."
    )
    qr_code_svg: str = strawberry.field(description="The QR code as an SVG data: URI.")
