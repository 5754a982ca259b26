"""Session fixtures for the example backends: one PostgreSQL, its databases, the DRF example.

One PostgreSQL cluster serves the whole session. The default dataset is loaded once into a libc
database (the acceptance runs and every fault share it); the search table's members are loaded
into a libc and an ICU database. No test skips: without PostgreSQL each test fails with one line.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from course_users.fixtures import DEFAULT_FIXTURES
from course_users.fixtures.writer import dump_json
from tests.examples.drf import BackendUnavailable, prepare_database, running_backend
from tests.examples.postgres import PostgresServer, PostgresUnavailable, running_postgres
from tests.examples.search_data import load_search_table, search_dataset

Env = dict[str, str]


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A fresh PostgreSQL 15 cluster on 127.0.0.1, stopped and removed at session end."""
    try:
        with _sigterm_as_interrupt(), running_postgres() as server:
            yield server
    except PostgresUnavailable as exc:
        pytest.fail(f"PostgreSQL unavailable: {exc}", pytrace=False)


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """A SIGTERM (a `timeout`, a cancelled CI job) tears down like Ctrl-C: no server is left."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@pytest.fixture(scope="session")
def search_table() -> dict[str, Any]:
    """tests/data/search_table.yaml: course 1's members and the expected ids per search."""
    return load_search_table()


def _prepared(postgres: PostgresServer, name: str, fixture: Path, *, icu: bool = False) -> Env:
    env = postgres.environment(postgres.create_database(name, icu=icu))
    try:
        prepare_database(env, fixture)
    except BackendUnavailable as exc:
        pytest.fail(f"DRF example unavailable: {exc}", pytrace=False)
    return env


@pytest.fixture(scope="session")
def default_db(postgres: PostgresServer) -> Env:
    """The default dataset (fixtures/default.yaml) in a libc (C.UTF-8) database."""
    return _prepared(postgres, "default_libc", DEFAULT_FIXTURES)


@pytest.fixture(scope="session")
def search_dbs(
    postgres: PostgresServer, search_table: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Env]:
    """The search table's members in a libc and an ICU database, keyed "libc" and "icu"."""
    path = tmp_path_factory.mktemp("search-fixture") / "search_table.json"
    path.write_bytes(dump_json(search_dataset(search_table["members"])))
    return {
        "libc": _prepared(postgres, "search_libc", path),
        "icu": _prepared(postgres, "search_icu", path, icu=True),
    }


@pytest.fixture(scope="session")
def start_backend(
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[..., Any]:
    """`with start_backend(env, fault=None) as origin:` serves the DRF example with gunicorn."""
    log_dir = tmp_path_factory.mktemp("drf-logs")

    def start(env: Env, fault: str | None = None) -> Any:
        return running_backend({**env, "DRF_EXAMPLE_FAULT": fault or ""}, log_dir)

    return start


@pytest.fixture(scope="session")
def drf_origin(default_db: Env, start_backend: Callable[..., Any]) -> Iterator[str]:
    """The product backend (no fault) on the default dataset, for the whole session."""
    try:
        with start_backend(default_db) as origin:
            yield origin
    except BackendUnavailable as exc:
        pytest.fail(f"DRF example unavailable: {exc}", pytrace=False)
