"""Search matching: the n-gram index and the scan agree with the plain rule on random terms."""

from __future__ import annotations

import random

import numpy as np
import pytest

from mockserver import ngrams
from mockserver.search import SearchIndex

ALPHABET = "abcAB çÉéßẞ王芳ıİ-_.x😀"  # dotless i, sharp s and an emoji on purpose


def random_texts(rng: random.Random, count: int) -> list[str]:
    """Member texts `username\\treal name` over a small alphabet, so terms often match."""

    def word() -> str:
        return "".join(rng.choices(ALPHABET, k=rng.randint(0, 12)))

    return [f"{word()}\t{word()}" for _ in range(count)]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    """2,000 random member texts."""
    return random_texts(random.Random(3), 2000)


class TestSearchIndex:
    """Both matching paths against `term.upper() in text.upper()`."""

    @pytest.mark.parametrize("ngram_min_members", [1, 10**9], ids=["ngram", "scan"])
    def test_matches_the_plain_rule(self, texts, ngram_min_members):
        """1,500 random terms of 1-6 characters give exactly the brute-force members."""
        index = SearchIndex(texts, upper=True, ngram_min_members=ngram_min_members)
        rng = random.Random(5)
        for _ in range(1500):
            term = "".join(rng.choices(ALPHABET.replace(" ", ""), k=rng.randint(1, 6)))
            expected = [term.upper() in text.upper() for text in texts]
            assert index.matches(term).tolist() == expected, term

    @pytest.mark.parametrize(
        ("chunk", "int64_limit"),
        [(7, ngrams._INT64_LIMIT), (ngrams._CHUNK, 0)],
        ids=["tiny-build-chunks", "two-key-sort"],
    )
    def test_other_ngram_build_paths_match_the_plain_rule(
        self, texts, monkeypatch, chunk, int64_limit
    ):
        """Chunk boundaries everywhere, or the huge-alphabet sort, give the same members."""
        monkeypatch.setattr(ngrams, "_CHUNK", chunk)
        monkeypatch.setattr(ngrams, "_INT64_LIMIT", int64_limit)
        index = SearchIndex(texts, upper=True, ngram_min_members=1)
        rng = random.Random(6)
        for _ in range(500):
            term = "".join(rng.choices(ALPHABET.replace(" ", ""), k=rng.randint(1, 5)))
            expected = [term.upper() in text.upper() for text in texts]
            assert index.matches(term).tolist() == expected, term

    def test_terms_holding_whitespace_or_commas_are_scanned(self, texts):
        """Such windows are not indexed, yet a term holding one still finds its members."""
        index = SearchIndex([*texts, "a, b\tc d"], upper=True, ngram_min_members=1)
        for term in ("A B", "B C", "A, B", ", ", "\t"):
            expected = [term in text.upper() for text in [*texts, "a, b\tc d"]]
            assert index.matches(term).tolist() == expected, term

    def test_a_character_no_member_has_matches_nobody(self, texts):
        """A term with an unseen character is an empty list, not an error."""
        index = SearchIndex(texts, upper=True, ngram_min_members=1)
        assert not index.matches("Q").any()
        assert not index.matches("AQB").any()
        assert not index.matches("ABQCD").any()

    def test_case_sensitive_index_keeps_case(self, texts):
        """Without upper-casing, 'a' and 'A' find different members."""
        index = SearchIndex(texts, upper=False, ngram_min_members=1)
        assert index.matches("a").tolist() == ["a" in text for text in texts]
        assert not np.array_equal(index.matches("a"), index.matches("A"))

    def test_terms_never_span_the_two_fields(self):
        """'b\\tc' cannot match across username and real name; 'bc' spans nothing."""
        index = SearchIndex(["ab\tcd", "xbcx\ty"], upper=True, ngram_min_members=1)
        assert index.matches("bc").tolist() == [False, True]
        assert index.matches("BCD").tolist() == [False, False]

    def test_empty_course(self):
        """No members, no matches."""
        assert SearchIndex([], upper=True, ngram_min_members=0).matches("a").tolist() == []
