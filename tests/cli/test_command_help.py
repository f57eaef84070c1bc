"""Every command and every option of ``payer-gateway`` says what it is for, and ``--help`` works."""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.cli import build_parser


def _parsers(
    parser: argparse.ArgumentParser, path: str = "payer-gateway"
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """The parser and, depth first, every subcommand's parser under it."""
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, f"{path} {name}")


def _undocumented(parser: argparse.ArgumentParser) -> list[str]:
    missing = []
    for action in parser._actions:
        name = "/".join(action.option_strings) or action.dest
        if not action.help or action.help == argparse.SUPPRESS:
            missing.append(name)
        if isinstance(action, argparse._SubParsersAction):
            described = {choice.dest for choice in action._choices_actions if choice.help}
            missing += [f"command {name}" for name in action.choices if name not in described]
    return missing


def test_every_command_and_option_has_help() -> None:
    parsers = list(_parsers(build_parser()))
    assert len(parsers) > 5  # the walk reached the subcommands
    missing = {path: _undocumented(parser) for path, parser in parsers}
    assert {path: names for path, names in missing.items() if names} == {}


def test_the_walk_finds_a_missing_help() -> None:
    parser = build_parser()
    (_, serve), *_ = [(p, s) for p, s in _parsers(parser) if p.endswith(" serve")]
    serve.add_argument("--undocumented")
    parser._subparsers._group_actions[0].add_parser("secret-command")  # type: ignore[union-attr]
    missing = {path: _undocumented(p) for path, p in _parsers(parser)}
    assert missing["payer-gateway serve"] == ["--undocumented"]
    assert "command secret-command" in missing["payer-gateway"]


COMMANDS = list(build_parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_of_each_command_works(command: str, tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("payer-gateway")
    done = subprocess.run(
        [str(script), *command.split(), "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.startswith(f"usage: payer-gateway {command}".rstrip())
    assert "--traceback" in done.stdout or not command
