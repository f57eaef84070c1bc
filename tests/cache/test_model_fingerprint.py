"""Cache keys carry the model's shape, so objects pickled by an older release are never read."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.cache import model_fingerprint, open_payer_cache, shape_digest
from gateway.config import GatewaySettings
from gateway.observability.metrics import GatewayMetrics
from payers import model


@dataclass(frozen=True, slots=True)
class Before:
    code: str


@dataclass(frozen=True, slots=True)
class After:
    code: str
    findings: tuple[str, ...] = ()


def test_a_field_added_to_a_model_class_changes_the_digest() -> None:
    before = shape_digest([Before])
    after = shape_digest([After])
    assert before != after
    assert shape_digest([Before, "not a class", 3]) == before  # only dataclasses count


def test_the_fingerprint_covers_the_model_and_names_the_cache_keys() -> None:
    fingerprint = model_fingerprint()
    assert fingerprint == shape_digest(vars(model).values())
    assert fingerprint != shape_digest([model.Code])  # more than one class is in it
    cache = open_payer_cache(GatewaySettings(cache_namespace="pg"), GatewayMetrics(), [])
    assert cache.namespace == f"pg:{fingerprint}"  # every key and tag starts with it
