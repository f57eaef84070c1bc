"""Each payer's batch budget: checks in flight at once and checks started per second, shared by every
gateway process on one machine.

Concurrency is a set of slot files, ``<payer>.slot<N>`` for N below the payer's ``batch_concurrency``;
a process holds a slot while it holds an exclusive ``flock`` on its file. The kernel drops the lock
when the process exits, however it exits (SIGKILL included), so a dead worker never keeps a slot.
The rate is the last start kept in ``<payer>.rate`` (no burst): under a short ``flock`` a caller
starts only when ``1 / batch_rate_per_second`` has passed since it, writing its own start; else it
sleeps for the rest and asks again. A start is taken at the moment of starting, never reserved ahead
and slept towards: a process woken late (a busy machine) would otherwise start several reserved
checks together. Nothing is kept in a process that another process needs.

What holds: on one machine, a batch never has more than ``batch_concurrency`` checks in flight at a
payer, nor starts more than ``batch_rate_per_second`` a second, however many processes run. Across
machines each machine has its own files, so the budget holds per machine: give each machine its
share of the payer's limit (see docs/batch-eligibility.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import struct
import time
from dataclasses import dataclass, field
from pathlib import Path

_STAMP = struct.Struct("<d")


@dataclass
class PayerBudget:
    """One payer's slots and rate schedule in ``directory``."""

    directory: Path
    payer_id: str
    concurrency: int
    rate_per_second: float
    _held: dict[int, int] = field(default_factory=dict)  # slot number -> open file descriptor

    def __post_init__(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)

    @property
    def held(self) -> int:
        return len(self._held)

    def take_slots(self, wanted: int) -> list[int]:
        """Take up to ``wanted`` free slots now (never waits); returns the slots taken."""
        taken: list[int] = []
        for slot in range(self.concurrency):
            if len(taken) >= wanted:
                break
            if slot in self._held:
                continue
            fd = os.open(self._slot_path(slot), os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            self._held[slot] = fd
            taken.append(slot)
        return taken

    def release(self, slot: int) -> None:
        fd = self._held.pop(slot, None)
        if fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def release_all(self) -> None:
        for slot in list(self._held):
            self.release(slot)

    async def pace(self) -> None:
        """Wait for this process's turn to start one check at the payer's rate."""
        # Polling, not an Event: the other starters may be other processes (the file is the truth).
        while (wait := self._start_or_wait()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(wait)

    def _start_or_wait(self) -> float:
        """Take the start now (0) when the interval since the last start has passed; else how long
        is left of it."""
        interval = 1.0 / self.rate_per_second
        fd = os.open(self.directory / f"{self.payer_id}.rate", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # held for a read and a write: microseconds
            raw = os.pread(fd, _STAMP.size, 0)
            last = _STAMP.unpack(raw)[0] if len(raw) == _STAMP.size else 0.0
            now = time.time()
            # (a last start in the future is a clock set back: start rather than wait for it)
            if now < last + interval and last <= now:
                return last + interval - now
            os.pwrite(fd, _STAMP.pack(now), 0)
            return 0.0
        finally:
            os.close(fd)  # closing drops the lock

    def _slot_path(self, slot: int) -> Path:
        return self.directory / f"{self.payer_id}.slot{slot}"
