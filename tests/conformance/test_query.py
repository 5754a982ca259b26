"""Query encoding: the documented statuses wire forms."""

from __future__ import annotations

import pytest

from course_users.conformance.query import Query, statuses_params


class TestStatusesParams:
    def test_plain_form_carries_one_status(self):
        """statuses=joined."""
        assert statuses_params(("joined",), "plain") == [("statuses", "joined")]

    def test_json_form_is_a_compact_list(self):
        """statuses=["joined","manager"], as the vendor SDK sends it."""
        assert statuses_params(("joined", "manager"), "json") == [
            ("statuses", '["joined","manager"]')
        ]

    def test_repeated_form_repeats_the_parameter(self):
        """statuses=joined&statuses=manager."""
        assert statuses_params(("joined", "manager"), "repeated") == [
            ("statuses", "joined"),
            ("statuses", "manager"),
        ]

    def test_mixed_form_combines_plain_and_json(self):
        """statuses=joined&statuses=["manager","invited"]."""
        assert statuses_params(("joined", "manager", "invited"), "mixed") == [
            ("statuses", "joined"),
            ("statuses", '["manager","invited"]'),
        ]

    def test_empty_selection_is_the_empty_json_list(self):
        """No statuses at all can only be said as []."""
        assert statuses_params((), "repeated") == [("statuses", "[]")]

    def test_plain_form_refuses_several_statuses(self):
        """The plain form cannot carry two statuses."""
        with pytest.raises(ValueError, match="exactly one"):
            statuses_params(("joined", "manager"), "plain")


class TestQuery:
    def test_params_leave_out_unset_parameters(self):
        """Only the parameters that are set are sent, statuses first."""
        query = Query(statuses=("joined",), form="plain", search="a", limit=5)
        assert query.params() == [("statuses", "joined"), ("search", "a"), ("limit", "5")]

    def test_defaults_are_the_spec_defaults(self):
        """Left-out statuses and ordering mean manager+joined and -joined_at."""
        assert Query().effective_statuses == ("manager", "joined")
        assert Query().effective_ordering == "-joined_at"
