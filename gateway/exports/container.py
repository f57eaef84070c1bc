"""The export's container: a zip written forward only, handed out in pieces as it grows.

``zipfile`` writes to an unseekable stream with data descriptors (sizes after each member), so no
member is ever held whole: whatever a writer produced since the last :meth:`ZipStream.take` is all
that sits in memory. Parquet members are stored as they are (Parquet compresses its own pages);
CSV and NDJSON members are deflated. Zip64 is on, so a member may pass 4 GiB.
"""

from __future__ import annotations

import zipfile
from typing import IO


class _Pieces:
    """A write-only byte sink whose contents are taken away as they are produced."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        return None

    def take(self) -> bytes:
        data, self._parts = b"".join(self._parts), []
        return data


class ZipStream:
    """A zip archive produced piece by piece: open members, write them, take the bytes so far."""

    def __init__(self) -> None:
        self._sink = _Pieces()
        self._zip = zipfile.ZipFile(self._sink, mode="w")  # type: ignore[call-overload]

    def member(self, name: str, *, compress: bool) -> IO[bytes]:
        info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        return self._zip.open(info, mode="w", force_zip64=True)

    def take(self) -> bytes:
        return self._sink.take()

    def close(self) -> bytes:
        self._zip.close()
        return self._sink.take()
