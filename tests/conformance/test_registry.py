"""The check registry: names, report order and selection by pattern."""

from __future__ import annotations

import pytest

from course_users.conformance import SettingsError, all_check_names
from course_users.conformance.checks import select


class TestNames:
    def test_names_are_unique_and_grouped(self):
        """Every check has a unique group.name, schema layer first."""
        names = all_check_names()
        assert len(names) == len(set(names))
        assert names[0].startswith("schema.")
        groups = {name.split(".")[0] for name in names}
        assert groups == {"schema", "oracle", "filtering", "ordering", "paging", "defaults", "auth"}


class TestSelect:
    def test_empty_selection_means_everything(self):
        """No pattern selects every check."""
        assert select(()) == all_check_names()

    def test_group_name_selects_the_group(self):
        """A bare group name selects all of its checks."""
        assert select(("auth",)) == [n for n in all_check_names() if n.startswith("auth.")]

    def test_glob_and_full_name(self):
        """Globs and full names combine, in report order."""
        chosen = select(("paging.count_*", "ordering.monotonic"))
        assert chosen == [
            "ordering.monotonic",
            "paging.count_matches_oracle",
            "paging.count_stable",
        ]

    def test_pattern_matching_nothing_is_an_error(self):
        """A typo cannot silently switch the suite off."""
        with pytest.raises(SettingsError, match="matches no check"):
            select(("pagnig",))
