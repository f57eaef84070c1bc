"""Find codes by their code or by words of their description: what a claim form's pickers ask.

:func:`search` ranks the matches of one code system:

0. the code itself ("E11.9", "e119", "99213"),
1. codes starting with the text ("9921", "E11"), in code order,
2. descriptions holding every word of the text as a whole word ("type 2 diabetes"),
3. descriptions holding every word as the start of a word ("diab typ"), in code order.

Each table is indexed once, at import: codes sorted for prefix ranges, and an inverted index from
description words to entries with a sorted vocabulary for word-prefix ranges. A search is then a few
bisections and set intersections, not a scan of the table.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from payers.codesets import SYSTEMS
from payers.model import Code

_WORD = re.compile(r"[a-z0-9]+")
# Words that carry no meaning in a picker ("visit for established patient"): dropped from the text
# unless they are all it has.
_FILLERS = frozenset({"a", "an", "and", "at", "by", "for", "in", "of", "on", "or", "the", "to"})
EXACT, CODE_PREFIX, ALL_WORDS, WORD_PREFIXES = range(4)


def code_key(text: str) -> str:
    """A code compared without dots, spaces or case (X12 writes E119 for E11.9)."""
    return re.sub(r"[\s.]", "", text).upper()


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


@dataclass(frozen=True, slots=True)
class _Entry:
    key: str
    code: Code


class CodeIndex:
    """One code system's table, indexed for code prefixes and description words."""

    def __init__(self, system: str, table: Mapping[str, str]) -> None:
        self.system = system
        self._entries = sorted(
            (_Entry(code_key(code), Code(system, code, text)) for code, text in table.items()),
            key=lambda entry: entry.key,
        )
        self._keys = [entry.key for entry in self._entries]
        postings: dict[str, set[int]] = {}
        for position, entry in enumerate(self._entries):
            for word in words(entry.code.description):
                postings.setdefault(word, set()).add(position)
        self._postings = {word: frozenset(found) for word, found in postings.items()}
        self._vocabulary = sorted(self._postings)

    def _with_word(self, word: str) -> frozenset[int]:
        return self._postings.get(word, frozenset())

    def _with_word_prefix(self, prefix: str) -> set[int]:
        found: set[int] = set()
        at = bisect_left(self._vocabulary, prefix)
        while at < len(self._vocabulary) and self._vocabulary[at].startswith(prefix):
            found |= self._postings[self._vocabulary[at]]
            at += 1
        if not found and len(prefix) > 3 and prefix.endswith("s"):
            return self._with_word_prefix(prefix[:-1])  # "visits" finds "visit"
        return found

    def _with_code_prefix(self, key: str) -> range:
        start = bisect_left(self._keys, key)
        end = start
        while end < len(self._keys) and self._keys[end].startswith(key):
            end += 1
        return range(start, end)

    def search(self, text: str, limit: int) -> list[Code]:
        """Up to ``limit`` codes matching ``text``, best first (see the module's ranking)."""
        ranks: dict[int, int] = {}
        key = code_key(text)
        if key.isalnum():
            for position in self._with_code_prefix(key):
                ranks[position] = EXACT if self._keys[position] == key else CODE_PREFIX
        terms = words(text)
        terms = [t for t in terms if t not in _FILLERS] or terms
        if terms:
            every = _intersection(self._with_word_prefix(t) for t in terms)
            whole = _intersection(self._with_word(t) for t in terms)
            for position in every:
                rank = ALL_WORDS if position in whole else WORD_PREFIXES
                ranks[position] = min(rank, ranks.get(position, rank))
        best = sorted(ranks, key=lambda position: (ranks[position], position))
        return [self._entries[position].code for position in best[:limit]]


def _intersection(sets: Iterable[Iterable[int]]) -> set[int]:
    ordered = sorted((set(s) for s in sets), key=len)
    if not ordered:
        return set()
    result = ordered[0]
    for other in ordered[1:]:
        result &= other
        if not result:
            break
    return result


#: Every code system, indexed once when this module is imported.
INDEXES: Mapping[str, CodeIndex] = {
    system: CodeIndex(system, table) for system, table in SYSTEMS.items()
}


def search(system: str, text: str, limit: int = 20) -> list[Code]:
    """Codes of ``system`` matching ``text`` by code or description words, best first."""
    return INDEXES[system].search(text, limit)
