"""The startup cache: a restart on an unchanged file serves the cached index, any change does not.

Each test gives the mock its own cache directory, starts it, stops it and starts it again: what
the second start says in its log, what it answers and what the directory holds are the facts.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

from course_users.fixtures import DEFAULT_FIXTURES, load_dataset
from course_users.mockserver.data.store import Store
from course_users.mockserver.data.storecache import KEEP, SUFFIX, StoreCache
from tests.mockserver.battery import AUTH, answers

HIT = "Startup cache hit"
IGNORED = "Ignoring the startup cache file"


def entries(directory: Path) -> list[Path]:
    """The cache entries the directory holds."""
    return sorted(directory.glob(f"*{SUFFIX}"))


def serve_once(start_mock, *args: str) -> tuple[str, list[tuple]]:
    """Start the mock, take its log and its battery answers, stop it."""
    server = start_mock(*args)
    try:
        return server.log(), answers(server.base_url)
    finally:
        server.stop()


@pytest.fixture
def fixture_file(tmp_path: Path) -> Path:
    """A copy of the default dataset the test may edit."""
    path = tmp_path / "fixtures.yaml"
    shutil.copy(DEFAULT_FIXTURES, path)
    return path


class TestStartupCache:
    """Hit, miss on change, a corrupt entry ignored, and no cache when told."""

    def test_restart_on_an_unchanged_file_is_a_hit_with_the_same_answers(
        self, start_mock, tmp_path, fixture_file
    ):
        """The second start says it used the cache and answers exactly as the first."""
        args = ("--fixtures", str(fixture_file), "--cache-dir", str(tmp_path / "cache"))
        first_log, first = serve_once(start_mock, *args)
        assert HIT not in first_log and len(entries(tmp_path / "cache")) == 1
        second_log, second = serve_once(start_mock, *args)
        assert HIT in second_log
        assert second == first

    def test_a_changed_file_is_indexed_again(self, start_mock, tmp_path, fixture_file):
        """An edit after a cached start: no hit, the edit is served, a second entry is kept."""
        old_name = load_dataset(DEFAULT_FIXTURES).users[1].username
        args = ("--fixtures", str(fixture_file), "--cache-dir", str(tmp_path / "cache"))
        serve_once(start_mock, *args)
        fixture_file.write_text(fixture_file.read_text().replace(old_name, "renamed-creator"))
        server = start_mock(*args)
        try:
            assert HIT not in server.log()
            body = httpx.get(
                server.url("course/1/users/"), params={"statuses": "creator"}, headers=AUTH
            ).json()
        finally:
            server.stop()
        assert body["results"][0]["username"] == "renamed-creator"
        assert len(entries(tmp_path / "cache")) == 2

    def test_a_corrupt_entry_is_ignored_with_one_line_and_rewritten(
        self, start_mock, tmp_path, fixture_file
    ):
        """Bytes flipped in the entry: one log line, right answers, and the next start hits."""
        cache = tmp_path / "cache"
        args = ("--fixtures", str(fixture_file), "--cache-dir", str(cache))
        _, expected = serve_once(start_mock, *args)
        (entry,) = entries(cache)
        data = bytearray(entry.read_bytes())
        data[len(data) // 2] ^= 0xFF
        entry.write_bytes(bytes(data))
        log, found = serve_once(start_mock, *args)
        ignored = [line for line in log.splitlines() if IGNORED in line]
        assert len(ignored) == 1 and "checksum" in ignored[0] and HIT not in log
        assert found == expected
        log, found = serve_once(start_mock, *args)
        assert HIT in log and found == expected

    def test_a_truncated_entry_is_ignored_with_one_line(self, start_mock, tmp_path, fixture_file):
        """An entry cut to a few bytes is not a crash: one line, then the file is indexed."""
        cache = tmp_path / "cache"
        args = ("--fixtures", str(fixture_file), "--cache-dir", str(cache))
        _, expected = serve_once(start_mock, *args)
        (entry,) = entries(cache)
        entry.write_bytes(entry.read_bytes()[:10])
        log, found = serve_once(start_mock, *args)
        assert len([line for line in log.splitlines() if IGNORED in line]) == 1
        assert found == expected

    def test_generated_members_are_cached_by_their_arguments(self, start_mock, tmp_path):
        """--members with the same seed hits; another seed is a new entry."""
        cache = ("--cache-dir", str(tmp_path))
        serve_once(start_mock, "--members", "300", *cache)
        log, _ = serve_once(start_mock, "--members", "300", *cache)
        assert HIT in log
        log, _ = serve_once(start_mock, "--members", "300", "--seed", "5", *cache)
        assert HIT not in log and len(entries(tmp_path)) == 2

    def test_no_cache_writes_nothing(self, start_mock, tmp_path, fixture_file):
        """--no-cache indexes at every start and leaves the cache directory alone."""
        args = ("--fixtures", str(fixture_file), "--no-cache", "--cache-dir", str(tmp_path / "c"))
        serve_once(start_mock, *args)
        log, _ = serve_once(start_mock, *args)
        assert HIT not in log and not (tmp_path / "c").exists()


class TestBound:
    """The directory keeps the most recently used entries only."""

    def test_only_the_last_entries_are_kept(self, tmp_path):
        """Writing more entries than KEEP leaves KEEP, the newest ones."""
        store = Store(load_dataset(DEFAULT_FIXTURES))
        cache = StoreCache(tmp_path)
        keys = [f"{n:064x}" for n in range(KEEP + 3)]
        for key in keys:
            cache.put(key, store)
        assert [path.name for path in entries(tmp_path)] == sorted(
            f"{key}{SUFFIX}" for key in keys[-KEEP:]
        )
