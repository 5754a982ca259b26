"""The mock against the hand-written table of tricky searches (tests/data/search_table.yaml).

The mock upper-cases as PostgreSQL's ICU provider does, so for every row it must return exactly
the table's `icu` ids, and refuse the `status: 400` rows.
"""

from __future__ import annotations

import json

import pytest
import yaml

from tests.conftest import REPO
from tests.mockserver.conftest import Person, write_fixture

TABLE = yaml.safe_load((REPO / "tests/data/search_table.yaml").read_text(encoding="utf-8"))
ALL = ["creator", "manager", "joined", "invited", "requested"]
TOKEN = "table-creator-token"


def _creator() -> int:
    return next(m["id"] for m in TABLE["members"] if m.get("join_status") == "creator")


@pytest.fixture(scope="module")
def table_url(start_mock, tmp_path_factory) -> str:
    """A mock serving the table's members as course 1; the URL of its member list."""
    members = [
        Person(m["id"], m["username"], m["real_name"], m.get("join_status", "joined"))
        for m in TABLE["members"]
    ]
    path = write_fixture(
        tmp_path_factory.mktemp("search-table") / "table.json", {1: members}, {TOKEN: _creator()}
    )
    return start_mock("--fixtures", str(path), "--log-level", "warning").url("course/1/users/")


def _rows(refused: bool) -> list:
    rows = [row for row in TABLE["searches"] if ("status" in row) == refused]
    return [pytest.param(row, id=ascii(row["search"])) for row in rows]


class TestSearchTable:
    """Every row of the table, over HTTP, against the ICU column."""

    @pytest.mark.parametrize("row", _rows(refused=False))
    def test_returns_the_icu_ids(self, table_url, walk, row):
        """The members found are exactly the ones an ICU PostgreSQL server returns."""
        params = {"search": row["search"], "statuses": json.dumps(ALL)}
        assert sorted(walk(table_url, params, token=TOKEN)) == sorted(row["icu"])

    @pytest.mark.parametrize("row", _rows(refused=True))
    def test_refused_rows_are_400_naming_search(self, table_url, get_error, row):
        """A search every correct server refuses is a 400 whose detail names `search`."""
        response = get_error(table_url, {"search": row["search"]}, token=TOKEN)
        assert response.status_code == row["status"]
        assert response.json()["detail"].startswith("search:")
