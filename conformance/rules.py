"""The contract's rules as pure functions: which members a filter selects, how they sort.

These encode the spec's words (search terms, statuses, orderings) so the checks can compute the
expected answer from the oracle without asking the server.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

JOIN_STATUSES: tuple[str, ...] = ("creator", "manager", "joined", "invited", "requested")
DEFAULT_STATUSES: tuple[str, ...] = ("manager", "joined")
ORDERINGS: tuple[str, ...] = ("joined_at", "-joined_at", "last_active_at", "-last_active_at")
DEFAULT_ORDERING = "-joined_at"
MAX_LIMIT = 100

Member = Mapping[str, Any]


def search_terms(value: str | None) -> list[str]:
    """Split a search value into terms on whitespace and commas (DRF SearchFilter style)."""
    if not value:
        return []
    return value.replace(",", " ").split()


def matches_search(member: Member, value: str | None) -> bool:
    """Whether every term is a case-insensitive substring of the username or the real name."""
    username = str(member.get("username") or "").upper()
    real_name = str(member.get("real_name") or "").upper()
    return all(
        term.upper() in username or term.upper() in real_name for term in search_terms(value)
    )


def select(
    members: Iterable[Member], statuses: Iterable[str], search: str | None = None
) -> list[Member]:
    """The members whose join_status is among `statuses` and who match `search`."""
    wanted = set(statuses)
    return [m for m in members if m.get("join_status") in wanted and matches_search(m, search)]


def parse_datetime(value: str) -> datetime:
    """Parse an ISO 8601 date-time as the spec writes it (`2023-04-05T10:20:30Z`)."""
    return datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))


def ordering_key(ordering: str) -> tuple[str, bool]:
    """(field name, descending) for an ordering value such as `-last_active_at`."""
    return ordering.lstrip("-"), ordering.startswith("-")


def json_list(statuses: Iterable[str]) -> str:
    """The JSON-list wire form of statuses, as the vendor SDK sends it: `["joined","manager"]`."""
    return json.dumps(list(statuses), separators=(",", ":"))
