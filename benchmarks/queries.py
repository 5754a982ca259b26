"""The query mix: six requests a course dashboard makes, identical for every server.

Each query is a path relative to the API base (``/api/v2`` for the mock and the ceiling; Prism
serves the spec's paths without the server's base path, so its base is empty). All are sent with
``Authorization: Bearer manager-token`` (a manager of course 1 in every dataset).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

COURSE_ID = 1
TOKEN = "manager-token"
AUTH_HEADER = ("Authorization", f"Bearer {TOKEN}")
# A term a person would type into the dashboard's search box; common enough in Faker names
# (Maria, Mark, Omar, ...) that a large course has many matches to filter, sort and count.
SEARCH_TERM = "mar"
STATUSES_JSON = '["joined","invited"]'


@dataclass(frozen=True)
class Query:
    """One kind of request: a short name for tables and its path below the API base."""

    kind: str
    path: str


def _course_path(query: str = "") -> str:
    path = f"/course/{COURSE_ID}/users/"
    return f"{path}?{query}" if query else path


QUERY_MIX: tuple[Query, ...] = (
    Query("page", _course_path()),
    Query("offset", _course_path("limit=50&offset=100")),
    Query("search", _course_path(f"search={SEARCH_TERM}")),
    Query("statuses_json", _course_path("statuses=" + quote(STATUSES_JSON, safe=""))),
    Query("order_active", _course_path("ordering=last_active_at")),
    Query("page_100", _course_path("ordering=-joined_at&limit=100")),
)


def paths(base: str, queries: tuple[Query, ...] = QUERY_MIX) -> list[str]:
    """The full request paths of ``queries`` below ``base`` (e.g. ``/api/v2``)."""
    return [base.rstrip("/") + query.path for query in queries]
