"""Bugs beyond the named faults, each injected by the faults' proxy in front of the real mock.

Each edit changes one thing on the way through, like a backend with one bug (or with one
legitimate difference, which must NOT fail the suite).
"""

from __future__ import annotations

import pytest

from course_users.conformance import run_suite
from tests.faults.proxy import Answer, Edit, FaultProxy, Incoming, Upstream, editing


def leak_members_in_403(request: Incoming, answer: Answer) -> None:
    """The 403 body carries the list it refused to show."""
    if answer.status == 403:
        answer.set_json({"detail": "Forbidden.", "results": [{"id": 1, "username": "x"}]})


def forbidden_before_missing(request: Incoming, answer: Answer) -> None:
    """Permissions are checked before the course is looked up: 403 for a missing course."""
    if answer.status == 404 and "member-token" in (request.header("authorization") or ""):
        answer.status = 403
        answer.set_json({"detail": "You do not have permission to perform this action."})


def html_not_found(request: Incoming, answer: Answer) -> None:
    """The framework's HTML error page instead of a JSON 404."""
    if answer.status == 404:
        answer.set_header("content-type", "text/html; charset=utf-8")
        answer.body = b"<h1>Not Found</h1>"


def drop_avatar(request: Incoming, answer: Answer) -> None:
    """A serializer that leaves out a null field instead of sending null."""
    if answer.status == 200:
        body = answer.json()
        for member in body["results"]:
            if member["avatar"] is None:
                del member["avatar"]
        answer.set_json(body)


def comma_form_as_list(query: str) -> str:
    """The backend splits statuses=joined,manager on commas instead of refusing it."""
    parts = []
    for item in query.split("&"):
        name, _, value = item.partition("=")
        if name == "statuses" and "%2C" in value and not value.startswith("%5B"):
            parts += [f"statuses={v}" for v in value.split("%2C")]
        else:
            parts.append(item)
    return "&".join(parts)


def offset_datetimes(request: Incoming, answer: Answer) -> None:
    """LEGITIMATE: date-times written with +00:00 and fractional seconds instead of Z."""
    if answer.status == 200:
        body = answer.json()
        for member in body["results"]:
            for field in ("joined_at", "last_active_at"):
                if member[field]:
                    member[field] = member[field].replace("Z", ".000000+00:00")
        answer.set_json(body)


def problem_json_errors(request: Incoming, answer: Answer) -> None:
    """LEGITIMATE: errors as RFC 9457 problem details, which the spec also allows."""
    if answer.status >= 400:
        detail = answer.json()["detail"]
        answer.set_header("content-type", "application/problem+json")
        answer.set_json({"type": "about:blank", "title": "Error", "status": answer.status,
                         "detail": detail})  # fmt: skip


def no_bug(request: Incoming, answer: Answer) -> None:
    """Forward unchanged."""


@pytest.fixture
def through(healthy_url, serve_app, settings_for):
    """Run the suite (seeded, small budget, some checks) through a proxy with one bug."""

    def run(edit: Edit, checks: tuple[str, ...], rewrite_query=lambda q: q):
        with serve_app(FaultProxy(editing(edit, rewrite_query), Upstream(healthy_url))) as root:
            settings = settings_for(root, seed=3, max_examples=10, checks=checks)
            return run_suite(settings)

    return run


class TestBugsBeyondTheFaultSwitches:
    def test_error_body_leaking_members_is_caught(self, through):
        """A 403 that still carries member data fails the error-body check."""
        report = through(leak_members_in_403, ("auth",))
        assert "auth.error_body_has_detail_no_members" in report.failed_names(), report.render()

    def test_403_before_404_is_caught(self, through):
        """Checking permissions before the course exists fails the order check."""
        report = through(forbidden_before_missing, ("auth",))
        assert report.failed_names() == ["auth.checks_in_order"], report.render()

    def test_html_error_page_is_caught(self, through):
        """An HTML 404 fails Schemathesis' content type check and the error-body check."""
        report = through(html_not_found, ("schema", "auth"))
        failed = report.failed_names()
        assert "schema.content_type_conformance" in failed, report.render()
        assert "auth.error_body_has_detail_no_members" in failed, report.render()

    def test_missing_field_is_caught_by_the_schema(self, through):
        """Leaving out a null avatar fails Schemathesis' response schema check."""
        report = through(drop_avatar, ("schema.response_schema_conformance",))
        assert report.failed_names() == ["schema.response_schema_conformance"], report.render()

    def test_comma_form_accepted_is_caught(self, through):
        """Splitting statuses=joined,manager on commas fails the comma-form check."""
        report = through(no_bug, ("filtering.comma_form_400",), comma_form_as_list)
        assert report.failed_names() == ["filtering.comma_form_400"], report.render()


class TestNoFalseAlarms:
    def test_proxy_itself_is_transparent(self, through):
        """Without a bug the proxied mock passes the auth and ordering checks."""
        report = through(no_bug, ("auth", "ordering"))
        assert report.passed, report.render()

    def test_offset_datetimes_pass_ordering(self, through):
        """+00:00 with microseconds is the same instant as Z: ordering checks compare instants."""
        report = through(offset_datetimes, ("ordering.monotonic", "ordering.default_is_-joined_at"))
        assert report.passed, report.render()

    def test_problem_json_errors_pass(self, through):
        """Errors as application/problem+json are accepted, as the spec allows."""
        report = through(problem_json_errors, ("auth", "schema.content_type_conformance"))
        assert report.passed, report.render()
