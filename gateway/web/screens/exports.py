"""Export (``/exports``): an analyst picks service dates, payers and a format, and downloads the
practice's claim history as a zip of tables (docs/exports.md).

The form posts to the same path; the portal then asks ``GET /exports/history`` with the signed-in
user's own token (so the API's scope checks, limits and audit apply to the person) and passes the zip
through as the API writes it (gateway/web/download.py). A refusal comes back as the API's code and
message, shown at the field it is about.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from starlette.datastructures import FormData
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from gateway.web.download import open_export
from gateway.web.formats import us_date
from gateway.web.forms import GENERAL, FormErrors, typed, us_date_field
from gateway.web.visit import Visit, page

HISTORY_EXPORT = "history:export"
PHI_READ = "phi:read"
FORMATS = {
    "parquet": "Parquet (pandas, DuckDB, Spark; keeps decimal money and dates typed)",
    "csv": "CSV (spreadsheets)",
    "ndjson": "NDJSON (one JSON object a line)",
}
LABELS = {
    "from": "Service date from",
    "to": "Service date to",
    "payers": "Payers",
    "format": "Format",
    "partition": "Partition",
    "identified": "Identifying columns",
    GENERAL: "Export",
}
#: The API's refusals that are about one field whatever their message says.
CODE_FIELDS = {"EXPORT_RANGE_TOO_LONG": "to", "EXPORT_TOO_MANY_PAYERS": "payers"}
#: Headers of the API's answer the browser gets (the download's name and type; never cached).
PASSED_HEADERS = ("content-type", "content-disposition", "cache-control", "x-request-id")


def _refused(visit: Visit) -> Response:
    return visit.refusal(
        403,
        "You cannot export the practice's history",
        "Your role does not include history exports. Ask your practice's administrator.",
    )


def _defaults(today: date) -> dict[str, Any]:
    """A year back from the first of this month to today, every payer, Parquet, no partitions."""
    start = today.replace(year=today.year - 1, day=1)
    return {
        "from": us_date(start),
        "to": us_date(today),
        "payers": [],
        "format": "parquet",
        "partition": False,
        "identified": False,
    }


def _posted(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = typed(form, ("from", "to", "format"))
    values["payers"] = [p for p in form.getlist("payers") if isinstance(p, str)]
    values["partition"] = form.get("partition") == "month"
    values["identified"] = form.get("identified") == "true"
    return values


def _query(values: dict[str, Any], known: set[str], errors: FormErrors) -> str | None:
    """The API's query for the form, or None with the portal's own errors (dates it cannot read,
    a payer the practice does not have)."""
    date_from = us_date_field(values, "from", errors, required=True)
    date_to = us_date_field(values, "to", errors, required=True)
    unknown = [p for p in values["payers"] if p not in known]
    if unknown:
        errors.add("payers", "Unknown payer: tick payers from the list (none: every payer).")
    if values["format"] not in FORMATS:
        errors.add("format", "Choose Parquet, CSV or NDJSON.")
    if errors:
        return None
    query = {
        "from": date_from,
        "to": date_to,
        "format": values["format"],
        "partition": "month" if values["partition"] else "none",
    }
    if values["payers"]:
        query["payers"] = ",".join(values["payers"])
    if values["identified"]:
        query["identified"] = "true"
    return urlencode(query)


def _field_of(code: str, message: str, fields: set[str]) -> str:
    """The form field a refusal is about: the code's, else the parameter its message starts with
    ('to' is before 'from'.), else the whole form."""
    name = CODE_FIELDS.get(code)
    if name is None and message.startswith("'"):
        name = message[1:].split("'", 1)[0]
    if name is None and code == "FORBIDDEN" and "identified" in message:
        name = "identified"
    return name if name in fields else GENERAL


async def _form_page(
    visit: Visit,
    frame: dict[str, Any],
    payers: list[dict[str, Any]],
    values: dict[str, Any],
    errors: FormErrors,
    status: int = 200,
) -> Response:
    return visit.html(
        "exports.html",
        status,
        **frame,
        payers=payers,
        values=values,
        errors=errors,
        labels=LABELS,
        formats=FORMATS,
        may_identify=PHI_READ in frame["scopes"],
    )


async def _payers(visit: Visit) -> list[dict[str, Any]]:
    result = await visit.call("ExportPayers")
    return sorted(result.data.get("payers") or [], key=lambda p: str(p["name"]).lower())


@page()
async def export_form(visit: Visit) -> Response:
    frame = await visit.frame()
    if HISTORY_EXPORT not in frame["scopes"]:
        return _refused(visit)
    zone = ZoneInfo(visit.portal.settings.portal_time_zone)
    values = _defaults(datetime.now(zone).date())
    kept = await visit.resumed_form()  # posted when the session had expired
    if kept is not None:
        values.update(
            {k: (kept.get(k) or [""])[0] for k in ("from", "to", "format")},
            payers=kept.get("payers") or [],
            partition=kept.get("partition") == ["month"],
            identified=kept.get("identified") == ["true"],
        )
    return await _form_page(visit, frame, await _payers(visit), values, FormErrors())


@page()
async def download(visit: Visit) -> Response:
    frame = await visit.frame()
    if HISTORY_EXPORT not in frame["scopes"]:
        return _refused(visit)
    payers = await _payers(visit)
    values = _posted(await visit.request.form())
    may_identify = PHI_READ in frame["scopes"]
    if not may_identify:
        values["identified"] = False  # not offered; the API would refuse it anyway
    errors = FormErrors()
    query = _query(values, {p["id"] for p in payers}, errors)
    if query is None:
        return await _form_page(visit, frame, payers, values, errors, 400)
    answer = await open_export(visit.portal.api, visit.request, query, await visit.access_token())
    if answer.body is None:
        fields = {"from", "to", "payers", "format", "partition"}
        if may_identify:
            fields.add("identified")
        for error in answer.errors:
            # Too many exports, or the gateway failing, land on the form as a whole.
            errors.add(_field_of(error.code, error.message, fields), error.message)
        status = 429 if answer.status == 429 else 400
        return await _form_page(visit, frame, payers, values, errors, status)
    headers = {k: v for k, v in answer.headers.items() if k in PASSED_HEADERS}
    return StreamingResponse(answer.body, headers=headers)


ROUTES = [
    Route("/exports", export_form, methods=["GET"]),
    Route("/exports", download, methods=["POST"]),
]
