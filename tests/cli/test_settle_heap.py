"""A serving process settles its heap once built: start-up objects frozen, young collections rarer.

Run in a child interpreter: freezing and the collector's thresholds are process-wide, and the test
process must keep Python's defaults (tests build many apps in one process)."""

from __future__ import annotations

import json
import subprocess
import sys

from gateway.cli.commands import YOUNG_COLLECTION_EVERY

_PROBE = """
import gc, json
from gateway.cli.commands import settle_heap
before = gc.get_threshold()
settle_heap()
print(json.dumps({"before": before, "after": gc.get_threshold(), "frozen": gc.get_freeze_count()}))
"""


def test_settling_freezes_start_up_objects_and_spaces_out_young_collections() -> None:
    shown = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True, timeout=60
    )
    heap = json.loads(shown.stdout.strip().splitlines()[-1])
    assert heap["frozen"] > 10_000  # the modules imported so far, at least
    assert heap["after"][0] == YOUNG_COLLECTION_EVERY > heap["before"][0]
    assert heap["after"][1:] == heap["before"][1:]  # the older generations keep their ratios
