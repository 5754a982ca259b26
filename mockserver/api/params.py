"""Request parameters as the contract defines them, parsed into plain values (no HTTP here).

Connexion has already checked each value against the spec's schema; these functions still check
what they rely on, so the store is never fed something the contract forbids.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from course_users.fixtures.model import JOIN_STATUSES
from course_users.mockserver.data.store import DEFAULT_STATUSES
from course_users.mockserver.errors import BadParameter, TooLarge
from course_users.openapi.search_rule import NUL, split_terms

# Search limits. A search box holds a few words (the vendor's UI sends what a person typed); these
# are far above that, and far below what costs the mock: without them one 45 KB value of 8,000
# terms held the event loop for a second (issue #11). At the limits the worst search costs a few
# milliseconds even on a million-member course (benchmarks/results/soak-search.md).
MAX_SEARCH_CHARS = 1_000
MAX_SEARCH_TERMS = 50

_ALL_STATUSES = frozenset(JOIN_STATUSES)
_CHOICES = ", ".join(JOIN_STATUSES)


def parse_statuses(values: Sequence[str] | None) -> frozenset[str]:
    """The union of the statuses in every `statuses` value (a status or a JSON list of them).

    None (parameter absent) gives the contract's default statuses; `[]` contributes nothing.
    """
    if values is None:
        return DEFAULT_STATUSES
    selected: set[str] = set()
    for value in values:
        selected.update(_statuses_in(value))
    return frozenset(selected)


def parse_search(value: str | None) -> tuple[str, ...]:
    """The terms of a `search` value (`openapi.search_rule`); BadParameter if it holds NUL.

    DRF's CharField refuses null characters (PostgreSQL text cannot hold them), and the mock's
    search index relies on terms never holding one (`mockserver.data.search`). A value past
    MAX_SEARCH_CHARS characters or MAX_SEARCH_TERMS terms is TooLarge.
    """
    if value and len(value) > MAX_SEARCH_CHARS:
        raise TooLarge("search", len(value), "characters", MAX_SEARCH_CHARS)
    if value and NUL in value:
        raise BadParameter(
            "search", value, "contains a null character (U+0000), which PostgreSQL text cannot hold"
        )
    terms = split_terms(value)
    if len(terms) > MAX_SEARCH_TERMS:
        raise TooLarge("search", len(terms), "terms", MAX_SEARCH_TERMS)
    return terms


def is_json_list(value: str) -> bool:
    """True when a statuses value is written in the JSON-list form."""
    return value.lstrip().startswith("[")


def _statuses_in(value: str) -> list[str]:
    """The statuses one wire value names; BadParameter for anything else."""
    if not is_json_list(value):
        if value not in _ALL_STATUSES:
            raise BadParameter("statuses", value, not_a_status())
        return [value]
    try:
        parsed = json.loads(value)
    except ValueError:
        raise BadParameter("statuses", value, "is not valid JSON") from None
    if not isinstance(parsed, list):
        raise BadParameter("statuses", value, "is not a JSON list of statuses")
    for item in parsed:
        if not isinstance(item, str) or item not in _ALL_STATUSES:
            raise BadParameter("statuses", item, not_a_status())
    return parsed


def not_a_status() -> str:
    """What is wrong with a statuses value that names no status: one wording for every layer."""
    return f'is not one of {_CHOICES}, nor a JSON list of them (e.g. ["joined","manager"])'
