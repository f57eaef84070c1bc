"""The portal is a client of the public API: its operations are valid, named, used, and it imports
nothing beneath the schema (no tables, no adapters, no database)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from graphql import OperationDefinitionNode, parse, validate

from gateway.graphql.schema import build_schema
from gateway.web.operations import OPERATIONS_DIR, operations

WEB = Path(__file__).resolve().parents[2] / "gateway" / "web"
#: What the web layer may not import: storage, adapters, the services beneath the schema.
FORBIDDEN = re.compile(
    r"^(gateway\.(storage|payers|claims|auth|audit|identity|practices|seeding|graphql)|payers|sqlalchemy)(\.|$)"
)


def test_every_operation_is_named_and_valid_against_the_schema() -> None:
    schema = build_schema()._schema
    files = sorted(OPERATIONS_DIR.glob("*.graphql"))
    assert files
    for path in files:
        document = parse(path.read_text(encoding="utf-8"))
        errors = validate(schema, document)
        assert errors == [], f"{path.name}: {[e.message for e in errors]}"
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                assert definition.name is not None, f"{path.name}: an operation has no name"
    # What is actually sent: each operation alone, with just the fragments it uses.
    for name, text in operations().items():
        errors = validate(schema, parse(text))
        assert errors == [], f"{name}: {[e.message for e in errors]}"


def test_every_operation_is_used_by_some_page() -> None:
    sources = "\n".join(p.read_text(encoding="utf-8") for p in WEB.rglob("*.py"))
    unused = [name for name in operations() if f'"{name}"' not in sources]
    assert unused == [], f"operations no page runs: {unused}"


def test_the_web_layer_imports_nothing_beneath_the_api() -> None:
    offending = []
    for path in WEB.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offending += [f"{path.relative_to(WEB)}: {n}" for n in names if FORBIDDEN.match(n)]
    assert offending == []
