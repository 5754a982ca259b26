"""The contract's rules: search terms, member matching, selection and date-times."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from course_users.conformance import rules
from course_users.openapi import search_rule

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
            ('"maria rossi"', ["maria rossi"]),
            ('"rossi, maria" x', ["rossi, maria", "x"]),
            ("'", []),
            ('""', []),
            ("O'Brien", ["O'Brien"]),
        ],
    )
    def test_split_as_drf_search_smart_split(self, value, terms):
        """Unquoted text splits on whitespace and commas; a quoted phrase stays one term."""
        assert rules.search_terms(value) == terms


YES, NO, EITHER = search_rule.Match.YES, search_rule.Match.NO, search_rule.Match.EITHER


class TestSearchMatch:
    def test_case_insensitive_by_upper_casing(self):
        """JOSÉ finds José: comparison is on upper-cased text."""
        assert rules.search_match(JOSE, "JOSÉ") is YES

    def test_no_accent_folding(self):
        """jose does not find José."""
        assert rules.search_match(JOSE, "jose") is NO

    def test_every_term_must_match_either_field(self):
        """Each term may match username or real name, but all terms must match."""
        assert rules.search_match(JOSE, "jgar garcía") is YES
        assert rules.search_match(JOSE, "jgar kowal") is NO

    def test_blank_search_matches_everyone(self):
        """An empty or blank value applies no filter, and neither does a lone quote."""
        assert rules.search_match(ANNA, " ") is YES
        assert rules.search_match(ANNA, "'") is YES

    def test_a_phrase_must_match_whole(self):
        """A quoted phrase matches only where its words stand together."""
        assert rules.search_match(ANNA, '"anna kowalska"') is YES
        assert rules.search_match(ANNA, '"kowalska anna"') is NO

    def test_sharp_s_depends_on_the_database(self):
        """ß upper-cases to SS on ICU and stays ß on libc: both answers are correct."""
        weiss = {**JOSE, "real_name": "Jürgen Weiß"}
        assert rules.search_match(weiss, "weiss") is EITHER
        assert rules.search_match(weiss, "weiß") is YES


class TestSelect:
    def test_filters_by_status_and_search(self):
        """Only members with a wanted status that match the search are selected."""
        members = [JOSE, ANNA]
        assert rules.select(members, ["joined"], None) == rules.Selection(frozenset({1}))
        assert rules.select(members, ["joined", "manager"], "ann").sure == {2}
        assert rules.select(members, [], None).most == set()

    def test_database_dependent_members_are_maybe(self):
        """A member whose match depends on the case mapping is neither sure nor left out."""
        strasse = {"id": 3, "username": "s", "real_name": "Straße", "join_status": "joined"}
        selection = rules.select([JOSE, strasse], ["joined"], "ss")
        assert (selection.sure, selection.maybe) == (set(), {3})


class TestParseDatetime:
    def test_z_suffix_is_utc(self):
        """`Z` parses as UTC."""
        assert rules.parse_datetime("2023-04-05T10:20:30Z") == datetime(
            2023, 4, 5, 10, 20, 30, tzinfo=UTC
        )
