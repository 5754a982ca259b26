"""Fixtures for the mock's HTTP tests: a client, a schema check for 200 bodies, and an oracle.

The oracle recomputes the expected member list from the fixture file with plain `sorted()` and
`in`, independently of the store's indexes, so the tests compare two implementations. It splits
search values with the contract's one rule (`openapi.search_rule.split_terms`).

`write_fixture` writes a small fixture file from plain member rows, validated as the mock loads it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from openapi_schema_validator import OAS30Validator

from course_users.fixtures import DEFAULT_FIXTURES, Dataset, load_dataset
from course_users.openapi import load_spec
from course_users.openapi.search_rule import split_terms

PATH = "/course/{id}/users/"
Params = Sequence[tuple[str, str | int]] | dict[str, str | int] | None


@pytest.fixture(scope="session")
def page_schema_validator() -> OAS30Validator:
    """Validator for the operation's 200 body schema, from the bundled spec."""
    schema = load_spec()["paths"][PATH]["get"]["responses"]["200"]["content"]["application/json"]
    return OAS30Validator(schema["schema"], format_checker=OAS30Validator.FORMAT_CHECKER)


@pytest.fixture(scope="session")
def http() -> Iterator[httpx.Client]:
    """One HTTP client for the session (a new client per request costs ~50 ms of TLS setup)."""
    with httpx.Client(timeout=30) as client:
        yield client


@pytest.fixture(scope="session")
def get_page(http: httpx.Client, page_schema_validator: OAS30Validator) -> Callable[..., dict]:
    """GET a page, assert 200 and a body valid against the spec; return the body."""

    def get(
        url: str, params: Params = None, token: str = "creator-token", headers=None, **kwargs
    ) -> dict:
        headers = {**_auth(token), **(headers or {})}
        response = http.get(url, params=params, headers=headers, **kwargs)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        body = response.json()
        page_schema_validator.validate(body)
        return body

    return get


@pytest.fixture(scope="session")
def get_error(http: httpx.Client) -> Callable[..., httpx.Response]:
    """GET expecting an error: assert a one-line JSON detail and return the response."""

    def get(
        url: str, params: Params = None, token: str | None = "creator-token", **kwargs
    ) -> httpx.Response:
        headers = {**(_auth(token) if token else {}), **kwargs.pop("headers", {})}
        response = http.get(url, params=params, headers=headers, **kwargs)
        assert response.status_code >= 400, response.text
        assert response.headers["content-type"] == "application/json"
        detail = response.json()["detail"]
        assert detail and "\n" not in detail
        return response

    return get


def _auth(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


@dataclass(frozen=True)
class Row:
    """What the oracle knows of one member."""

    id: int
    username: str
    real_name: str
    status: str
    joined_at: datetime
    last_active_at: datetime | None


class Oracle:
    """The contract's rules, written the obvious way over the fixture dataset."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset

    def rows(self, course_id: int) -> list[Row]:
        users = self.dataset.users
        return [
            Row(
                m.user_id,
                users[m.user_id].username,
                users[m.user_id].real_name,
                m.join_status,
                m.joined_at,
                m.last_active_at,
            )
            for m in self.dataset.courses[course_id].members
        ]

    def ids(
        self,
        course_id: int,
        statuses: Sequence[str] = ("manager", "joined"),
        search: str = "",
        ordering: str = "-joined_at",
    ) -> list[int]:
        """Member ids the contract says the query returns, in order."""
        terms = split_terms(search)
        rows = [
            r
            for r in self.rows(course_id)
            if r.status in statuses
            and all(
                t.upper() in r.username.upper() or t.upper() in r.real_name.upper() for t in terms
            )
        ]
        field = ordering.lstrip("-")
        descending = ordering.startswith("-")
        rows.sort(key=lambda r: r.id)  # ties: id ascending, whatever the direction
        present = [r for r in rows if getattr(r, field) is not None]
        missing = [r for r in rows if getattr(r, field) is None]
        present.sort(key=lambda r: getattr(r, field), reverse=descending)
        ordered = missing + present if descending else present + missing
        return [r.id for r in ordered]


@pytest.fixture(scope="session")
def oracle() -> Oracle:
    """The oracle over the committed default dataset."""
    return Oracle(load_dataset(DEFAULT_FIXTURES))


@pytest.fixture(scope="session")
def walk(get_page: Callable[..., dict]) -> Callable[..., list[int]]:
    """Every member id of a query, in order, by following `next` links from the first page."""

    def ids(url: str, params: dict | None = None, limit: int = 100, **kwargs) -> list[int]:
        found: list[int] = []
        body = get_page(url, {**(params or {}), "limit": limit}, **kwargs)
        found += [item["id"] for item in body["results"]]
        while body["next"]:
            body = get_page(body["next"], **kwargs)
            found += [item["id"] for item in body["results"]]
        return found

    return ids


@dataclass(frozen=True)
class Person:
    """One member of a hand-written fixture: a user and their status in the course."""

    id: int
    username: str
    real_name: str
    join_status: str = "joined"


_FIXTURE_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


def write_fixture(
    path: Path, courses: Mapping[int, Sequence[Person]], tokens: Mapping[str, int]
) -> Path:
    """Write `courses` as a JSON fixture file at `path` and validate it as the mock will load it.

    Members join one second apart in the order given and were never active; a user in several
    courses must be the same Person in each. Raises FixtureError for an invalid dataset.
    """
    users = {person.id: person for members in courses.values() for person in members}
    document = {
        "users": [
            {"id": p.id, "username": p.username, "real_name": p.real_name, "avatar": None}
            for p in users.values()
        ],
        "courses": [
            {"id": course_id, "members": [_membership(p, at) for at, p in enumerate(members)]}
            for course_id, members in courses.items()
        ],
        "tokens": dict(tokens),
    }
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    load_dataset(path)
    return path


def _membership(person: Person, second: int) -> dict:
    joined = _FIXTURE_EPOCH + timedelta(seconds=second)
    return {
        "user": person.id,
        "join_status": person.join_status,
        "joined_at": joined.isoformat().replace("+00:00", "Z"),
        "last_active_at": None,
        "user_completion_rate": 0,
    }
