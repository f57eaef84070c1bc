"""How big a schedule file may be: a busy practice's day, with room to spare, and under the
gateway's request body limit (PAYER_GATEWAY_MAX_BODY_BYTES, 256 KiB by default)."""

from __future__ import annotations

MAX_IMPORT_BYTES = 200_000  # UTF-8 bytes of the file's text
MAX_IMPORT_ROWS = 500  # CSV data rows or FHIR Bundle entries
