"""The contract's rules: search terms, member matching, selection and date-times."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from conformance import rules

JOSE = {"id": 1, "username": "jgarcia", "real_name": "José García", "join_status": "joined"}
ANNA = {"id": 2, "username": "anna_k", "real_name": "Anna Kowalska", "join_status": "manager"}


class TestSearchTerms:
    @pytest.mark.parametrize(
        ("value", "terms"),
        [
            ("", []),
            (None, []),
            ("  ", []),
            ("a b", ["a", "b"]),
            ("a,b", ["a", "b"]),
            (" a , ,b  c", ["a", "b", "c"]),
        ],
    )
    def test_split_on_whitespace_and_commas(self, value, terms):
        """Terms are split on whitespace and commas, empties dropped."""
        assert rules.search_terms(value) == terms


class TestMatchesSearch:
    def test_case_insensitive_by_upper_casing(self):
        """JOSÉ finds José: comparison is on upper-cased text."""
        assert rules.matches_search(JOSE, "JOSÉ")

    def test_no_accent_folding(self):
        """jose does not find José."""
        assert not rules.matches_search(JOSE, "jose")

    def test_every_term_must_match_either_field(self):
        """Each term may match username or real name, but all terms must match."""
        assert rules.matches_search(JOSE, "jgar garcía")
        assert not rules.matches_search(JOSE, "jgar kowal")

    def test_blank_search_matches_everyone(self):
        """An empty or blank value applies no filter."""
        assert rules.matches_search(ANNA, " ")


class TestSelect:
    def test_filters_by_status_and_search(self):
        """Only members with a wanted status that match the search are selected."""
        members = [JOSE, ANNA]
        assert rules.select(members, ["joined"], None) == [JOSE]
        assert rules.select(members, ["joined", "manager"], "ann") == [ANNA]
        assert rules.select(members, [], None) == []


class TestParseDatetime:
    def test_z_suffix_is_utc(self):
        """`Z` parses as UTC."""
        assert rules.parse_datetime("2023-04-05T10:20:30Z") == datetime(
            2023, 4, 5, 10, 20, 30, tzinfo=UTC
        )
