"""Batch job settings, from ``PAYER_GATEWAY_BATCH_*`` environment variables (all optional)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

PREFIX = "PAYER_GATEWAY_BATCH_"


@dataclass(frozen=True, slots=True)
class BatchSettings:
    run_in_gateway: bool = True  # batch checks inside `serve` too (off: only `worker` runs them)
    max_checks: int = 10_000  # checks one batch may hold; more is refused (BATCH_TOO_LARGE)
    retry_window_seconds: float = 4 * 3600.0  # retryable failures are retried this long
    retry_base_seconds: float = 30.0  # first wait after a retryable failure, doubling...
    retry_cap_seconds: float = 900.0  # ...up to this
    payer_rest_seconds: float = 5.0  # a payer that just failed gets no batch checks this long
    # The most of a payer's budget slots one process takes (0: as many as are free). Below the
    # budget, several worker processes share a payer's batch checks instead of one taking all.
    max_slots_per_process: int = 0
    lease_seconds: float = 30.0  # a check's lease, renewed while held: a crash's checks go again
    idle_seconds: float = 1.0  # how often an idle process looks for due checks
    flush_seconds: float = 0.05  # results are written in groups, at least this often
    # Where the per-payer slot and rate files live (gateway/jobs/budget.py). Every process on a
    # machine that shares a database must share it; the default is derived from the database URL.
    budget_dir: str = ""

    def budget_path(self, database_url: str) -> Path:
        if self.budget_dir:
            return Path(self.budget_dir)
        digest = hashlib.sha256(database_url.encode("utf-8")).hexdigest()[:16]
        return Path(tempfile.gettempdir()) / f"payer-gateway-batch-{os.getuid()}" / digest

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> BatchSettings:
        environ = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for item in fields(cls):
            name = PREFIX + item.name.upper()
            raw = environ.get(name)
            if raw is None:
                continue
            try:
                if item.type == "bool":
                    values[item.name] = raw.strip().lower() in {"1", "true", "yes", "on"}
                elif item.type == "str":
                    values[item.name] = raw
                elif item.type == "int":
                    values[item.name] = int(raw)
                else:
                    values[item.name] = float(raw)
            except ValueError:
                raise ValueError(f"{name} must be a number, not {raw[:40]!r}") from None
        return cls(**values)  # type: ignore[arg-type]
