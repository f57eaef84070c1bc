"""schema.graphql is the printed schema, byte for byte: regenerate with `payer-gateway export-schema > schema.graphql`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from gateway.graphql.schema import build_schema

ROOT = Path(__file__).resolve().parents[1]


def test_schema_file_matches_the_code() -> None:
    printed = build_schema().as_str() + "\n"
    on_disk = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert on_disk == printed, (
        "schema.graphql is stale: run `payer-gateway export-schema > schema.graphql`"
    )


def test_export_schema_command_prints_the_same_sdl() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "from gateway.cli import main; main(['export-schema'])"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    assert result.stdout == (ROOT / "schema.graphql").read_text(encoding="utf-8")
