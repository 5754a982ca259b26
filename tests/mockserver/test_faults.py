"""Each test-only fault (`tests.faults`) makes the mock break the contract exactly as its name says.

One real mock process serves every fault: each fault is a proxy in front of it, run by uvicorn in
a thread of this process and started on first use (a process per fault would spend ~35 s of this
2-core machine importing Connexion). The mock itself has no fault switch.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.faults import FAULTS, FaultServers

ALL = json.dumps(["creator", "manager", "joined", "invited", "requested"])
AUTH = {"Authorization": "Bearer creator-token"}


@pytest.fixture(scope="module")
def faulty(mock_server, serve_app) -> Iterator[FaultServers]:
    """The origin of a faulty server per fault name, in front of the shared mock."""
    upstream = mock_server.base_url.removesuffix("/api/v2/")
    with FaultServers(upstream, serve_app).running() as servers:
        yield servers


@pytest.fixture(scope="module")
def fetch(faulty, http, page_schema_validator) -> Callable[..., httpx.Response]:
    """GET course 1's list (or `path`) on the server with the named fault; 200 bodies validated."""

    def get(fault: str, params=None, headers=AUTH, path: str = "course/1/users/") -> httpx.Response:
        response = http.get(f"{faulty[fault]}/api/v2/{path}", params=params, headers=headers)
        if response.status_code == 200:
            page_schema_validator.validate(response.json())
        return response

    return get


def ids(response: httpx.Response) -> list[int]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["results"]]


class TestFaults:
    """One test per fault: the contract's answer (from the oracle or the healthy mock) differs."""

    def test_ordering_ignored(self, fetch, oracle):
        """ordering=joined_at still comes newest first."""
        got = ids(
            fetch("ordering-ignored", {"ordering": "joined_at", "statuses": ALL, "limit": 50})
        )
        assert got == oracle.ids(1, ALL, ordering="-joined_at")[:50]

    def test_ordering_reversed(self, fetch, oracle):
        """ordering=joined_at comes newest first, -joined_at oldest first."""
        got = ids(
            fetch("ordering-reversed", {"ordering": "-joined_at", "statuses": ALL, "limit": 50})
        )
        assert got == oracle.ids(1, ALL, ordering="joined_at")[:50]

    def test_wrong_default_statuses(self, fetch, oracle):
        """No statuses parameter selects every status."""
        assert fetch("wrong-default-statuses").json()["count"] == len(oracle.ids(1, ALL))

    def test_json_statuses_ignored(self, fetch, oracle):
        """statuses=["invited"] is served as if absent (the default filter)."""
        response = fetch("json-statuses-ignored", {"statuses": '["invited"]'})
        assert response.json()["count"] == len(oracle.ids(1))

    def test_repeated_statuses_last_wins(self, fetch, oracle):
        """statuses=creator&statuses=invited selects only invited."""
        params = [("statuses", "creator"), ("statuses", "invited")]
        response = fetch("repeated-statuses-last-wins", params)
        assert response.json()["count"] == len(oracle.ids(1, ["invited"]))

    def test_offset_off_by_one(self, fetch, oracle):
        """offset=0 starts at the second member."""
        assert ids(fetch("offset-off-by-one", {"limit": 3})) == oracle.ids(1)[1:4]

    def test_limit_ignored(self, fetch):
        """limit=5 serves 20 items."""
        assert len(ids(fetch("limit-ignored", {"limit": 5}))) == 20

    def test_count_wrong(self, fetch):
        """count is the page size, not the filtered set's size."""
        assert fetch("count-wrong", {"limit": 5}).json()["count"] == 5

    def test_search_case_sensitive(self, fetch, oracle):
        """'ROSSI' no longer finds Marco Rossi."""
        assert len(oracle.ids(1, search="ROSSI")) >= 1
        assert fetch("search-case-sensitive", {"search": "ROSSI"}).json()["count"] == 0

    def test_search_username_only(self, fetch, oracle):
        """'Jürgen' (only in a real name) finds nobody."""
        assert oracle.ids(1, search="Jürgen") == [2]
        assert fetch("search-username-only", {"search": "Jürgen"}).json()["count"] == 0

    def test_search_any_term(self, fetch, oracle):
        """'giulia rossi' finds members with either term."""
        assert oracle.ids(1, ALL, search="giulia rossi") == []
        response = fetch("search-any-term", {"search": "giulia rossi", "statuses": ALL})
        assert response.json()["count"] >= 2

    def test_unstable_ties(self, fetch, oracle):
        """Members tied on joined_at come in a different order from one request to the next."""
        position = oracle.ids(1, ALL, ordering="joined_at").index(15)  # 15, 16, 17 are tied
        params = {"ordering": "joined_at", "statuses": ALL, "offset": position, "limit": 3}
        orders = {tuple(ids(fetch("unstable-ties", params))) for _ in range(12)}
        assert len(orders) > 1 and all(sorted(order) == [15, 16, 17] for order in orders)

    def test_nulls_in_middle(self, fetch, oracle):
        """Never-active members are placed among the active ones."""
        response = fetch(
            "nulls-in-middle", {"ordering": "last_active_at", "statuses": ALL, "limit": 100}
        )
        seen = []
        while True:
            body = response.json()
            seen += [item["last_active_at"] for item in body["results"]]
            if not body["next"]:
                break
            response = fetch("nulls-in-middle", path=body["next"].split("/api/v2/", 1)[1])
        first_null = seen.index(None)
        assert any(value is not None for value in seen[first_null:])

    def test_next_missing(self, fetch):
        """next is null on a first page that has more after it."""
        body = fetch("next-missing").json()
        assert body["count"] > 20 and body["next"] is None

    def test_next_wrong_offset(self, fetch):
        """next skips a row: offset 21 after a first page of 20."""
        body = fetch("next-wrong-offset").json()
        assert httpx.URL(body["next"]).params["offset"] == "21"

    def test_previous_wrong(self, fetch):
        """previous from offset 40 points at offset 40."""
        body = fetch("previous-wrong", {"offset": 40}).json()
        assert httpx.URL(body["previous"]).params["offset"] == "40"

    def test_past_end_404(self, fetch):
        """An offset past the end answers 404 instead of an empty page."""
        assert fetch("past-end-404", {"offset": 100000}).status_code == 404

    def test_forbidden_not_enforced(self, fetch):
        """A plain member gets the list."""
        response = fetch("forbidden-not-enforced", headers={"Authorization": "Bearer member-token"})
        assert response.status_code == 200

    def test_auth_not_enforced(self, fetch):
        """No token at all gets the list."""
        assert fetch("auth-not-enforced", headers={}).status_code == 200

    def test_www_authenticate_missing(self, fetch):
        """A 401 lacks the WWW-Authenticate header."""
        response = fetch("www-authenticate-missing", headers={})
        assert response.status_code == 401 and "www-authenticate" not in response.headers

    def test_missing_course_500(self, fetch):
        """An unknown course answers 500 instead of 404."""
        assert fetch("missing-course-500", path="course/999999/users/").status_code == 500

    def test_every_fault_has_a_test(self):
        """Each fault name has its test in this class."""
        names = {name.replace("-", "_") for name in FAULTS}
        assert names == {n.removeprefix("test_") for n in dir(self) if n.startswith("test_")} - {
            "every_fault_has_a_test"
        }
