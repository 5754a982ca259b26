"""`python -m fixtures capture` from the DRF example on PostgreSQL, then the mock serving the file.

A generated course of 10,000 members is loaded into PostgreSQL and served by the DRF example with
gunicorn; a capture of it validates, and a mock serving the captured file answers the same fixed
battery (tests/fixtures/battery.py) with the same statuses, counts, ids in order, links and items.
So the capture keeps what a real backend computes from (timestamps, nulls, names for search) and
the mock computes it alike, ties and the search rule included.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from course_users.fixtures import generate_dataset
from course_users.fixtures.writer import dump_json
from tests.conftest import MockServer
from tests.examples.drf import BackendUnavailable, prepare_database
from tests.examples.postgres import PostgresServer
from tests.fixtures.battery import ask, battery, differences, run_capture, token_rows
from tests.fixtures.conftest import run_cli

MEMBERS = 10_000
TOKEN = "manager-token"  # a manager of course 1 in every generated dataset


@pytest.fixture(scope="module")
def big_drf(
    postgres: PostgresServer,
    start_backend: Callable[..., Any],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """The DRF example serving one generated course of 10,000 members; its origin."""
    source = tmp_path_factory.mktemp("big-drf") / "big.json"
    source.write_bytes(dump_json(generate_dataset(courses=1, members=MEMBERS, seed=11)))
    env = postgres.environment(postgres.create_database("capture_big"))
    try:
        prepare_database(env, source)
        with start_backend(env) as origin:
            yield origin
    except BackendUnavailable as exc:
        pytest.fail(f"DRF example unavailable: {exc}", pytrace=False)


@pytest.fixture(scope="module")
def captured(big_drf: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The course captured from the DRF example; the file and the printed token table."""
    out = tmp_path_factory.mktemp("capture-drf") / "staging.json"
    result = run_capture(
        "--base-url", big_drf, "--course-id", "1", "--out", str(out),
        env={"FIXTURES_CAPTURE_TOKEN": TOKEN},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert TOKEN not in result.stdout + result.stderr + out.read_text(encoding="utf-8")
    return out, result.stdout


class TestCaptureFromDrf:
    def test_capture_validates(self, captured):
        """`python -m fixtures validate` accepts the file with every member of the course."""
        result = run_cli("validate", str(captured[0]))
        assert result.returncode == 0 and f"{MEMBERS} memberships" in result.stdout, result

    def test_mock_serving_the_capture_answers_the_battery_as_drf(
        self, big_drf, captured, start_mock: Callable[..., MockServer]
    ):
        """At least 50 queries: same status, count, ids in order, links and items as DRF."""
        replay = start_mock("--fixtures", str(captured[0]), "--log-level", "warning")
        rows = token_rows(captured[1])
        token = next(row["token"] for row in rows if row["role"] == "creator")
        queries = battery(MEMBERS)
        assert len(queries) >= 50
        expected = ask(f"{big_drf}/api/v2/", TOKEN, 1, queries)
        actual = ask(replay.base_url, token, 1, queries)
        assert differences(queries, expected, actual) == []
