"""The contract's rules as pure functions: which members a filter selects, how they sort.

These encode the spec's words (search terms, statuses, orderings) so the checks can compute the
expected answer from the oracle without asking the server.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from course_users.openapi import search_rule
from course_users.openapi.contract import CONTRACT

# The spec's own values (`openapi.contract` reads them from the bundled spec): the suite judges a
# server by what the spec says, so it never keeps a copy that could fall behind.
JOIN_STATUSES: tuple[str, ...] = CONTRACT.join_statuses
STATUSES = CONTRACT.statuses  # by name, for checks that pick one (`STATUSES.joined`)
DEFAULT_STATUSES: tuple[str, ...] = CONTRACT.default_statuses
ORDERINGS: tuple[str, ...] = CONTRACT.orderings
DEFAULT_ORDERING: str = CONTRACT.default_ordering
MAX_LIMIT: int = CONTRACT.max_limit

Member = Mapping[str, Any]


@dataclass(frozen=True)
class Selection:
    """The members a filter selects: those every correct server lists, and those some may.

    `maybe` holds members whose match depends on how the database upper-cases (PostgreSQL's
    libc and ICU providers differ on ß, ﬁ and the like): a correct server may list them or not.
    """

    sure: frozenset[int]
    maybe: frozenset[int] = frozenset()

    @property
    def most(self) -> frozenset[int]:
        """Every member a correct server may list."""
        return self.sure | self.maybe

    @property
    def exact(self) -> bool:
        """True when every correct server lists the same members."""
        return not self.maybe


def search_terms(value: str | None) -> list[str]:
    """The search terms of a `search` value (decision search-rule: DRF's search_smart_split)."""
    return list(search_rule.split_terms(value))


def search_match(member: Member, value: str | None) -> search_rule.Match:
    """Whether a member matches `search` on every correct server, on none, or depending on it."""
    fields = tuple(str(member.get(field) or "") for field in CONTRACT.search_fields)
    return search_rule.match(fields, search_rule.split_terms(value))


def select(
    members: Iterable[Member], statuses: Iterable[str], search: str | None = None
) -> Selection:
    """The ids of the members whose join_status is among `statuses` and who match `search`."""
    wanted = set(statuses)
    sure: set[int] = set()
    maybe: set[int] = set()
    for member in members:
        if member.get("join_status") not in wanted:
            continue
        verdict = search_match(member, search)
        if verdict is search_rule.Match.YES:
            sure.add(member["id"])
        elif verdict is search_rule.Match.EITHER:
            maybe.add(member["id"])
    return Selection(frozenset(sure), frozenset(maybe))


@lru_cache(maxsize=4096)  # the same members' dates recur across pages and answers
def parse_datetime(value: str) -> datetime:
    """Parse an ISO 8601 date-time as the spec writes it (`2023-04-05T10:20:30Z`)."""
    return datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))


def ordering_key(ordering: str) -> tuple[str, bool]:
    """(field name, descending) for an ordering value such as `-last_active_at`."""
    return ordering.lstrip("-"), ordering.startswith("-")


def json_list(statuses: Iterable[str]) -> str:
    """The JSON-list wire form of statuses, as the vendor SDK sends it: `["joined","manager"]`."""
    return json.dumps(list(statuses), separators=(",", ":"))
