"""The search table (tests/data/search_table.yaml) as a fixture dataset for the backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from course_users.fixtures import JOIN_STATUSES, Course, Dataset, Membership, User

SEARCH_TABLE = Path(__file__).resolve().parents[1] / "data" / "search_table.yaml"
SEARCH_COURSE = 1
# The readiness probe's token (tests/examples/drf.py) is the search course's creator here.
SEARCH_TOKEN = "manager-token"


def load_search_table() -> dict[str, Any]:
    """The table: `members` of the course and `searches` with the ids per provider."""
    return yaml.safe_load(SEARCH_TABLE.read_text(encoding="utf-8"))


def search_dataset(rows: list[dict[str, Any]]) -> Dataset:
    """The table's members as course 1, with generated timestamps and every status in turn.

    Rows without a join_status take manager, joined, invited, requested in turn, so a search over
    all five statuses also proves every status is listed; the row marked creator is the creator.
    """
    start = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
    others = [status for status in JOIN_STATUSES if status != "creator"]
    members = []
    for index, row in enumerate(rows):
        joined = start + timedelta(hours=index)
        members.append(
            Membership(
                user_id=row["id"],
                join_status=row.get("join_status", others[index % len(others)]),
                joined_at=joined,
                last_active_at=None if index % 3 == 0 else joined + timedelta(days=index),
                user_completion_rate=(index * 7) % 101,
            )
        )
    creator = next(row["id"] for row in rows if row.get("join_status") == "creator")
    return Dataset(
        users={row["id"]: User(row["id"], row["username"], row["real_name"], None) for row in rows},
        courses={SEARCH_COURSE: Course(SEARCH_COURSE, tuple(members))},
        tokens={SEARCH_TOKEN: creator},
        source=str(SEARCH_TABLE),
    )
