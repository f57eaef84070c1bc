"""Bulk history exports: claims, claim lines, payments, payment lines and adjustments of a slice
(service dates, payers) streamed as one zip of Parquet, CSV or NDJSON tables, de-identified unless
the caller has ``phi:read`` and asks (docs/exports.md).

| module | job |
| --- | --- |
| ``request.py`` | the query parameters, checked; limits; refusals with codes |
| ``tables.py`` | the tables, their columns (PHI marked) and the SQL reading each slice |
| ``columns.py`` | per-kind SQL (decimal text, ISO dates) and typed Arrow arrays, code descriptions |
| ``formats.py`` | Parquet, CSV and NDJSON writers of one member |
| ``container.py`` | the zip written forward only, handed out piece by piece |
| ``stream.py`` | one export: batches from a server-side cursor into the members |
| ``endpoint.py`` | ``GET /exports/history``: scope, limits, audit, the streamed response |
"""
