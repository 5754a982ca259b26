"""`--workers N`: one loaded dataset served by forked workers, reloaded and stopped by the parent.

Which worker accepts a connection is the kernel's choice; to ask one worker in particular, the
others are paused (SIGSTOP) while fresh connections are made, so only it can accept them.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
from collections.abc import Iterator

import httpx
import psutil
import pytest

from course_users.fixtures import DEFAULT_FIXTURES, load_dataset
from tests.mockserver.battery import AUTH, answers, eventually


def workers_of(server) -> list[psutil.Process]:
    """The serving children of a multi-worker mock's parent."""
    return psutil.Process(server.process.pid).children()


@contextlib.contextmanager
def only(worker: psutil.Process, workers: list[psutil.Process]) -> Iterator[None]:
    """Pause every other worker, so new connections can only be accepted by `worker`."""
    others = [other for other in workers if other.pid != worker.pid]
    for other in others:
        other.send_signal(signal.SIGSTOP)
    try:
        yield
    finally:
        for other in others:
            other.send_signal(signal.SIGCONT)


class TestSharedDataset:
    """Every worker serves the parent's one dataset, exactly as one process does."""

    def test_each_of_two_workers_answers_as_one_worker(self, start_mock, tmp_path):
        """Ids, counts and links of every battery request match, asked of each worker alone."""
        cache = ("--cache-dir", str(tmp_path))
        one = start_mock(*cache, "--log-level", "warning")
        two = start_mock("--workers", "2", *cache, "--log-level", "warning")
        expected = answers(one.base_url)
        assert {status for status, *_ in expected} == {200}
        workers = workers_of(two)
        assert len(workers) == 2
        for worker in workers:
            with only(worker, workers):
                assert answers(two.base_url) == expected

    def test_sigterm_to_the_parent_stops_every_worker(self, start_mock, tmp_path):
        """The parent passes SIGTERM on, waits for its workers, and exits 0: no orphans."""
        server = start_mock("--workers", "2", "--no-cache")
        workers = workers_of(server)
        assert len(workers) == 2
        server.process.send_signal(signal.SIGTERM)  # to the parent only, not its group
        assert server.process.wait(timeout=60) == 0
        gone, alive = psutil.wait_procs(workers, timeout=10)
        assert not alive and len(gone) == 2

    def test_a_worker_dying_stops_the_rest_with_one_line(self, start_mock):
        """A worker killed from outside: one line, the other worker stopped, exit code 1."""
        server = start_mock("--workers", "2", "--no-cache")
        victim, other = workers_of(server)
        victim.kill()
        assert server.process.wait(timeout=60) == 1
        assert not other.is_running() or other.status() == psutil.STATUS_ZOMBIE
        lines = [line for line in server.log().splitlines() if "unasked" in line]
        assert len(lines) == 1 and str(victim.pid) in lines[0] and "SIGKILL" in lines[0]


class TestReloadWithWorkers:
    """--reload with several workers: an edit reaches every worker, a bad edit none."""

    def test_edit_reaches_both_workers_and_bad_edit_keeps_the_data(self, start_mock, tmp_path):
        """Both workers answer the renamed user; after a broken save both still do, one line."""
        path = tmp_path / "fixtures.yaml"
        shutil.copy(DEFAULT_FIXTURES, path)
        old_name = load_dataset(DEFAULT_FIXTURES).users[1].username  # the creator of course 1
        server = start_mock(
            "--fixtures", str(path), "--reload", "--workers", "2", "--cache-dir", str(tmp_path)
        )
        url = server.url("course/1/users/")

        def creator_name() -> str:
            body = httpx.get(url, params={"statuses": "creator"}, headers=AUTH).json()
            return body["results"][0]["username"]

        assert creator_name() == old_name
        before = {worker.pid for worker in workers_of(server)}
        path.write_text(path.read_text().replace(old_name, "renamed-creator"))
        assert eventually(lambda: "Reloaded fixtures" in server.log())
        # The old workers finish their requests and leave; every worker then is a new one.
        assert eventually(lambda: not before & {worker.pid for worker in workers_of(server)})
        workers = workers_of(server)
        assert len(workers) == 2
        for worker in workers:
            with only(worker, workers):
                assert creator_name() == "renamed-creator"

        path.write_text("courses: [\n")
        assert eventually(lambda: "Reload failed" in server.log())
        assert {worker.pid for worker in workers_of(server)} == {w.pid for w in workers}
        for worker in workers:
            with only(worker, workers):
                assert creator_name() == "renamed-creator"
        failure = [line for line in server.log().splitlines() if "Reload failed" in line]
        assert len(failure) == 1 and "fixtures.yaml" in failure[0]


@pytest.fixture(autouse=True)
def _no_paused_workers() -> Iterator[None]:
    """A failed assertion inside `only` must not leave a worker stopped for the next test."""
    yield
    for process in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if process.status() == psutil.STATUS_STOPPED:
                process.send_signal(signal.SIGCONT)
