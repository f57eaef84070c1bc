"""An export's memory does not grow with its size: four times the rows, about the same peak."""

from __future__ import annotations

import tracemalloc
from datetime import date
from pathlib import Path

import pyarrow as pa

from bench.export import generate
from gateway.exports.stream import HistoryExport
from gateway.exports.tables import Slice
from gateway.storage.database import Database


async def peak_bytes(url: str, practice_id: str) -> tuple[int, int]:
    """Peak Python plus Arrow bytes while the slice is exported in batches of 2,000 rows."""
    database = Database(url)
    piece = Slice(practice_id, date(2026, 1, 1), date(2026, 12, 31), (), identified=False)
    export = HistoryExport(database, piece, "parquet", True, lambda p: p[:8], batch_rows=2000)
    arrow_peak = 0
    tracemalloc.start()
    try:
        async for _ in export.chunks():
            arrow_peak = max(arrow_peak, pa.total_allocated_bytes())
        _, python_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        await database.dispose()
    return python_peak + arrow_peak, export.counts["claim_lines"]


async def test_memory_stays_flat_as_the_export_grows(tmp_path: Path) -> None:
    small_url, large_url = f"sqlite:///{tmp_path}/small.db", f"sqlite:///{tmp_path}/large.db"
    small_peak, small_lines = await peak_bytes(small_url, await generate(small_url, 2_000))
    large_peak, large_lines = await peak_bytes(large_url, await generate(large_url, 8_000))
    assert (small_lines, large_lines) == (8_000, 32_000)
    assert large_peak < small_peak * 1.5, (small_peak, large_peak)
