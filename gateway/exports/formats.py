"""Writers of one table member in each format: Parquet, CSV and newline-delimited JSON.

Each takes Arrow record batches and writes them to a member of the zip as they come. Parquet
keeps the types (``decimal128`` money, ``date32`` dates, UTC timestamps); CSV writes decimals and
dates as text (``12.30``, ``2026-11-02``); NDJSON writes money as decimal strings, so no reader
parses it into a float by accident, and dates and timestamps as ISO 8601.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any, Protocol

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

FORMATS = ("parquet", "csv", "ndjson")
EXTENSIONS = {"parquet": "parquet", "csv": "csv", "ndjson": "ndjson"}


class TableWriter(Protocol):
    def __init__(self, sink: IO[bytes], schema: pa.Schema) -> None: ...

    def write(self, batch: pa.RecordBatch) -> None: ...

    def close(self) -> None: ...


class ParquetMember:
    def __init__(self, sink: IO[bytes], schema: pa.Schema) -> None:
        self._sink = sink
        self._writer = pq.ParquetWriter(sink, schema, compression="zstd")

    def write(self, batch: pa.RecordBatch) -> None:
        self._writer.write_batch(batch)  # one row group per batch: nothing waits in memory

    def close(self) -> None:
        self._writer.close()
        self._sink.close()


class CsvMember:
    def __init__(self, sink: IO[bytes], schema: pa.Schema) -> None:
        self._sink = sink
        self._writer = pa_csv.CSVWriter(sink, schema)

    def write(self, batch: pa.RecordBatch) -> None:
        self._writer.write_batch(batch)

    def close(self) -> None:
        self._writer.close()
        self._sink.close()


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


class NdjsonMember:
    def __init__(self, sink: IO[bytes], schema: pa.Schema) -> None:
        self._sink = sink

    def write(self, batch: pa.RecordBatch) -> None:
        text = "".join(
            json.dumps(row, default=_json_value, separators=(",", ":")) + "\n"
            for row in batch.to_pylist()
        )
        self._sink.write(text.encode())

    def close(self) -> None:
        self._sink.close()


WRITERS: dict[str, type[TableWriter]] = {
    "parquet": ParquetMember,
    "csv": CsvMember,
    "ndjson": NdjsonMember,
}
