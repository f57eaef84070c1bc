"""Field-level input checks that report every problem at once, as data (code, path, message)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from gateway.graphql.types.common import FieldError

_NAME = re.compile(r"^[A-Za-z][A-Za-z .'\-]{0,59}$")
_STATE = re.compile(r"^[A-Z]{2}$")
_POSTAL = re.compile(r"^\d{5}(-?\d{4})?$")
_MEMBER_ID = re.compile(r"^[A-Za-z0-9\-]{2,80}$")
_GROUP = re.compile(r"^[A-Za-z0-9\-]{1,50}$")
MAX_AGE_YEARS = 130


@dataclass
class Problems:
    """Collects FieldErrors; ``prefix`` is the path of the input object being checked."""

    prefix: tuple[str, ...] = ("input",)
    errors: list[FieldError] = field(default_factory=list)

    def add(self, path: str, code: str, message: str) -> None:
        self.errors.append(
            FieldError(code=code, field=[*self.prefix, *path.split(".")], message=message)
        )

    def __bool__(self) -> bool:
        return bool(self.errors)

    def name(self, path: str, value: str | None, label: str) -> None:
        if value is None or not value.strip():
            self.add(path, "REQUIRED", f"{label} is required.")
        elif not _NAME.match(value.strip()):
            self.add(
                path, "INVALID_NAME", f"{label} must be letters, spaces, ' . or - (at most 60)."
            )

    def birth_date(self, path: str, value: date | None, today: date) -> None:
        if value is None:
            self.add(path, "REQUIRED", "Birth date is required.")
        elif value > today:
            self.add(path, "DATE_IN_FUTURE", "Birth date cannot be in the future.")
        elif today.year - value.year > MAX_AGE_YEARS:
            self.add(path, "DATE_TOO_OLD", f"Birth date is more than {MAX_AGE_YEARS} years ago.")

    def matches(
        self, path: str, value: str | None, pattern: re.Pattern[str], code: str, message: str
    ) -> None:
        if value is not None and not pattern.match(value.strip()):
            self.add(path, code, message)

    def state(self, path: str, value: str | None) -> None:
        self.matches(
            path,
            value.upper() if value else value,
            _STATE,
            "INVALID_STATE",
            "State must be a two-letter code, e.g. OR.",
        )

    def postal_code(self, path: str, value: str | None) -> None:
        self.matches(path, value, _POSTAL, "INVALID_POSTAL_CODE", "ZIP code must be 5 or 9 digits.")

    def phone(self, path: str, value: str | None) -> None:
        if value is not None and len(re.sub(r"\D", "", value)) != 10:
            self.add(path, "INVALID_PHONE", "Phone number must have 10 digits.")

    def member_id(self, path: str, value: str | None) -> None:
        if value is None or not value.strip():
            self.add(path, "REQUIRED", "Member ID is required: it is on the insurance card.")
        else:
            self.matches(
                path,
                value,
                _MEMBER_ID,
                "INVALID_MEMBER_ID",
                "Member ID must be 2 to 80 letters, digits or dashes.",
            )

    def group_number(self, path: str, value: str | None) -> None:
        self.matches(
            path,
            value,
            _GROUP,
            "INVALID_GROUP_NUMBER",
            "Group number must be 1 to 50 letters, digits or dashes.",
        )


def digits(value: str | None) -> str | None:
    return re.sub(r"\D", "", value) if value else None
