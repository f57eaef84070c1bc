"""Reading a posted form into API input and putting the API's field errors back at the form's fields."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from gateway.web.api import ApiError
from gateway.web.formats import from_us_date

DATE_HINT = "Write the date as MM/DD/YYYY, for example 03/14/1970."
GENERAL = "form"  # errors that belong to no one field (shown in the summary only)


class FormErrors(dict[str, str]):
    """Messages by form field name, the first message kept for each field."""

    def add(self, name: str, message: str) -> None:
        self.setdefault(name, message)


def typed(form: Mapping[str, Any], names: Iterable[str]) -> dict[str, str]:
    """The values as typed (trimmed), to fill the form again when it comes back with errors."""
    return {name: str(form.get(name) or "").strip() for name in names}


def us_date_field(
    values: Mapping[str, str], name: str, errors: FormErrors, required: bool = False
) -> str | None:
    """The field's MM/DD/YYYY as the API's ISO date; an error at the field when it is no date."""
    text = values.get(name, "")
    if not text:
        if required:
            errors.add(name, "Enter the date (MM/DD/YYYY).")
        return None
    day = from_us_date(text)
    if day is None:
        errors.add(name, DATE_HINT)
        return None
    return day.isoformat()


def field_errors(
    problems: Iterable[Mapping[str, Any]], fields: Iterable[str], errors: FormErrors
) -> list[str]:
    """Put the API's ``FieldError``s at the form field their path ends in; the codes seen."""
    names = set(fields)
    codes = []
    for problem in problems:
        path = [str(part) for part in problem.get("field") or ()]
        last = path[-1] if path else ""
        if "subscriber" in path[:-1]:  # the card holder's fields, apart from the patient's own
            last = f"subscriber{last[:1].upper()}{last[1:]}"
        elif last == "subscriber":
            last = "subscriberFirstName"
        name = last if last in names else GENERAL
        errors.add(name, str(problem.get("message") or "Check this."))
        codes.append(str(problem.get("code")))
    return codes


def call_failed(api_errors: list[ApiError], errors: FormErrors) -> None:
    """An answer with no payload (the gateway refused or failed): say so, and what to do."""
    if api_errors:
        errors.add(GENERAL, "It could not be saved just now. Try again in a moment.")
