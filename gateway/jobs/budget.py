"""Each payer's batch budget: checks in flight at once and checks started per second, shared by every
gateway process on one machine.

Concurrency is a set of slot files, ``<payer>.slot<N>`` for N below the payer's ``batch_concurrency``;
a process holds a slot while it holds an exclusive ``flock`` on its file. The kernel drops the lock
when the process exits, however it exits (SIGKILL included), so a dead worker never keeps a slot.
The rate is a schedule kept in ``<payer>.rate`` (GCRA, no burst): under a short ``flock`` a caller
reserves the next start time, at least ``1 / batch_rate_per_second`` after the one before, writes it
back and sleeps until it. A caller that wakes late (by more than half an interval, and at least 10 ms:
a busy machine) does not start: it reserves again at the back, so late wake-ups do not start
together. Each retry allows twice the lateness, so a check always starts in the end. Nothing is
kept in a process that another process needs.

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
        late = max(0.5 / self.rate_per_second, 0.01)
        while True:
            start = self._reserve()
            delay = start - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            if time.time() - start <= late:
                return
            late *= 2

    def _reserve(self) -> float:
        interval = 1.0 / self.rate_per_second
        fd = os.open(self.directory / f"{self.payer_id}.rate", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # held for a read and a write: microseconds
            raw = os.pread(fd, _STAMP.size, 0)
            last = _STAMP.unpack(raw)[0] if len(raw) == _STAMP.size else 0.0
            now = time.time()
            # (a last start far in the future is a clock set back: start from now instead)
            if last > now + 3600:
                last = 0.0
            start = max(now, last + interval)
            os.pwrite(fd, _STAMP.pack(start), 0)
            return start
        finally:
            os.close(fd)  # closing drops the lock

    def _slot_path(self, slot: int) -> Path:
        return self.directory / f"{self.payer_id}.slot{slot}"
