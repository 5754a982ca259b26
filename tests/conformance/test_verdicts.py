"""The pure verdicts the semantic checks apply to canned answers."""

from __future__ import annotations

import math

import pytest

from course_users.conformance import rules
from course_users.conformance.checks.auth import verdict_error_body
from course_users.conformance.checks.filtering import verdict_listing
from course_users.conformance.checks.ordering import (
    verdict_monotonic,
    verdict_nulls_contiguous,
    verdict_ties_by_id,
    verdict_walk,
)
from course_users.conformance.checks.pages import MAX_WALK_PAGES, Page, walk_window
from course_users.conformance.checks.paging import verdict_next_null
from course_users.conformance.client import Exchange


def member(member_id, joined_at="2023-01-01T00:00:00Z", last_active_at=None):
    return {"id": member_id, "joined_at": joined_at, "last_active_at": last_active_at}


def page(count, ids, next_url=None):
    return Page(Exchange("GET", "u", {}, 200), count, next_url, None, [member(i) for i in ids])


class TestMonotonic:
    def test_ascending_keys_pass(self):
        """Non-decreasing keys are monotonic for an ascending ordering."""
        items = [
            member(1, "2023-01-01T00:00:00Z"),
            member(2, "2023-01-01T00:00:00Z"),
            member(3, "2023-02-01T00:00:00Z"),
        ]
        assert verdict_monotonic(items, "joined_at") is None

    def test_step_backwards_names_both_members(self):
        """A later member with an earlier key is reported with its position."""
        items = [member(1, "2023-02-01T00:00:00Z"), member(2, "2023-01-01T00:00:00Z")]
        index, problem = verdict_monotonic(items, "joined_at")
        assert index == 1
        assert "member 1" in problem and "member 2" in problem

    def test_keys_compare_as_datetimes_not_strings(self):
        """09:00-02:00 is after 10:00Z although it sorts before it as a string."""
        items = [member(1, "2023-01-01T10:00:00Z"), member(2, "2023-01-01T09:00:00-02:00")]
        assert verdict_monotonic(items, "joined_at") is None
        assert verdict_monotonic(items, "-joined_at") is not None

    def test_nulls_are_ignored(self):
        """Null keys are the nulls check's business, not monotonicity's."""
        items = [
            member(1, last_active_at="2023-01-02T00:00:00Z"),
            member(2),
            member(3, last_active_at="2023-01-01T00:00:00Z"),
        ]
        assert verdict_monotonic(items, "-last_active_at") is None

    def test_unparsable_key_fails(self):
        """A key that is not a date-time is reported."""
        assert verdict_monotonic([member(1, "yesterday")], "joined_at") is not None


class TestNullsContiguous:
    def test_nulls_at_either_end_pass(self):
        """A null block first or last is accepted (other databases put it elsewhere)."""
        first = [member(1), member(2), member(3, last_active_at="2023-01-01T00:00:00Z")]
        assert verdict_nulls_contiguous(first, "last_active_at") is None
        assert verdict_nulls_contiguous(first[::-1], "last_active_at") is None

    def test_nulls_in_the_middle_fail(self):
        """A null between non-null values is reported with positions."""
        value = "2023-01-01T00:00:00Z"
        items = [member(1, last_active_at=value), member(2), member(3, last_active_at=value)]
        assert "positions [1]" in verdict_nulls_contiguous(items, "last_active_at")

    def test_split_null_blocks_fail(self):
        """Nulls at both ends are two blocks, not one."""
        value = "2023-01-01T00:00:00Z"
        items = [member(1), member(2, last_active_at=value), member(3)]
        assert verdict_nulls_contiguous(items, "last_active_at") is not None


class TestWalk:
    def test_each_member_once_passes(self):
        """Pages that partition the expected set pass."""
        assert verdict_walk({1, 2, 3}, [[1, 2], [3]]) is None

    def test_repeat_across_pages_names_the_pages(self):
        """A member on two pages is reported with both page numbers."""
        index, problem = verdict_walk({1, 2, 3}, [[1, 2], [2, 3]])
        assert index == 1
        assert "page 1 and again on page 2" in problem

    def test_skipped_member_is_reported(self):
        """A member no page lists is reported missing."""
        _, problem = verdict_walk({1, 2, 3}, [[1], [3]])
        assert "missing ids [2]" in problem


class TestNextNull:
    def test_next_null_on_last_page_passes(self):
        """next on every page but the one reaching count."""
        assert verdict_next_null([page(3, [1, 2], "n"), page(3, [3])], 0) is None

    def test_next_null_too_early_fails(self):
        """next=null while members remain is reported."""
        index, problem = verdict_next_null([page(3, [1, 2])], 0)
        assert index == 0 and "1 not listed yet" in problem

    def test_next_past_the_end_fails(self):
        """A next link on the page that reaches count is reported."""
        assert verdict_next_null([page(2, [1, 2], "n")], 0) is not None

    def test_start_offset_counts(self):
        """A walk starting at offset 2 reaches count 3 after one member."""
        assert verdict_next_null([page(3, [3])], 2) is None


def selection(sure, maybe=()):
    return rules.Selection(frozenset(sure), frozenset(maybe))


class TestListing:
    def test_partial_first_page_of_a_big_set_passes(self):
        """When the set is bigger than a page, a subset is fine."""
        assert verdict_listing(selection(range(150)), [list(range(100))], 100) is None

    def test_unexpected_member_fails(self):
        """A member outside the filter is reported."""
        assert "unexpected ids [999]" in verdict_listing(selection({1, 2}), [[1, 999]], 100)

    def test_unexpected_member_on_a_later_page_fails(self):
        """A member outside the filter is caught on any page, not only the first."""
        pages = [list(range(100)), [100, 101, 999]]
        assert "unexpected ids [999]" in verdict_listing(selection(range(150)), pages, 100)

    def test_missing_member_of_a_small_set_fails(self):
        """When everything fits on the page, a missing member is reported."""
        assert "missing ids [2]" in verdict_listing(selection({1, 2}), [[1]], 100)

    def test_repeated_member_fails(self):
        """The same member twice on a page is reported."""
        assert "repeated ids [1]" in verdict_listing(selection({1, 2}), [[1, 1, 2]], 100)

    def test_maybe_members_may_be_listed_or_not(self):
        """A member whose match depends on the database passes either way."""
        assert verdict_listing(selection({1}, {2}), [[1]], 100) is None
        assert verdict_listing(selection({1}, {2}), [[1, 2]], 100) is None
        assert "missing ids [1]" in verdict_listing(selection({1}, {2}), [[2]], 100)


class TestTiesById:
    def test_ties_in_id_order_pass(self):
        """Equal keys listed by ascending id pass, nulls included."""
        items = [member(3, "2023-01-01T00:00:00Z"), member(5, "2023-01-01T00:00:00+00:00")]
        items += [member(1, "2024-01-01T00:00:00Z"), member(2, "2024-01-01T00:00:00Z")]
        assert verdict_ties_by_id(items, "joined_at") is None
        assert verdict_ties_by_id([member(4), member(9)], "last_active_at") is None

    def test_ties_in_descending_id_order_fail(self):
        """Equal keys with the larger id first are reported, at the second member."""
        items = [member(1, "2022-01-01T00:00:00Z"), member(7), member(6)]
        found = verdict_ties_by_id(items, "-joined_at")
        assert found is not None and found[0] == 2 and "member 7 listed before member 6" in found[1]

    def test_different_keys_are_not_ties(self):
        """Members with different keys may come in any id order."""
        items = [member(9, "2023-01-01T00:00:00Z"), member(1, "2023-01-02T00:00:00Z")]
        assert verdict_ties_by_id(items, "joined_at") is None


def error(content_type, text, body):
    return Exchange("GET", "u", {}, 403, {"content-type": content_type}, text, body)


class TestErrorBody:
    def test_detail_json_passes(self):
        """DRF's {"detail": ...} with application/json passes."""
        assert verdict_error_body(error("application/json", "", {"detail": "No."})) is None

    def test_problem_json_passes(self):
        """RFC 9457 problem details are accepted too, as the spec allows."""
        body = {"type": "about:blank", "title": "Forbidden", "status": 403, "detail": "No."}
        assert verdict_error_body(error("application/problem+json", "", body)) is None

    def test_html_fails(self):
        """An HTML error page is reported by content type."""
        assert "content type" in verdict_error_body(error("text/html", "<h1>", None))

    def test_missing_detail_fails(self):
        """An error body without detail is reported."""
        assert verdict_error_body(error("application/json", "", {"error": "x"})) is not None

    def test_member_data_fails(self):
        """An error body that still carries results is reported."""
        body = {"detail": "No.", "results": [{"id": 1, "username": "a"}]}
        assert "member data" in verdict_error_body(error("application/json", "", body))

    def test_nested_member_object_fails(self):
        """A member object anywhere in the body is reported."""
        body = {"detail": "No.", "debug": {"user": {"id": 3, "username": "x"}}}
        assert "member data" in verdict_error_body(error("application/json", "", body))


class TestWalkFromOffset:
    def test_remaining_members_once_passes(self):
        """From offset 2 of 4, two distinct expected members pass."""
        assert verdict_walk({1, 2, 3, 4}, [[3], [4]], start=2) is None

    def test_short_walk_from_offset_fails(self):
        """From offset 1 of 4, two members are one too few."""
        assert "wanted 3" in verdict_walk({1, 2, 3, 4}, [[2], [3]], start=1)[1]


class TestWalkWindow:
    @pytest.mark.parametrize("size", [0, 1, 7, 256, 10_000])
    @pytest.mark.parametrize("picks", [(0, 0), (3, 1), (999, 777)])
    def test_walk_stays_within_budget(self, size, picks):
        """Any listing size gives a limit of at most 100 and a walk of at most 8 pages."""
        limit, offset = walk_window(size, *picks)
        assert 1 <= limit <= 100
        assert 0 <= offset <= max(size, 0)
        assert math.ceil(max(size - offset, 0) / limit) <= MAX_WALK_PAGES

    def test_small_listing_walks_from_zero(self):
        """A listing that fits the budget is walked whole when asked to start at zero."""
        assert walk_window(256, 0, 0, start_at_zero=True) == (32, 0)
