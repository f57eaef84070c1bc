"""The portal's navigation: each screen and the scope a viewer needs for it to be offered."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class NavItem:
    label: str
    path: str
    needs: frozenset[str]  # every one of these scopes; the API enforces them anyway


#: In the order of a front desk's day. Screens other helpers add register here with their path.
NAV = (
    NavItem("Today", "/", frozenset({"patients:read"})),
    NavItem("Schedule", "/schedule", frozenset({"patients:read", "phi:read"})),
    NavItem("Patients", "/patients", frozenset({"patients:read", "phi:read"})),
    NavItem("Batches", "/batches", frozenset({"eligibility:batch"})),
    NavItem("New claim", "/claims/new", frozenset({"claims:write"})),
    NavItem("Claims", "/claims", frozenset({"claims:read"})),
    NavItem("Payments", "/payments", frozenset({"payments:read"})),
    NavItem("Money", "/money", frozenset({"payments:read"})),
    NavItem("Denials", "/denials", frozenset({"payments:read", "claims:read"})),
    NavItem("Remittances", "/remittances", frozenset({"payments:read"})),
    NavItem("Export", "/exports", frozenset({"history:export"})),
    NavItem("Payers", "/payers", frozenset()),
    NavItem("Admin", "/admin", frozenset({"users:manage"})),
)


def nav_for(scopes: Iterable[str]) -> list[NavItem]:
    """The items this viewer may use (an item whose screen needs a scope they lack is not shown)."""
    held = frozenset(scopes)
    return [item for item in NAV if item.needs <= held]


def current_item(path: str) -> str:
    """The path of the nav item a page belongs to (longest matching prefix)."""
    best = "/"
    for item in NAV:
        if item.path != "/" and (path == item.path or path.startswith(item.path + "/")):
            if len(item.path) > len(best):
                best = item.path
    return best
