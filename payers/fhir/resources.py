"""FHIR R4 JSON into ``fhir.resources.R4B`` models: strict first, lenient for real payer data.

Every resource we read or write is validated by the R4B models (R4B reads R4 payer data; the
top-level ``fhir.resources`` package is R5 and rejects some R4 examples).

Strict, then lenient. Real payers omit elements the base spec marks 1..1 (the Blue Button 2.0 EOBs
have no ``insurer``, ``insurance.focal``, ``provider``, ``created``, ``outcome`` and no
``item.productOrService``). Dropping such an answer would hide a real payer's claims, so when strict
validation fails *only* because required elements are absent we read it anyway:

1. validate strictly; on ``pydantic.ValidationError`` collect the errors;
2. if any error is not an "absent required element" error (wrong type, bad code, unknown element,
   malformed date...), the resource is malformed: raise :class:`FhirContentError`;
3. otherwise put FHIR's own placeholder for a missing value at each path -- an element carrying only
   the ``data-absent-reason`` extension (value ``unknown``); for a primitive the extension goes on
   its ``_name`` sibling, so the value itself stays ``None`` -- and validate again. Model validators
   only run once field validation passes, so a second round can reveal more absent elements
   (``created``, ``outcome``): we repeat, at most :data:`MAX_LENIENT_ROUNDS` times;
4. the result is a fully typed, validated model plus ``missing``: the FHIR paths we filled
   (``"insurer"``, ``"insurance[0].focal"``, ``"item[3].productOrService"``,
   ``"diagnosis[0].diagnosis[x]"``). Readers treat a placeholder as absent (:func:`is_absent`).

We prefer this to ``model_construct`` because ``model_construct`` does not validate or convert
nested elements (they stay dicts), so readers would face two shapes of the same data.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

import pydantic
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.resource import Resource

DATA_ABSENT_REASON = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
MAX_LENIENT_ROUNDS = 5

_ABSENT_EXTENSION = {"url": DATA_ABSENT_REASON, "valueCode": "unknown"}
_CHOICE_MESSAGE = re.compile(r"Expect any of field value from this list \[([^\]]*)\]")

_DECIMAL_MARK = "\u0000decimal:"
_MARKED_DECIMAL = re.compile(r'"\\u0000decimal:(-?[0-9][0-9.]*(?:[eE][-+]?[0-9]+)?)"')

R = TypeVar("R", bound=Resource)


class FhirContentError(ValueError):
    """A body is not valid FHIR R4 JSON of the expected kind (callers map it to contract errors)."""


@dataclass(frozen=True, slots=True)
class ParsedResource(Generic[R]):
    """A validated resource and the required elements the sender left out (empty when strict)."""

    resource: R
    missing: tuple[str, ...] = ()

    @property
    def strict(self) -> bool:
        return not self.missing


@dataclass(frozen=True, slots=True)
class ParsedBundle:
    """A Bundle's envelope, its entries' resources (each parsed alone) and its ``next`` link."""

    bundle: Bundle
    entries: tuple[ParsedResource[Resource], ...]

    @property
    def next_url(self) -> str | None:
        for link in self.bundle.link or ():
            if link.relation == "next" and link.url:
                return str(link.url)
        return None

    def of_type(self, resource_type: str) -> list[ParsedResource[Resource]]:
        """Entries of one resource type (searchsets also carry OperationOutcome and _include)."""
        return [e for e in self.entries if e.resource.get_resource_type() == resource_type]


def load_json(body: bytes | str) -> dict[str, Any]:
    """Decode a JSON object, numbers as ``Decimal`` so money never passes through float."""
    try:
        data = json.loads(body, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FhirContentError(f"body is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise FhirContentError("body is not a JSON object")
    return data


def dump_json(data: Mapping[str, Any]) -> bytes:
    """JSON for a resource dict; ``Decimal`` values become exact JSON numbers, not floats."""

    def mark(value: Any) -> Any:
        if isinstance(value, Decimal):
            return f"{_DECIMAL_MARK}{value}"
        if isinstance(value, Mapping):
            return {k: mark(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [mark(v) for v in value]
        return value

    text = json.dumps(mark(data), separators=(",", ":"), ensure_ascii=False)
    return _MARKED_DECIMAL.sub(r"\1", text).encode()


def resource_type_of(data: Mapping[str, Any], expected: Sequence[str] = ()) -> str:
    """The ``resourceType`` of ``data``, checked against ``expected`` when given."""
    resource_type = data.get("resourceType")
    if not isinstance(resource_type, str) or not resource_type:
        raise FhirContentError("JSON object has no resourceType: not a FHIR resource")
    if expected and resource_type not in expected:
        raise FhirContentError(f"expected {' or '.join(expected)}, got {resource_type}")
    return resource_type


def parse_resource(
    body: bytes | str | Mapping[str, Any], expected: Sequence[str] = ()
) -> ParsedResource[Any]:
    """Validate one resource, strict then lenient (Bundles: use :func:`parse_bundle`)."""
    # The lenient read writes placeholders into the dict: never into the caller's.
    data = copy.deepcopy(dict(body)) if isinstance(body, Mapping) else load_json(body)
    resource_type = resource_type_of(data, expected)
    try:
        model = get_fhir_model_class(resource_type)
    except (KeyError, ValueError, AttributeError) as exc:
        raise FhirContentError(f"unknown FHIR R4 resourceType {resource_type!r}") from exc
    return _validate(model, data)


def parse_bundle(
    body: bytes | str | Mapping[str, Any], bundle_type: str | None = None
) -> ParsedBundle:
    """Validate a Bundle envelope, then each entry's resource on its own (leniency stays local)."""
    data = dict(body) if isinstance(body, Mapping) else load_json(body)
    resource_type_of(data, ("Bundle",))
    entries_in = data.get("entry") or []
    if not isinstance(entries_in, list):
        raise FhirContentError("Bundle.entry is not a list")
    envelope = dict(data)
    envelope["entry"] = [_without_resource(e, i) for i, e in enumerate(entries_in)] or None
    if envelope["entry"] is None:
        del envelope["entry"]
    try:
        bundle = Bundle.model_validate(envelope)
    except pydantic.ValidationError as exc:
        raise FhirContentError(f"invalid Bundle: {_describe(exc.errors())}") from exc
    if bundle_type and bundle.type != bundle_type:
        raise FhirContentError(f"expected a {bundle_type} Bundle, got {bundle.type}")
    entries = []
    for index, entry in enumerate(entries_in):
        if isinstance(entry, Mapping) and isinstance(entry.get("resource"), Mapping):
            try:
                entries.append(parse_resource(entry["resource"]))
            except FhirContentError as exc:
                raise FhirContentError(f"Bundle.entry[{index}]: {exc}") from exc
    return ParsedBundle(bundle=bundle, entries=tuple(entries))


def is_absent(element: Any) -> bool:
    """True for ``None`` and for the data-absent-reason placeholder the lenient read put in."""
    if element is None:
        return True
    extensions = getattr(element, "extension", None) or ()
    return any(getattr(ext, "url", None) == DATA_ABSENT_REASON for ext in extensions)


def _without_resource(entry: Any, index: int) -> dict[str, Any]:
    if not isinstance(entry, Mapping):
        raise FhirContentError(f"Bundle.entry[{index}] is not an object")
    return {k: v for k, v in entry.items() if k != "resource"}


def _validate(model: type[Any], data: dict[str, Any]) -> ParsedResource[Any]:
    missing: list[str] = []
    for _ in range(MAX_LENIENT_ROUNDS + 1):
        try:
            return ParsedResource(model.model_validate(data), tuple(missing))
        except pydantic.ValidationError as exc:
            errors = exc.errors()
        fillable = [_placeholder_for(err) for err in errors]
        if not all(fillable):
            bad = [err for err, fill in zip(errors, fillable, strict=True) if fill is None]
            raise FhirContentError(f"invalid {model.__name__}: {_describe(bad)}")
        for loc, key, value, path in fillable:  # type: ignore[misc]
            _container(data, loc)[key] = value
            missing.append(path)
    raise FhirContentError(f"invalid {model.__name__}: still incomplete after lenient reading")


def _placeholder_for(err: Any) -> tuple[tuple[Any, ...], str, Any, str] | None:
    """Where to put a placeholder for one "absent required element" error, or None if not one."""
    loc = tuple(err["loc"])
    kind = err["type"]
    if kind == "missing" and loc and isinstance(loc[-1], str):
        return loc[:-1], loc[-1], {"extension": [dict(_ABSENT_EXTENSION)]}, _path(loc)
    if kind == "model_field_validation.missing" and loc and isinstance(loc[-1], str):
        return loc[:-1], "_" + loc[-1], {"extension": [dict(_ABSENT_EXTENSION)]}, _path(loc)
    if kind == "value_error":
        match = _CHOICE_MESSAGE.search(str(err.get("msg", "")))
        if match:
            names = [n.strip().strip("'\"") for n in match.group(1).split(",")]
            stem = _common_stem(names)
            path = _path((*loc, f"{stem}[x]"))
            return loc, names[0], {"extension": [dict(_ABSENT_EXTENSION)]}, path
    return None


def _container(data: dict[str, Any], loc: tuple[Any, ...]) -> dict[str, Any]:
    node: Any = data
    for part in loc:
        node = node[part]
    if not isinstance(node, dict):
        raise FhirContentError(f"cannot fill absent element at {_path(loc)}")
    return node


def _common_stem(names: Sequence[str]) -> str:
    stem = names[0]
    for name in names[1:]:
        while not name.startswith(stem):
            stem = stem[:-1]
    return stem


def _path(loc: Sequence[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _describe(errors: Sequence[Any], limit: int = 5) -> str:
    shown = [f"{_path(e['loc']) or '(root)'}: {e['msg']}" for e in errors[:limit]]
    more = f" (and {len(errors) - limit} more)" if len(errors) > limit else ""
    return "; ".join(shown) + more
