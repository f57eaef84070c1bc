"""The baseline for bench/cache.py: a bare strawberry app that answers the headline query with the same
JSON shape from memory (no auth, no cache, no fan-out, no database).

Its types are built from the query's selection sets and a captured gateway response, so both servers
parse, validate and serialize the same document. ``python bench/bare_app.py QUERY_FILE DATA_FILE PORT``
serves it on one uvicorn worker (strawberry's ParserCache and ValidationCache on, as in the gateway).
"""

from __future__ import annotations

import json
import sys
from typing import Any

import strawberry
from graphql import FieldNode, OperationDefinitionNode, parse
from strawberry.asgi import GraphQL
from strawberry.extensions import ParserCache, ValidationCache


def _samples(values: list[Any], name: str) -> list[Any]:
    found: list[Any] = []
    for value in values:
        if isinstance(value, dict) and value.get(name) is not None:
            item = value[name]
            found.extend(item if isinstance(item, list) else [item])
    return found


def _is_list(values: list[Any], name: str) -> bool:
    return any(isinstance(v, dict) and isinstance(v.get(name), list) for v in values)


def _scalar(samples: list[Any]) -> Any:
    for sample in samples:
        if isinstance(sample, bool):
            return bool
        if isinstance(sample, int):
            return int
        if isinstance(sample, float):
            return float
    return str


def build_type(
    type_name: str, fields: list[FieldNode], values: list[Any], registry: dict[str, type]
) -> type:
    """A strawberry type with exactly the selected fields; values tell scalars and lists apart."""
    annotations: dict[str, Any] = {}
    for node in fields:
        name = node.name.value
        samples = _samples(values, name)
        if node.selection_set is not None:
            child = [s for s in node.selection_set.selections if isinstance(s, FieldNode)]
            inner: Any = build_type(f"{type_name}_{name}", child, samples, registry)
        else:
            inner = _scalar(samples)
        annotations[name] = (list[inner | None] if _is_list(values, name) else inner) | None
    cls = type(type_name, (), {"__annotations__": annotations, **{k: None for k in annotations}})
    registry[type_name] = strawberry.type(cls, name=type_name)
    return registry[type_name]


def build_objects(cls: type, value: Any) -> Any:
    """Instances of the generated types holding the captured data."""
    if value is None:
        return None
    if isinstance(value, list):
        return [build_objects(cls, v) for v in value]
    if not isinstance(value, dict):
        return value
    hints = cls.__annotations__
    kwargs = {}
    for name in hints:
        inner = _inner_type(hints[name])
        kwargs[name] = (
            build_objects(inner, value.get(name))
            if isinstance(inner, type) and hasattr(inner, "__strawberry_definition__")
            else value.get(name)
        )
    return cls(**kwargs)


def _inner_type(annotation: Any) -> Any:
    args = getattr(annotation, "__args__", ())
    for arg in args:
        if arg is type(None):
            continue
        if getattr(arg, "__origin__", None) is list:
            return _inner_type(arg.__args__[0])
        return arg
    return annotation


def build_app(query: str, data: dict[str, Any]) -> GraphQL:
    document = parse(query)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    patient_node = next(s for s in operation.selection_set.selections if isinstance(s, FieldNode))
    fields = [s for s in patient_node.selection_set.selections if isinstance(s, FieldNode)]  # type: ignore[union-attr]
    registry: dict[str, type] = {}
    patient_type = build_type("Patient", fields, [data["patient"]], registry)
    patient = build_objects(patient_type, data["patient"])

    def resolve_patient(id: strawberry.ID, fresh: bool | None = None) -> Any:
        return patient

    # real objects, not strings: the generated types live in no module strawberry could look in
    resolve_patient.__annotations__ = {
        "id": strawberry.ID,
        "fresh": bool | None,
        "return": patient_type | None,
    }

    query_type = strawberry.type(
        type("Query", (), {"patient": strawberry.field(resolver=resolve_patient)})
    )
    schema = strawberry.Schema(
        query=query_type,
        extensions=[lambda: ParserCache(maxsize=512), lambda: ValidationCache(maxsize=512)],
    )
    return GraphQL(schema, graphql_ide=None)


def main() -> None:
    import uvicorn

    query_file, data_file, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(query_file, encoding="utf-8") as handle:
        query = handle.read()
    with open(data_file, encoding="utf-8") as handle:
        data = json.load(handle)
    app = build_app(query, data)
    uvicorn.run(app, host="127.0.0.1", port=port, log_config=None, access_log=False)


if __name__ == "__main__":
    main()
