"""Plain leaf fields take a short way through execution (gateway/graphql/plain_leaves.py): what a
caller gets, errors and audit included, must equal graphql-core's own way, and no field that
carries authorization, audit or a resolver may ever take it."""

from __future__ import annotations

import enum
from datetime import date
from functools import partial
from typing import Any

import pytest
import strawberry
from graphql import is_object_type
from strawberry.extensions import FieldExtension
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types import Info

from gateway.graphql.caller_input import CallerInputExecutionContext
from gateway.graphql.context import RequestContext
from gateway.graphql.plain_leaves import (
    PLAN_KEY,
    PlainLeafExecutionContext,
    enum_names,
    mark_plain_leaves,
)
from gateway.graphql.schema import build_schema
from gateway.graphql.shaped_values import never_awaitable_enum
from gateway.identity import ROLE_SCOPES, Principal
from tests.gateway.conftest import Gateway


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


ColorEnum = strawberry.enum(Color, name="Color")


class Shade(enum.StrEnum):
    DARK = "dark"
    LIGHT = "light"


ShadeEnum = strawberry.enum(Shade, name="Shade")


class Other(enum.Enum):
    RED = "red"  # equal in value to Color.RED, but not a Color


async def _later(value: Any) -> Any:
    return value


class EvenOnly(BasePermission):
    message = "Odd counts are not shown."

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        count = source.count
        return isinstance(count, int) and count % 2 == 0


class Loud(FieldExtension):
    """Runs outside the permission check (last in the list): sees only allowed values."""

    def resolve(self, next_: Any, source: Any, info: Info, **kwargs: Any) -> Any:
        value = next_(source, info, **kwargs)
        seen = f"{info.path.key}@{info._raw_info.parent_type.name}"
        return f"{value}!{seen}".upper() if isinstance(value, str) else value


@strawberry.type
class Item:
    name: str
    nick: str | None
    count: int
    color: ColorEnum  # type: ignore[valid-type]
    day: date | None
    shade: ShadeEnum | None = None  # type: ignore[valid-type]
    # Attribute fields behind field extensions: strawberry's chain, prebuilt (guarded_fields.py).
    secret: str | None = strawberry.field(
        default="s", extensions=[PermissionExtension(permissions=[EvenOnly()]), Loud()]
    )
    ranks: list[int] | None = strawberry.field(
        default_factory=lambda: [1, 2], extensions=[PermissionExtension(permissions=[EvenOnly()])]
    )

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()


def _first_items() -> list[Item]:
    return [
        Item(name="a", nick=None, count=1, color=Color.RED, day=date(2024, 2, 29)),
        Item(name=None, nick="n", count=2, color=Color.BLUE, day=None),  # type: ignore[arg-type]
    ]


def _items() -> list[Item]:
    odd: list[Any] = [
        dict(name="c", nick=ValueError("x"), count=3, color=Color.RED, day="not a date"),
        dict(name="d", nick="d", count=4, color=Color.BLUE, day=_later(date(2024, 1, 1))),
        dict(name="e", nick="e", count=2**40, color=Color.BLUE, day=None),
        dict(name="f", nick="f", count=6, color="green", day=None),
        dict(name="g", nick="g", count=_later(None), color=Color.RED, day=_later(None)),
        # Enum leaves: another class's member, a plain value, a StrEnum's members and plain str.
        dict(name="h", nick="h", count=8, color=Other.RED, day=None, shade=Shade.DARK),
        dict(name="i", nick="i", count=9, color="red", day=None, shade="light"),
        dict(name="j", nick="j", count=10, color=Color.BLUE, day=None, shade=_later(Shade.LIGHT)),
        dict(name="k", nick="k", count=11, color=_later(Color.RED), day=None, shade="nope"),
    ]
    return [*_first_items(), *(Item(**values) for values in odd)]


@strawberry.type
class Query:
    @strawberry.field
    async def items(self) -> list[Item | None]:
        return _items()

    @strawberry.field
    def strict(self) -> list[Item] | None:
        return _first_items()  # the second one's null name nulls the whole list


EDGES = """query Edges($skip: Boolean!) {
  items { __typename count name color day other: nick nick ...F shout n2: name @skip(if: $skip) shade
          secret ranks s2: secret }
  strict { name count }
}
fragment F on Item { count color name }"""


def _schema(context_class: type) -> strawberry.Schema:
    schema = strawberry.Schema(query=Query, execution_context_class=context_class)
    mark_plain_leaves(schema._schema)
    return schema


def _answer(result: Any) -> tuple[Any, list[Any]]:
    return result.data, [error.formatted for error in result.errors or ()]


@pytest.mark.parametrize("skip", [True, False])
async def test_answers_and_errors_equal_graphql_cores_own(skip: bool) -> None:
    variables = {"skip": skip}
    short = await _schema(PlainLeafExecutionContext).execute(EDGES, variable_values=variables)
    own = await _schema(CallerInputExecutionContext).execute(EDGES, variable_values=variables)
    assert _answer(short) == _answer(own)
    assert list(short.data["items"][0]) == list(own.data["items"][0])  # the same key order
    # The cases above are all there: a null non-null, a value that is an exception, values that
    # do not serialize, awaitable attributes.
    guarded = {"secret", "ranks", "s2"}
    paths = {tuple(e["path"]) for e in _answer(short)[1]}
    denied = {("items", i, name) for i in (0, 2, 6, 8, 10) for name in guarded}  # odd or no count
    assert {path for path in paths if path[-1] in guarded} == denied
    assert short.data["items"][3]["secret"] == "S!SECRET@ITEM"
    assert short.data["items"][3]["s2"] == "S!S2@ITEM" and short.data["items"][3]["ranks"] == [1, 2]
    assert {path for path in paths if path[-1] not in guarded} == {
        ("items", 1, "name"),
        ("items", 2, "other"),
        ("items", 2, "nick"),
        ("items", 2, "day"),
        ("items", 4, "count"),
        ("items", 5, "color"),
        ("items", 6, "count"),
        ("items", 7, "color"),
        ("items", 10, "shade"),
        ("strict", 1, "name"),
    }
    assert short.data["items"][3]["day"] == "2024-01-01"
    assert [item and (item["color"], item["shade"]) for item in short.data["items"][7:]] == [
        None,  # Other.RED is no Color: the non-null color nulls the item
        ("RED", "LIGHT"),  # graphql-core looks plain values up too
        ("BLUE", "LIGHT"),
        ("RED", None),
    ]


def test_enum_leaves_skip_the_awaitable_check_only_when_no_member_can_be_awaitable() -> None:
    schema = _schema(PlainLeafExecutionContext)._schema
    color_type = schema.get_type("Color")
    enum_class, names = enum_names(color_type)  # type: ignore[arg-type]
    assert enum_class is Color and names == {Color.RED: "RED", Color.BLUE: "BLUE"}

    class Lazy(enum.Enum):
        A = "a"

        def __getattr__(self, name: str) -> Any:  # could answer __await__ for a member
            raise AttributeError(name)

    assert not never_awaitable_enum(Lazy)
    assert never_awaitable_enum(Shade) and never_awaitable_enum(Color)


def _strawberry_field(field_def: Any) -> Any:
    return (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)


def test_no_field_with_authorization_audit_or_a_resolver_skips_them() -> None:
    """Fields with a resolver or arguments go strawberry's way; attribute fields behind extensions
    take the short way only through those very extensions' resolve functions."""
    schema = build_schema()._schema
    plain, guarded, through_extensions = 0, 0, 0
    for named in schema.type_map.values():
        if not is_object_type(named) or named.name.startswith("__"):
            continue
        for field_def in named.fields.values():
            field = _strawberry_field(field_def)
            plan = (field_def.extensions or {}).get(PLAN_KEY)
            if field is not None and (field.extensions or field.base_resolver or field_def.args):
                guarded += 1
                if plan is None:
                    continue
                assert not field.base_resolver and not field_def.args, named.name
                assert plan.guard is not None, f"{named.name}: a guarded field skips its guard"
                assert _chain_functions(plan.guard.chain) == [
                    extension.resolve for extension in reversed(field.extensions)
                ]
                through_extensions += 1
            plain += plan is not None
    assert plain > 300 and guarded > 100  # the headline's leaves are plain; PHI fields are not
    assert 0 < through_extensions < guarded
    assert PLAN_KEY in schema.get_type("Benefit").fields["remaining"].extensions  # type: ignore[union-attr]
    member_id = schema.get_type("Coverage").fields["memberId"]  # type: ignore[union-attr]
    assert member_id.extensions[PLAN_KEY].guard is not None


def _chain_functions(chain: Any) -> list[Any]:
    """The extension functions of a prebuilt chain, outermost first."""
    functions = []
    while isinstance(chain, partial):
        functions.append(chain.func)
        chain = chain.args[0]
    return functions


HEADLINE = """query Summary($id: ID!) {
  patient(id: $id) {
    firstName lastName birthDate gender
    coverages { payer { id name } memberId priority }
    eligibility {
      payer { id } memberId active fromCache
      plan { name groupNumber }
      benefits { kind network coverageLevel amount percent remaining serviceTypes { code description } }
    }
    claims(status: ALL) {
      payer { id } patientKey
      claims { controlNumber payerClaimId totalCharge memberId status { state category { code description } } }
    }
    payments {
      payer { id }
      payments { traceNumber amount paymentDate
                 claims { controlNumber paid patientResponsibility memberId
                          adjustments { group { code } reason { code description } amount } } }
    }
  }
}"""


def _graphql_cores_way(schema: strawberry.Schema) -> strawberry.Schema:
    for named in schema._schema.type_map.values():
        if is_object_type(named):
            for field_def in named.fields.values():
                (field_def.extensions or {}).pop(PLAN_KEY, None)
    schema.execution_context_class = CallerInputExecutionContext  # no completion by shape either
    return schema


@pytest.mark.parametrize("role", ["biller", "analyst", "front_desk"])
async def test_the_headline_for_every_role_equals_graphql_cores_way_audit_included(
    gateway: Gateway, role: str
) -> None:
    """Denied fields are null with FORBIDDEN, allowed PHI reads are noted: the same either way."""
    principal = Principal(gateway.practice_id, f"{role}-1", "user", ROLE_SCOPES[role], role=role)
    variables = {"id": next(iter(gateway.patient_ids.values()))}
    short, own = build_schema(), _graphql_cores_way(build_schema())
    answers, reads = [], []
    for schema in (short, short, own):  # the first fills the payer-call cache: fetchedAt agrees
        context = RequestContext(services=gateway.services, principal=principal, request_id="r")
        answers.append(
            _answer(
                await schema.execute(HEADLINE, variable_values=variables, context_value=context)
            )
        )
        reads.append(context.audit.phi_reads())
    assert answers[1] == answers[2] and reads[1] == reads[2]
    data, errors = answers[1]
    assert data["patient"]["coverages"] and data["patient"]["claims"]
    denied = {tuple(p for p in e["path"] if isinstance(p, str)) for e in errors}
    assert {e["extensions"]["code"] for e in errors} <= {"FORBIDDEN"}
    assert denied == {("patient", *path.split(".")) for path in DENIED[role]}
    assert sorted(field for fields in reads[1].values() for field in fields) == sorted(READ[role])


PATIENT_PHI = ["Patient.birthDate", "Patient.firstName", "Patient.lastName"]
MEMBER_IDS = ["Claim.memberId", "Coverage.memberId", "EligibilityResult.memberId"]
#: What each role is denied in HEADLINE (paths without list indices), and the PHI fields it reads.
DENIED = {
    "biller": set(),
    "front_desk": {"payments"},
    "analyst": {
        "firstName",
        "lastName",
        "birthDate",
        "eligibility",
        "coverages.memberId",
        "claims.claims.memberId",
        "payments.payments.claims.memberId",
    },
}
READ = {
    "biller": sorted([*PATIENT_PHI, *MEMBER_IDS, "ClaimPayment.memberId"]),
    "front_desk": sorted([*PATIENT_PHI, *MEMBER_IDS]),
    "analyst": [],
}
