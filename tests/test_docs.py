"""Documentation drift fails tests: the README's two commands, CI's test command, the contract's methods."""

from __future__ import annotations

import re
from pathlib import Path

from payers.contract import CAPABILITY_METHODS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _readme_commands() -> list[str]:
    first_blocks = re.findall(r"```(?:bash|sh)\n(.*?)```", README, flags=re.S)[:2]
    return [block.strip() for block in first_blocks]


def test_readme_starts_with_the_demo_and_test_commands() -> None:
    demo, tests = _readme_commands()
    assert "payer-gateway demo" in demo and "pip install" in demo
    assert "pytest" in tests and ".[test]" in tests


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    _, tests = _readme_commands()
    assert tests in ci


def test_every_adapter_operation_is_documented_in_the_readme() -> None:
    for method in CAPABILITY_METHODS.values():
        assert f"`{method}`" in README, f"README does not document adapter method {method}"


def test_every_cli_command_is_documented_in_the_readme() -> None:
    from gateway.cli import build_parser

    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for name in commands:
        assert f"payer-gateway {name}" in README, f"README does not document `payer-gateway {name}`"


def test_readme_example_query_is_the_one_the_demo_prints() -> None:
    from gateway.demo import EXAMPLE_QUERY

    assert f"```graphql\n{EXAMPLE_QUERY}\n```" in README
