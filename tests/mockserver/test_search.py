"""Search matching: the n-gram index and the scan agree with the plain rule on random terms.

Terms are what `openapi.search_rule.split_terms` can give: quoted phrases hold whitespace, commas,
tabs, newlines and quotes, so the random terms do too.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from course_users.mockserver.data import ngrams
from course_users.mockserver.data.search import SearchIndex

ALPHABET = "abcAB çÉéßẞ王芳ıİ-_.x😀"  # dotless i, sharp s and an emoji on purpose


def random_members(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """Members' (username, real name) over a small alphabet, so terms often match."""

    def word() -> str:
        return "".join(rng.choices(ALPHABET, k=rng.randint(0, 12)))

    return [(word(), word()) for _ in range(count)]


def found(term: str, members: list[tuple[str, ...]], upper: bool = True) -> list[bool]:
    """The plain rule: the term is a substring of one of the member's fields."""
    fold = str.upper if upper else str
    return [any(fold(term) in fold(field) for field in fields) for fields in members]


def assert_random_terms_agree(
    index: SearchIndex, members: list[tuple[str, str]], alphabet: str, *, count: int, seed: int
) -> None:
    """Random terms of 1-6 characters over `alphabet`: `index` finds the brute-force members."""
    rng = random.Random(seed)
    for _ in range(count):
        term = "".join(rng.choices(alphabet, k=rng.randint(1, 6)))
        expected = found(term, members)
        assert index.matches(term).tolist() == expected, repr(term)
        assert index.members(term).tolist() == np.flatnonzero(expected).tolist(), repr(term)


@pytest.fixture(scope="module")
def members() -> list[tuple[str, str]]:
    """2,000 random members."""
    return random_members(random.Random(3), 2000)


class TestSearchIndex:
    """Both matching paths against `term.upper() in field.upper()` for some field."""

    @pytest.mark.parametrize("ngram_min_members", [1, 10**9], ids=["ngram", "scan"])
    def test_matches_the_plain_rule(self, members, ngram_min_members):
        """1,000 random terms of 1-6 characters give exactly the brute-force members."""
        index = SearchIndex(members, upper=True, ngram_min_members=ngram_min_members)
        assert_random_terms_agree(index, members, ALPHABET.replace(" ", ""), count=1000, seed=5)

    @pytest.mark.parametrize(
        ("chunk", "int64_limit"),
        [(7, ngrams._INT64_LIMIT), (ngrams._CHUNK, 0)],
        ids=["tiny-build-chunks", "two-key-sort"],
    )
    def test_other_ngram_build_paths_match_the_plain_rule(
        self, members, monkeypatch, chunk, int64_limit
    ):
        """Chunk boundaries everywhere, or the huge-alphabet sort, give the same members."""
        monkeypatch.setattr(ngrams, "_CHUNK", chunk)
        monkeypatch.setattr(ngrams, "_INT64_LIMIT", int64_limit)
        index = SearchIndex(members, upper=True, ngram_min_members=1)
        assert_random_terms_agree(index, members, ALPHABET.replace(" ", ""), count=500, seed=6)

    def test_terms_holding_whitespace_or_commas_are_found(self, members):
        """Such windows are not indexed, yet a term holding one still finds its members."""
        with_phrase = [*members, ("a", "a, b\tc d")]
        index = SearchIndex(with_phrase, upper=True, ngram_min_members=1)
        for term in ("A B", "B C", "A, B", ", ", "\t", "B\tC D", " "):
            assert index.matches(term).tolist() == found(term, with_phrase), term

    def test_a_character_no_member_has_matches_nobody(self, members):
        """A term with an unseen character is an empty list, not an error."""
        index = SearchIndex(members, upper=True, ngram_min_members=1)
        assert not index.matches("Q").any()
        assert not index.matches("AQB").any()
        assert not index.matches("ABQCD").any()

    def test_case_sensitive_index_keeps_case(self, members):
        """Without upper-casing, 'a' and 'A' find different members."""
        index = SearchIndex(members, upper=False, ngram_min_members=1)
        assert index.matches("a").tolist() == found("a", members, upper=False)
        assert not np.array_equal(index.matches("a"), index.matches("A"))

    @pytest.mark.parametrize("ngram_min_members", [1, 10**9], ids=["ngram", "scan"])
    def test_terms_never_span_the_two_fields(self, ngram_min_members):
        """'b\\tc' cannot match across username and real name; 'bc' spans nothing."""
        members = [("ab", "cd"), ("xbcx", "y")]
        index = SearchIndex(members, upper=True, ngram_min_members=ngram_min_members)
        assert index.matches("bc").tolist() == [False, True]
        assert index.matches("BCD").tolist() == [False, False]
        for separator in ("\t", "\n", " ", ""):
            assert not index.matches(f"b{separator}c").tolist()[0], separator

    def test_empty_course(self):
        """No members, no matches."""
        assert SearchIndex([], upper=True, ngram_min_members=0).matches("a").tolist() == []


PHRASE_ALPHABET = "abAB ß王-, \t\n\"'"


@pytest.fixture(scope="module")
def phrase_members() -> list[tuple[str, str]]:
    """3,000 members whose real names hold separators, so phrases often match."""
    rng = random.Random(11)
    letters = "abAB ß王-_"  # usernames hold no whitespace, as the fixture schema says

    def word(alphabet: str) -> str:
        return "".join(rng.choices(alphabet, k=rng.randint(0, 12)))

    return [(word(letters), word(PHRASE_ALPHABET)) for _ in range(3000)]


class TestPhraseTerms:
    """Terms holding whitespace, commas, tabs, newlines or quotes, on fields that hold them too."""

    @pytest.mark.parametrize("ngram_min_members", [1, 10**9], ids=["ngram", "scan"])
    def test_random_phrases_match_the_plain_rule(self, phrase_members, ngram_min_members):
        """800 random phrase terms give exactly the brute-force members on both paths."""
        index = SearchIndex(phrase_members, upper=True, ngram_min_members=ngram_min_members)
        assert_random_terms_agree(index, phrase_members, PHRASE_ALPHABET, count=800, seed=12)

    def test_common_phrase_runs_take_the_scan_and_agree(self, phrase_members, monkeypatch):
        """Whether a phrase is scanned for or its candidates checked, the members are the same."""
        index = SearchIndex(phrase_members, upper=True, ngram_min_members=1)
        terms = ("A B", "B, A", "A\tB", "ß A", '"A B"', "A\nB")
        scanned = [index.members(term).tolist() for term in terms]
        monkeypatch.setattr(ngrams, "_PHRASE_SCAN_FRACTION", 2.0)
        assert [index.members(term).tolist() for term in terms] == scanned
        assert scanned == [np.flatnonzero(found(term, phrase_members)).tolist() for term in terms]

    @pytest.mark.parametrize("ngram_min_members", [1, 10**9], ids=["ngram", "scan"])
    def test_a_term_longer_than_every_field_matches_nobody(self, phrase_members, ngram_min_members):
        """The length bound answers at once, and rightly: such a term cannot be a substring."""
        index = SearchIndex(phrase_members, upper=True, ngram_min_members=ngram_min_members)
        assert index.members("a" * 100).tolist() == []
        assert not index.matches("a b" * 100).any()

    def test_newlines_inside_a_field_never_repeat_a_member(self):
        """A field holding newlines and the term several times still yields its member once."""
        members = [("x", "a\na\na b\na b"), ("a", "a b")] * 1000
        index = SearchIndex(members, upper=True, ngram_min_members=1)
        assert index.members(" ").tolist() == list(range(2000))
        assert index.members("A\nA").tolist() == list(range(0, 2000, 2))


class TestIntersection:
    """Two sorted posting lists' common members, as the n-gram index combines them."""

    @pytest.mark.parametrize(
        ("smaller", "other", "common"),
        [
            ([1, 4, 9], [0, 4, 5, 9, 12], [4, 9]),
            ([3, 20], [1, 2, 3], [3]),  # 20 lies past the end of the other list
            ([5], [], []),
            ([], [1, 2], []),
            ([0, 7], [1, 8], []),
        ],
    )
    def test_only_members_of_both_lists_remain(self, smaller, other, common):
        """Each member of the first list is kept exactly when the second holds it too."""
        found = ngrams.intersect(np.array(smaller, np.int32), np.array(other, np.int32))
        assert found.tolist() == common


class TestMostMembers:
    """The bound a search's cost is judged by before it runs (`SearchIndex.most_members`)."""

    @pytest.mark.parametrize("ngram_min_members", [1, 10**9], ids=["ngram", "scan"])
    def test_no_term_matches_more_members_than_its_bound(self, members, ngram_min_members):
        """For 500 random terms, phrases included, the members found never exceed the bound."""
        index = SearchIndex(members, upper=True, ngram_min_members=ngram_min_members)
        rng = random.Random(8)
        for _ in range(500):
            term = "".join(rng.choices(ALPHABET, k=rng.randint(1, 8)))
            assert len(index.members(term)) <= index.most_members(term), repr(term)

    def test_a_term_of_an_unknown_character_is_bounded_by_nobody(self, members):
        """A character no member has: nothing to look at."""
        index = SearchIndex(members, upper=True, ngram_min_members=1)
        assert index.most_members("#") == 0
