"""The defaults checks: green against the real mock, red through a proxy with one bug each.

Each bug is the faults' proxy (`tests.faults.proxy`) rewriting one thing on the way to or from
the mock.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest

from course_users.conformance import run_suite
from tests.conformance.test_more_bugs import no_bug
from tests.faults.proxy import Answer, Edit, FaultProxy, Incoming, Upstream, editing

DEFAULTS = ("defaults",)


def _query_without(query: str, *names: str) -> list[tuple[str, str]]:
    return [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k not in names]


def default_limit_10(query: str) -> str:
    """The backend's default page size is 10, not 20."""
    pairs = parse_qsl(query, keep_blank_values=True)
    if not any(key == "limit" for key, _ in pairs):
        pairs.append(("limit", "10"))
    return urlencode(pairs)


def default_offset_1(query: str) -> str:
    """Without an offset the backend starts at the second member."""
    pairs = parse_qsl(query, keep_blank_values=True)
    if not any(key == "offset" for key, _ in pairs):
        pairs.append(("offset", "1"))
    return urlencode(pairs)


def previous_with_offset_0(request: Incoming, answer: Answer) -> None:
    """The `previous` link back to the first page says offset=0 instead of leaving it out."""
    if answer.status == 200:
        body = answer.json()
        previous = body.get("previous")
        if previous and "offset=" not in previous:
            body["previous"] = previous + "&offset=0"
            answer.set_json(body)


def two_creators(request: Incoming, answer: Answer) -> None:
    """statuses=creator lists a second, made-up creator."""
    if answer.status == 200 and request.query.last("statuses") == "creator":
        body = answer.json()
        if body["results"]:
            body["results"].append({**body["results"][0], "id": 999_999})
            body["count"] += 1
            answer.set_json(body)


def local_datetimes(request: Incoming, answer: Answer) -> None:
    """Date-times in the server's local zone (+02:00) instead of UTC."""
    if answer.status == 200:
        body = answer.json()
        for member in body["results"]:
            if member["joined_at"]:
                member["joined_at"] = member["joined_at"].replace("Z", "+02:00")
        answer.set_json(body)


def links_without_limit(request: Incoming, answer: Answer) -> None:
    """LEGITIMATE: links leave out the limit the request left out (the default applies again)."""
    if answer.status == 200 and not request.query.values("limit"):
        body = answer.json()
        for key in ("next", "previous"):
            if body.get(key):
                parts = urlsplit(body[key])
                body[key] = urlunsplit(
                    parts._replace(query=urlencode(_query_without(parts.query, "limit")))
                )
        answer.set_json(body)


@pytest.fixture
def through(healthy_url, serve_app, settings_for):
    """Run the defaults checks (seeded, small budget) through a proxy with one bug."""

    def run(edit: Edit = no_bug, rewrite_query=lambda q: q, checks=DEFAULTS):
        with serve_app(FaultProxy(editing(edit, rewrite_query), Upstream(healthy_url))) as root:
            return run_suite(settings_for(root, seed=5, max_examples=15, checks=checks))

    return run


class TestAgainstTheMock:
    def test_offset_utc_datetimes_pass(self, through):
        """`+00:00` with microseconds is UTC too: only the time zone is judged, not the suffix."""
        from tests.conformance.test_more_bugs import offset_datetimes

        report = through(offset_datetimes, checks=("defaults.datetimes_utc",))
        assert report.passed, report.render()

    @pytest.mark.parametrize("seed", [1, 2])
    def test_defaults_pass_on_the_mock(self, healthy_url, settings_for, seed):
        """The real mock passes every defaults check."""
        report = run_suite(settings_for(healthy_url, seed=seed, checks=DEFAULTS))
        assert report.passed, report.render()
        assert len(report.results) == 5

    def test_links_without_the_default_limit_pass(self, through):
        """Links that leave the default limit out are as correct as links that carry it."""
        report = through(links_without_limit)
        assert report.passed, report.render()


class TestOneBugEach:
    def test_default_limit_other_than_the_spec_is_caught(self, through):
        """A default page size of 10 fails defaults.limit_default."""
        report = through(rewrite_query=default_limit_10)
        assert "defaults.limit_default" in report.failed_names(), report.render()

    def test_default_offset_other_than_0_is_caught(self, through):
        """Starting at offset 1 without an offset fails defaults.offset_default."""
        report = through(rewrite_query=default_offset_1)
        assert "defaults.offset_default" in report.failed_names(), report.render()

    def test_previous_with_offset_0_is_caught(self, through):
        """A previous link carrying offset=0 fails only defaults.previous_omits_zero_offset."""
        report = through(previous_with_offset_0)
        assert report.failed_names() == ["defaults.previous_omits_zero_offset"], report.render()

    def test_local_time_zone_is_caught(self, through):
        """Date-times written with a +02:00 offset fail only defaults.datetimes_utc."""
        report = through(local_datetimes)
        assert report.failed_names() == ["defaults.datetimes_utc"], report.render()

    def test_second_creator_is_caught(self, through):
        """Two members listed as creator fail defaults.one_creator."""
        report = through(two_creators)
        assert "defaults.one_creator" in report.failed_names(), report.render()
