"""The search rule over HTTP: DRF 3.15+ splitting, field and member boundaries, NUL refused.

Course 1 holds a few tricky members and is small enough to be scanned; course 2 holds the same
members (joined) plus enough invited ones to get the n-gram index (`mockserver.data.search`), so
with the default statuses both courses must give the same answers, and the oracle's.
"""

from __future__ import annotations

import json
import random

import pytest

from course_users.fixtures import load_dataset
from course_users.mockserver.data.search import NGRAM_MIN_MEMBERS
from tests.mockserver.conftest import Oracle, Person, write_fixture

TOKEN = "rule-creator-token"
ALL = ["creator", "manager", "joined", "invited", "requested"]
CREATOR = Person(1, "course-creator", "Course Creator", "creator")
TRICKY = [
    Person(2, "giulia-bianchi", "Giulia Bianchi"),
    Person(3, "marco_rossi", "Maria Rossi"),
    Person(4, "rossi-m", "Rossi, Maria"),
    Person(5, "tab-user", "Tab\tInside"),
    Person(6, "line-user", "Line\nBreak"),
    Person(7, "quote-user", 'Say x"a b"y'),
    Person(8, "obrien", "Tom O'Brien"),
    Person(9, "strasse", "Anna Straße", "manager"),
]
SEARCHES = [
    '"maria rossi"',
    "maria rossi",
    '"rossi, maria"',
    "rossi,maria",
    "'",
    '""',
    'x"a b"y',
    "O'Brien",
    "'O Brien'",
    '"giulia-bianchi\tGiulia"',
    '"giulia-bianchi Giulia"',
    '"i\tg"',
    '"bianchi\nmarco"',
    '"tab\tinside"',
    '"line\nbreak"',
    '"ne\nbr" tab',
    '" "',
    '","',
    '"\t"',
    '"a r"',
    '"ma ro"',
    '"a, m"',
    "ß",
    '"anna strasse"',
]


def _fillers(count: int) -> list[Person]:
    """Invited members with ordinary names (spaces, commas), so the n-gram index is realistic."""
    rng = random.Random(21)
    words = ["maria", "rossi", "anna", "marco", "bianchi", "tab", "line", "o'brien", "straße"]
    return [
        Person(
            100 + i,
            f"filler-{i}",
            " ".join(rng.choices(words, k=rng.randint(1, 3))) + rng.choice(["", ",", " jr"]),
            "invited",
        )
        for i in range(count)
    ]


@pytest.fixture(scope="module")
def rule_fixture(tmp_path_factory) -> str:
    """The fixture file: course 1 scanned, course 2 n-gram indexed."""
    path = tmp_path_factory.mktemp("search-rule") / "rule.json"
    courses = {
        1: [CREATOR, *TRICKY],
        2: [CREATOR, *TRICKY, *_fillers(NGRAM_MIN_MEMBERS)],
    }
    return str(write_fixture(path, courses, {TOKEN: CREATOR.id}))


@pytest.fixture(scope="module")
def rule_mock(start_mock, rule_fixture):
    """A mock serving the rule fixture."""
    return start_mock("--fixtures", rule_fixture, "--log-level", "warning")


@pytest.fixture(scope="module")
def rule_oracle(rule_fixture) -> Oracle:
    """The oracle over the rule fixture."""
    return Oracle(load_dataset(rule_fixture))


@pytest.fixture(scope="module")
def search_ids(rule_mock, walk):
    """`ids(search, course=1, statuses=None)`: the member ids a search returns, in order."""

    def ids(search: str, course: int = 1, statuses: list[str] | None = None) -> list[int]:
        params = {"search": search}
        if statuses is not None:
            params["statuses"] = json.dumps(statuses)
        return walk(rule_mock.url(f"course/{course}/users/"), params, token=TOKEN)

    return ids


def _sorted_ids(search_ids, search: str) -> list[int]:
    return sorted(search_ids(search))


class TestSplitting:
    """Search values are cut into terms as DRF 3.15+'s search_smart_split does."""

    def test_quoted_phrase_is_one_term(self, search_ids):
        """'"maria rossi"' finds only the member holding the phrase; unquoted, both members."""
        assert _sorted_ids(search_ids, '"maria rossi"') == [3]
        assert _sorted_ids(search_ids, "maria rossi") == [3, 4]

    def test_comma_inside_quotes_stays_in_the_term(self, search_ids):
        """'"rossi, maria"' is one term; unquoted, the comma splits it in two."""
        assert _sorted_ids(search_ids, '"rossi, maria"') == [4]
        assert _sorted_ids(search_ids, "rossi,maria") == [3, 4]

    @pytest.mark.parametrize("search", ["'", '""', ",,, ,"])
    def test_empty_terms_filter_nothing(self, search_ids, search):
        """A lone quote, an empty phrase or bare commas leave every member in."""
        assert _sorted_ids(search_ids, search) == [2, 3, 4, 5, 6, 7, 8, 9]

    def test_unquoted_token_keeps_its_inner_whitespace(self, search_ids):
        """'x"a b"y' is one term, space included."""
        assert _sorted_ids(search_ids, 'x"a b"y') == [7]


class TestBoundaries:
    """A term is a substring of one field of one member, never of two joined."""

    @pytest.mark.parametrize("course", [1, 2], ids=["scan", "ngram"])
    @pytest.mark.parametrize(
        "search", ['"giulia-bianchi\tGiulia"', '"giulia-bianchi Giulia"', '"i\tg"', '"i\ng"']
    )
    def test_phrase_never_straddles_username_and_real_name(self, search_ids, course, search):
        """The end of a username and the start of the real name do not make a match."""
        assert search_ids(search, course) == []

    @pytest.mark.parametrize("course", [1, 2], ids=["scan", "ngram"])
    def test_phrase_never_straddles_two_members(self, search_ids, course):
        """One member's real name and the next one's username do not make a match."""
        assert search_ids('"bianchi\nmarco"', course) == []
        assert search_ids('"bianchi marco_rossi"', course) == []

    @pytest.mark.parametrize("course", [1, 2], ids=["scan", "ngram"])
    def test_tab_and_newline_inside_a_field_match(self, search_ids, course):
        """A phrase holding a tab or newline finds the real name that holds it."""
        assert search_ids('"tab\tinside"', course) == [5]
        assert search_ids('"line\nbreak"', course) == [6]


class TestNullCharacter:
    """A search holding NUL is refused, as DRF's CharField does."""

    @pytest.mark.parametrize("course", [1, 2], ids=["scan", "ngram"])
    @pytest.mark.parametrize("search", ["a\x00b", "\x00", '"maria\x00rossi"'])
    def test_is_400_naming_search(self, rule_mock, get_error, course, search):
        """The 400's one-line detail names the search parameter."""
        url = rule_mock.url(f"course/{course}/users/")
        response = get_error(url, {"search": search}, token=TOKEN)
        assert response.status_code == 400
        assert response.json()["detail"].startswith("search:")


class TestScanAndNgramAgree:
    """The small course's scan and the big course's n-gram index give identical answers."""

    @pytest.mark.parametrize("search", SEARCHES, ids=ascii)
    def test_same_members_in_the_same_order(self, search_ids, rule_oracle, search):
        """With the default statuses both courses return exactly the oracle's members."""
        expected = rule_oracle.ids(1, search=search)
        assert search_ids(search, 1) == expected
        assert search_ids(search, 2) == expected

    @pytest.mark.parametrize("search", SEARCHES, ids=ascii)
    def test_big_course_matches_the_oracle_over_every_member(self, search_ids, rule_oracle, search):
        """Over every status, fillers included, the n-gram course returns the oracle's members."""
        assert search_ids(search, 2, ALL) == rule_oracle.ids(2, ALL, search)
