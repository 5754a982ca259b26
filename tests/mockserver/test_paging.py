"""next/previous links and statuses parsing, as plain functions (no server)."""

from __future__ import annotations

import pytest

from course_users.mockserver.api.paging import RequestUrl, next_link, previous_link
from course_users.mockserver.api.params import parse_search, parse_statuses
from course_users.mockserver.errors import BadParameter

URL = RequestUrl("http", "mock:8000", "/api/v2/course/1/users/", "search=a+b&statuses=joined")
BASE = "http://mock:8000/api/v2/course/1/users/"


class TestNextLink:
    """The next page's URL."""

    def test_sets_limit_and_offset_keeping_others_sorted(self):
        """next carries limit and the next offset among the other parameters, keys sorted."""
        link = next_link(URL, offset=0, limit=20, count=50)
        assert link == BASE + "?limit=20&offset=20&search=a+b&statuses=joined"

    def test_none_at_the_end(self):
        """No next when this page reaches the end."""
        assert next_link(URL, offset=40, limit=10, count=50) is None


class TestPreviousLink:
    """The previous page's URL, like DRF."""

    def test_none_on_first_page(self):
        """previous is null at offset 0."""
        assert previous_link(URL, offset=0, limit=20) is None

    def test_previous_link_drops_offset_at_first_page(self):
        """An offset that would be 0 (or less) is dropped."""
        assert (
            previous_link(URL, offset=5, limit=20) == BASE + "?limit=20&search=a+b&statuses=joined"
        )

    def test_steps_back_one_page(self):
        """previous from offset 50 with limit 20 is offset 30."""
        assert "offset=30" in previous_link(URL, offset=50, limit=20)

    def test_repeated_parameters_keep_their_order(self):
        """Repeated statuses keep their order; the JSON form is percent-encoded."""
        url = RequestUrl("https", "h", "/p/", 'statuses=manager&statuses=["joined"]&offset=9')
        assert previous_link(url, offset=9, limit=3) == (
            "https://h/p/?limit=3&offset=6&statuses=manager&statuses=%5B%22joined%22%5D"
        )


class TestParseStatuses:
    """The three wire forms and their union."""

    @pytest.mark.parametrize(
        ("values", "expected"),
        [
            (None, {"manager", "joined"}),
            (["joined"], {"joined"}),
            (['["invited", "requested"]'], {"invited", "requested"}),
            (["creator", '["joined"]'], {"creator", "joined"}),
            (["[]"], set()),
            (["[]", "invited"], {"invited"}),
        ],
    )
    def test_union(self, values, expected):
        """Each value contributes its statuses; absent means the default."""
        assert parse_statuses(values) == expected

    @pytest.mark.parametrize(
        "value", ["bogus", "joined,manager", '["joined"', '{"a": 1}', "[1]", "[[]]"]
    )
    def test_bad_value(self, value):
        """Anything else is a BadParameter naming statuses."""
        with pytest.raises(BadParameter) as raised:
            parse_statuses([value])
        assert raised.value.detail.startswith("statuses:")


class TestParseSearch:
    """Search terms split like DRF 3.15+'s SearchFilter (`openapi.search_rule`)."""

    @pytest.mark.parametrize(
        ("search", "terms"),
        [
            (None, ()),
            ("", ()),
            ("  ", ()),
            ("a b", ("a", "b")),
            ("a,b ,, c", ("a", "b", "c")),
            ('"maria rossi" x', ("maria rossi", "x")),
            ('"rossi, maria"', ("rossi, maria",)),
            ("'", ()),
            ('x"a b"y', ('x"a b"y',)),
        ],
    )
    def test_split(self, search, terms):
        """Whitespace and commas separate terms, quoted phrases stay whole; blanks give none."""
        assert parse_search(search) == terms

    @pytest.mark.parametrize("search", ["\x00", "a\x00b", '"a\x00"'])
    def test_null_character_is_a_bad_parameter(self, search):
        """A NUL anywhere in the value is a BadParameter naming search, in one line."""
        with pytest.raises(BadParameter) as raised:
            parse_search(search)
        assert raised.value.detail.startswith("search:")
        assert "\n" not in raised.value.detail and "\x00" not in raised.value.detail
