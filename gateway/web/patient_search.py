"""The patient search that Today and Patients share: the typed term kept server-side, never in a URL.

The term is PHI, so the form posts it, the portal keeps it in the stash under a random id and the
page is fetched again as ``<path>?search=<id>``. A birth date typed the US way is searched as ISO.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.web.formats import from_us_date
from gateway.web.visit import Visit

SEARCH = "search"


@dataclass(frozen=True, slots=True)
class KeptSearch:
    """What the page searches for (``term``), what the box shows (``typed``), and whether a
    search id in the URL no longer finds its term (expired, someone else's, forged)."""

    term: str = ""
    typed: str = ""
    expired: bool = False


async def keep_search(visit: Visit, path: str) -> str:
    """Keep the posted term and answer where to see its results (``path`` alone when empty)."""
    typed = str((await visit.request.form()).get("search", "")).strip()[:100]
    if not typed:
        return path
    born = from_us_date(typed)  # the API matches a birth date written as ISO 8601
    stash_id = await visit.portal.stash.put(
        SEARCH,
        str(visit.session.user_id),
        {"term": born.isoformat() if born else typed, "typed": typed},
    )
    return f"{path}?search={stash_id}"


async def kept_search(visit: Visit, stash_id: str | None, scopes: list[str]) -> KeptSearch:
    """The search kept under ``stash_id`` (the URL's ``search``) for this viewer, if they may search."""
    resumed = await visit.resumed_form()  # a search typed as the session expired, kept over login
    typed = (resumed or {}).get("search", [""])[0]
    if not stash_id or "phi:read" not in scopes:
        return KeptSearch(typed=typed)
    kept = await visit.portal.stash.get(SEARCH, stash_id, visit.session.user_id) or {}
    term = str(kept.get("term", ""))
    return KeptSearch(term=term, typed=str(kept.get("typed", term)), expired=not term)
