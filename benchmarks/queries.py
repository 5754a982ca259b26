"""The query mix: six requests a course dashboard makes, identical for every server.

Each query is a path relative to the API base (``/api/v2`` for the mock and the ceiling; Prism
serves the spec's paths without the server's base path, so its base is empty). All are sent with
``Authorization: Bearer manager-token`` (a manager of course 1 in every dataset).
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from functools import cache
from urllib.parse import quote

from course_users.openapi.contract import CONTRACT

COURSE_ID = 1
TOKEN = "manager-token"
AUTH_HEADER = ("Authorization", f"Bearer {TOKEN}")
# A term a person would type into the dashboard's search box; common enough in Faker names
# (Maria, Mark, Omar, ...) that a large course has many matches to filter, sort and count.
SEARCH_TERM = "mar"
STATUSES_JSON = json.dumps(
    [CONTRACT.statuses.joined, CONTRACT.statuses.invited], separators=(",", ":")
)
# Ordered by the item field `last_active_at`, ascending: nulls (never active) sort last.
ORDER_ACTIVE = "last_active_at"


@dataclass(frozen=True)
class Query:
    """One kind of request: a short name for tables and its path below the API base."""

    kind: str
    path: str
    # Each request searches a different term: the mock caches search answers, so a repeated
    # term measures the cache; distinct terms measure the scan a person typing causes.
    fresh_terms: bool = False


def _course_path(query: str = "") -> str:
    path = CONTRACT.path.format(id=COURSE_ID)
    return f"{path}?{query}" if query else path


SEARCH_FRESH = Query("search_fresh", _course_path("search=<distinct terms>"), fresh_terms=True)
QUERY_MIX: tuple[Query, ...] = (
    Query("page", _course_path()),
    Query("offset", _course_path("limit=50&offset=100")),
    Query("search", _course_path(f"search={SEARCH_TERM}")),
    Query("statuses_json", _course_path("statuses=" + quote(STATUSES_JSON, safe=""))),
    Query("order_active", _course_path(f"ordering={ORDER_ACTIVE}")),
    # The largest page, in the default order (named for the cap of the contract it was made for).
    Query(
        "page_100", _course_path(f"ordering={CONTRACT.default_ordering}&limit={CONTRACT.max_limit}")
    ),
)


# The query kinds of the scale run: the mix, each alone, plus searches that miss the cache.
SCALE_KINDS: tuple[Query, ...] = (*QUERY_MIX, SEARCH_FRESH)


def paths(base: str, queries: tuple[Query, ...] = QUERY_MIX, *, warmup: bool = False) -> list[str]:
    """The full request paths of ``queries`` below ``base`` (e.g. ``/api/v2``).

    A fresh-terms query expands to one path per distinct term; the warm-up gets other terms than
    the measured run, so the measured run cannot hit answers the warm-up cached.
    """
    root = base.rstrip("/")
    expanded: list[str] = []
    for query in queries:
        if query.fresh_terms:
            terms = fresh_terms()[0 if warmup else 1]
            expanded += [root + _course_path(f"search={term}") for term in terms]
        else:
            expanded.append(root + query.path)
    return expanded


@cache
def fresh_terms() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Distinct 3- to 5-letter fragments of common names, shuffled, split in two halves."""
    from faker.providers.person.en_US import Provider

    names = [*Provider.first_names, *Provider.last_names]
    fragments = {
        name.lower()[start : start + size]
        for name in names
        for size in (3, 4, 5)
        for start in range(len(name) - size + 1)
    }
    terms = sorted(term for term in fragments if re.fullmatch("[a-z]+", term))
    random.Random(20231101).shuffle(terms)  # fixed: every run sends the same terms
    half = len(terms) // 2
    return tuple(terms[:half]), tuple(terms[half:])
