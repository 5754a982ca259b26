"""The oracle against the hand-written table of tricky search inputs (tests/data/search_table.yaml).

Members every kind of correct server finds must be `sure`; members only some find must be `maybe`;
the rest must be left out. The mock (tests/mockserver/test_search_table.py) and the DRF example on
real PostgreSQL (tests/examples/) are held to the same table.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from course_users.conformance import rules

TABLE = yaml.safe_load((Path(__file__).parents[1] / "data" / "search_table.yaml").read_text())
MEMBERS = [{"join_status": "joined", **member} for member in TABLE["members"]]
ROWS = [row for row in TABLE["searches"] if "status" not in row]


class TestOracleOnTheTable:
    @pytest.mark.parametrize("row", ROWS, ids=[repr(row["search"]) for row in ROWS])
    def test_sure_is_what_every_server_finds(self, row):
        """Sure members are those both PostgreSQL providers return."""
        selection = rules.select(MEMBERS, rules.JOIN_STATUSES, row["search"])
        assert selection.sure == set(row["libc"]) & set(row["icu"])

    @pytest.mark.parametrize("row", ROWS, ids=[repr(row["search"]) for row in ROWS])
    def test_most_is_what_some_server_finds(self, row):
        """Sure and maybe members together are those either provider returns."""
        selection = rules.select(MEMBERS, rules.JOIN_STATUSES, row["search"])
        assert selection.most == set(row["libc"]) | set(row["icu"])

    def test_the_table_has_rows_on_which_servers_differ(self):
        """The table exercises the libc/ICU difference, so the two tests above can fail."""
        assert any(set(row["libc"]) != set(row["icu"]) for row in ROWS)
