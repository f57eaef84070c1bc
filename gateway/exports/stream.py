"""One export's bytes: every table read in batches from the database and written into the zip.

Rows come from the database as Arrow record batches of about ``batch_rows`` rows (reader.py: the
ADBC drivers, one read-only snapshot for the whole export); each batch gets its typed columns
(columns.py), is written to its table's member, and the bytes it produced are handed to the
response before the next batch is read. Memory therefore holds one batch and what the writers
buffer, whatever the export's size. Encoding runs in a worker thread (Arrow releases the GIL), so
a large export does not stall the other requests of the event loop.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from gateway.exports.columns import Describer, arrow_fields, build_arrays
from gateway.exports.container import ZipStream
from gateway.exports.formats import EXTENSIONS, WRITERS, TableWriter
from gateway.exports.reader import BatchReader, open_reader
from gateway.exports.tables import TABLES, ExportTable, Slice, column_names
from gateway.storage.database import Database

MONTH_FIELD = pa.field(
    "service_month", pa.string(), metadata={"about": "YYYY-MM of the service date."}
)


@dataclass
class HistoryExport:
    """The export of one slice in one format, optionally partitioned by service month."""

    database: Database
    piece: Slice
    format: str
    partition: bool
    pseudonym: Callable[[str], str]
    batch_rows: int = 20_000
    tables: Sequence[ExportTable] = TABLES
    #: Rows written per table, filled in as the export runs (the audit trail's row counts).
    counts: dict[str, int] = field(default_factory=dict)
    finished: bool = False

    def columns(self) -> dict[str, list[str]]:
        return {t.name: list(column_names(t, self.piece.identified)) for t in self.tables}

    async def chunks(self) -> AsyncIterator[bytes]:
        archive = ZipStream()
        describer = Describer()
        async with open_reader(self.database) as reader:
            for table in self.tables:
                async for data in self._table(reader, archive, table, describer):
                    if data:
                        yield data
        manifest = archive.member("manifest.json", compress=True)
        manifest.write(json.dumps(self._manifest(), indent=2).encode())
        manifest.close()
        self.finished = True
        yield archive.close()

    async def _table(
        self, reader: BatchReader, archive: ZipStream, table: ExportTable, describer: Describer
    ) -> AsyncIterator[bytes]:
        columns = table.visible(self.piece.identified)
        fields = arrow_fields(columns)
        schema = pa.schema(fields if self.partition else [*fields, MONTH_FIELD])
        members = _Members(archive, table.name, self.format, schema, self.partition)
        self.counts[table.name] = 0
        dialect = self.database.engine.dialect.name
        statement = table.query(self.piece, dialect)
        # The next batch is read while the last one is encoded (Arrow and Parquet release the GIL,
        # and the database works on its own): two batches in memory at most.
        writing: asyncio.Future[int] | None = None
        try:
            async for rows in reader.batches(statement, self.batch_rows):
                if writing is not None:
                    self.counts[table.name] += await writing
                    yield archive.take()
                writing = asyncio.ensure_future(
                    asyncio.to_thread(self._write, members, columns, rows, schema, describer)
                )
            if writing is not None:
                self.counts[table.name] += await writing
                writing = None
        finally:
            if writing is not None:  # stopped part way: let the encoding thread finish first
                await asyncio.wait([writing])
        members.close()
        yield archive.take()

    def _write(
        self,
        members: _Members,
        columns: Sequence[Any],
        rows: pa.RecordBatch,
        schema: pa.Schema,
        describer: Describer,
    ) -> int:
        values = rows.columns
        months = pc.utf8_slice_codeunits(values[-1].cast(pa.string()), 0, 7)
        arrays = build_arrays(columns, values[:-1], describer, self.pseudonym)
        if not self.partition:
            arrays.append(months)
            members.write(None, pa.RecordBatch.from_arrays(arrays, schema=schema))
            return rows.num_rows
        batch = pa.RecordBatch.from_arrays(arrays, schema=schema)
        start = 0
        # Rows come in service-date order, so each month is one run, counted in order of appearance.
        for run in pc.value_counts(months).to_pylist():
            members.write(run["values"], batch.slice(start, run["counts"]))
            start += run["counts"]
        return rows.num_rows

    def _manifest(self) -> dict[str, Any]:
        piece = self.piece
        return {
            "from": piece.date_from.isoformat(),
            "to": piece.date_to.isoformat(),
            "payers": list(piece.payer_ids),
            "format": self.format,
            "partition": "month" if self.partition else None,
            "identified": piece.identified,
            "rows": dict(self.counts),
            "columns": self.columns(),
        }


class _Members:
    """The open member of one table: one file, or one per service month when partitioned."""

    def __init__(
        self, archive: ZipStream, table: str, fmt: str, schema: pa.Schema, partition: bool
    ) -> None:
        self._archive, self._table, self._format = archive, table, fmt
        self._schema, self._partition = schema, partition
        self._month: str | None = None
        self._writer: TableWriter | None = None
        if not partition:  # an empty table still gets its file, with its columns
            self._writer = self._open(f"{table}.{EXTENSIONS[fmt]}")

    def _open(self, name: str) -> TableWriter:
        sink = self._archive.member(name, compress=self._format != "parquet")
        return WRITERS[self._format](sink, self._schema)

    def write(self, month: str | None, batch: pa.RecordBatch) -> None:
        if self._partition and month != self._month:
            self.close()
            self._month = month
            ext = EXTENSIONS[self._format]
            self._writer = self._open(f"{self._table}/service_month={month}/part-0.{ext}")
        assert self._writer is not None
        self._writer.write(batch)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
