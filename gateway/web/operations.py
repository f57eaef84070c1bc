"""The portal's GraphQL operations: every ``operations/*.graphql`` file, each operation named.

A page asks for an operation by name; the document sent is that operation alone (with the fragments
its file defines), so the API's token and depth limits apply to it as to any client's request.
"""

from __future__ import annotations

import functools
from pathlib import Path

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    Node,
    OperationDefinitionNode,
    parse,
    print_ast,
    visit,
)
from graphql.language import Visitor

OPERATIONS_DIR = Path(__file__).with_name("operations")


class OperationError(ValueError):
    """An operations file holds an unnamed or duplicated operation (the message names the file)."""


@functools.cache
def operations() -> dict[str, str]:
    """Operation name -> the GraphQL document sent for it."""
    found: dict[str, str] = {}
    for path in sorted(OPERATIONS_DIR.glob("*.graphql")):
        document = parse(path.read_text(encoding="utf-8"))
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        for definition in document.definitions:
            if not isinstance(definition, OperationDefinitionNode):
                continue
            if definition.name is None:
                raise OperationError(f"{path.name}: every operation must be named")
            name = definition.name.value
            if name in found:
                raise OperationError(f"{path.name}: operation {name} is defined twice")
            used = [fragments[f] for f in _spread(definition, fragments) if f in fragments]
            found[name] = print_ast(DocumentNode(definitions=(definition, *used)))
    return found


def _spread(node: Node, fragments: dict[str, FragmentDefinitionNode]) -> list[str]:
    """Names of the fragments ``node`` uses, directly or through other fragments (GraphQL refuses
    a document that defines a fragment it does not use)."""
    names: list[str] = []

    class Spreads(Visitor):
        def enter_fragment_spread(self, spread: FragmentSpreadNode, *_: object) -> None:
            if spread.name.value not in names:
                names.append(spread.name.value)

    visit(node, Spreads())
    for name in list(names):
        if name in fragments:
            names += [n for n in _spread(fragments[name], fragments) if n not in names]
    return names


def operation(name: str) -> str:
    """The document of one operation; KeyError naming it when no file defines it."""
    try:
        return operations()[name]
    except KeyError:
        raise KeyError(f"no portal operation named {name!r} in {OPERATIONS_DIR}") from None
