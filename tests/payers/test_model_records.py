"""The model's records, whose ``__init__`` stores through their slots (payers/model.py), behave as
the ``__init__`` ``dataclass(frozen=True)`` generates: same signature, same stored values, still
frozen, equal, hashable and picklable."""

from __future__ import annotations

import dataclasses
import inspect
import pickle
from typing import Any

import pytest

from payers import model

RECORDS = sorted(
    (c for c in vars(model).values() if isinstance(c, type) and dataclasses.is_dataclass(c)),
    key=lambda c: c.__name__,
)


def reference_init(cls: type) -> Any:
    """The ``__init__`` the dataclass machinery writes for ``cls``'s fields (built afresh)."""
    fields = [(f.name, Any, f) for f in dataclasses.fields(cls)]
    return dataclasses.make_dataclass(cls.__name__, fields, frozen=True, slots=True).__init__


def test_every_record_is_covered() -> None:
    assert len(RECORDS) >= 40
    # every record takes the quicker way: no object.__setattr__ per field
    slow = [c for c in RECORDS if "__setattr__" in c.__init__.__code__.co_names]
    assert slow == []
    assert "__setattr__" in reference_init(model.Code).__code__.co_names


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__name__)
def test_same_signature_and_values_as_the_generated_init(cls: type) -> None:
    fields = dataclasses.fields(cls)

    def shape(init: Any) -> list[tuple[str, Any, Any]]:
        # annotations are strings here and Any in the reference: compare names, kinds and defaults
        return [(p.name, p.kind, p.default) for p in inspect.signature(init).parameters.values()]

    assert shape(cls.__init__) == shape(reference_init(cls))
    values = [object() for _ in fields]
    by_position = cls(*values)
    by_name = cls(**{f.name: v for f, v in zip(fields, values, strict=True)})
    for f, value in zip(fields, values, strict=True):
        assert getattr(by_position, f.name) is value
        assert getattr(by_name, f.name) is value
    required = [f for f in fields if f.default is dataclasses.MISSING]
    only_required = cls(*values[: len(required)])
    for f in fields[len(required) :]:
        assert getattr(only_required, f.name) == f.default
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(by_position, fields[0].name, None)
    with pytest.raises(TypeError):
        cls(*values, None)  # one too many
    if required:
        with pytest.raises(TypeError):
            cls(*values[: len(required) - 1])
    with pytest.raises(TypeError):
        cls(*values[:1], **{fields[0].name: values[0]})  # given twice


def test_records_compare_hash_and_pickle_as_before() -> None:
    code = model.Code("carc", "45", "Charge exceeds fee schedule")
    adjustment = model.Adjustment(
        group=model.Code("adjustment-group", "CO", "Contractual"),
        reason=code,
        amount=model.Decimal("12.50"),
    )
    again = model.Adjustment(adjustment.group, code, model.Decimal("12.5"))
    assert adjustment == again and hash(adjustment) == hash(again)
    assert pickle.loads(pickle.dumps(adjustment)) == adjustment
    assert repr(adjustment).startswith("Adjustment(group=Code(system='adjustment-group'")
    assert adjustment.quantity is None and adjustment.remarks == ()
