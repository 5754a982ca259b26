"""A battery of dashboard requests, and the facts of their answers, to compare two mocks by."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

AUTH = {"Authorization": "Bearer creator-token"}
# Pages, filters, orderings and searches: what a dashboard asks, on every course.
BATTERY = [
    (course, params)
    for course in (1, 2, 3)
    for params in (
        {},
        {"limit": "7", "offset": "3"},
        {"ordering": "-last_active_at", "limit": "100"},
        {"statuses": '["joined","invited"]', "ordering": "joined_at"},
        {"search": "ma", "limit": "100"},
        {"search": "ma ro", "ordering": "last_active_at"},
        {"statuses": "creator"},
    )
]


def answers(base_url: str) -> list[tuple]:
    """Status, count, ids and the links' query of each battery request, each on a new connection."""
    found = []
    for course, params in BATTERY:
        response = httpx.get(f"{base_url}course/{course}/users/", params=params, headers=AUTH)
        body = response.json()
        links = [None if link is None else link.split("?", 1)[-1] for link in _links(body)]
        found.append((response.status_code, body.get("count"), _ids(body), *links))
    return found


def _links(body: dict) -> list[str | None]:
    return [body.get("next"), body.get("previous")]


def _ids(body: dict) -> list[int]:
    return [item["id"] for item in body.get("results", [])]


def eventually(check: Callable[[], bool], timeout: float = 60.0) -> bool:
    """Poll `check` until it holds or `timeout` passes (a loaded machine reloads slowly)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False
