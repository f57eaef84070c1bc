"""The in-process gateway over the sandbox payers, for the FHIR facts seen through GraphQL."""

from tests.gateway.conftest import gateway, people  # noqa: F401  (the fixtures)
