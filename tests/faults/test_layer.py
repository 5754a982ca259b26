"""The fault layer itself: its catalogue, its command line, and its bugs on a hand-built listing.

What each fault does to a real mock over HTTP is tests/mockserver/test_faults.py; that the
conformance suite catches each one is tests/conformance/test_against_mock.py.
"""

from __future__ import annotations

import subprocess
import sys

import httpx
import orjson
import pytest

from course_users.conformance.servers import ServerProcess, free_port, running
from course_users.fixtures.model import Course, Dataset
from course_users.mockserver.api.paging import RequestUrl, next_link
from course_users.mockserver.data.store import Query, Store
from tests.conftest import REPO
from tests.faults import FAULTS, FaultServers, UnknownFault, fault_app
from tests.faults.bugs import (
    any_term,
    case_sensitive,
    next_wrong_offset,
    nulls_in_middle,
    shuffle_ties,
    username_only,
)
from tests.mockserver.test_store import MEMBERS, USERS

AUTH = {"Authorization": "Bearer creator-token"}
ALL = frozenset({"creator", "manager", "joined", "invited", "requested"})


class TestCatalogue:
    """The fault names."""

    def test_there_are_21_faults(self):
        """The names common.md lists are all known."""
        assert len(FAULTS) == 21

    def test_unknown_fault(self):
        """An unknown name fails naming it and the known ones."""
        with pytest.raises(UnknownFault, match=r"^'nope' is not a fault name; use one of "):
            fault_app("nope", "http://127.0.0.1:1")

    def test_typo_in_code_is_caught(self):
        """Asking for a fault name that does not exist is an error, not a server without a bug."""
        with pytest.raises(UnknownFault):
            FaultServers("http://127.0.0.1:1", serve=lambda app: pytest.fail("served"))[
                "count-wrng"
            ]


def run_layer(*args: str) -> subprocess.CompletedProcess:
    """`python -m tests.faults` to completion (for usage that must fail before serving)."""
    return subprocess.run(
        [sys.executable, "-m", "tests.faults", *args],
        capture_output=True, text=True, timeout=60, cwd=REPO, check=False,
    )  # fmt: skip


class TestCommandLine:
    """`python -m tests.faults` as a developer runs it."""

    def test_unknown_fault_is_one_line(self):
        """An unknown fault exits 2 with one line naming the option and the value."""
        result = run_layer("--fault", "not-a-fault", "--upstream", "http://127.0.0.1:1")
        assert result.returncode == 2
        assert len(result.stderr.strip().splitlines()) == 1
        assert "--fault: 'not-a-fault'" in result.stderr
        assert result.stdout == ""

    def test_serves_exactly_the_named_fault(self, mock_server, tmp_path):
        """count-wrong in front of a real mock: count is the page size, limit is still obeyed."""
        port = free_port()
        upstream = mock_server.base_url.removesuffix("/api/v2/")
        command = [sys.executable, "-m", "tests.faults", "--fault", "count-wrong",
                   "--upstream", upstream, "--port", str(port)]  # fmt: skip
        layer = ServerProcess("fault layer", command, port, tmp_path / "layer.log")
        page_url = f"http://127.0.0.1:{port}/api/v2/course/1/users/?limit=5"
        with running(layer, page_url, headers=AUTH, cwd=REPO):
            body = httpx.get(page_url, headers=AUTH).json()
        healthy = httpx.get(mock_server.url("course/1/users/?limit=5"), headers=AUTH).json()
        assert len(body["results"]) == 5 and body["count"] == 5
        assert healthy["count"] > 5 and healthy["results"] == body["results"]


@pytest.fixture(scope="module")
def listing():
    """The store's listing (every status, a given ordering) of the hand-built six-member course."""
    store = Store(Dataset(users=USERS, courses={7: Course(7, MEMBERS)}, tokens={}, source="x"))

    def members(ordering: str = "-joined_at") -> list[dict]:
        query = Query(course_id=7, statuses=ALL, ordering=ordering, limit=100)
        return [orjson.loads(orjson.dumps(item)) for item in store.course(7).page(query).items]

    return members


def ids(members: list[dict]) -> list[int]:
    return [member["id"] for member in members]


def found(matches, members: list[dict], *terms: str) -> list[int]:
    return sorted(member["id"] for member in members if matches(member, terms))


class TestBugs:
    """Each recomputing bug on the store's own listing (moved from the store's variant rules)."""

    def test_nulls_in_middle_places_nulls_among_values(self, listing):
        """The nulls-in-middle bug puts nulls halfway between the values, not at an end."""
        order = nulls_in_middle(listing("last_active_at"), "last_active_at")
        assert ids(order) == [3, 5, 2, 4, 6, 1]

    def test_random_ties_keep_the_same_members(self, listing):
        """The unstable-ties bug shuffles ties only: same members, same key order."""
        seen = {tuple(ids(shuffle_ties(listing(), "-joined_at"))) for _ in range(40)}
        assert len(seen) > 1
        assert all(order[0] == 6 and order[-2:] == (2, 1) for order in seen)

    def test_case_sensitive_misses_other_case(self, listing):
        """The search-case-sensitive bug misses 'ANNA' in 'Anna Maria' but not 'Anna'."""
        assert found(case_sensitive, listing(), "Anna") == [3, 5]
        assert found(case_sensitive, listing(), "ANNA") == []

    def test_username_only_ignores_real_name(self, listing):
        """The search-username-only bug finds 'anna' only in usernames."""
        assert found(username_only, listing(), "anna") == [3]

    def test_any_term_ors_terms(self, listing):
        """The search-any-term bug matches members with either term."""
        assert found(any_term, listing(), "bob", "carla") == [4, 5]

    def test_wrong_offset_skips_one_row(self):
        """The next-wrong-offset bug skips one row."""
        url = RequestUrl("http", "mock:8000", "/api/v2/course/1/users/", "statuses=joined")
        page = {"next": next_link(url, offset=0, limit=20, count=50)}
        next_wrong_offset(None, page)  # type: ignore[arg-type]
        assert "offset=21" in page["next"]
