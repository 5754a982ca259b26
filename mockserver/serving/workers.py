"""`--workers N`: one dataset in memory, served by N forked worker processes.

The parent loads and indexes the dataset once, binds the listening socket, freezes what it built
out of the garbage collector and forks the workers; each runs uvicorn (uvloop + httptools) on the
inherited socket, the kernel spreading connections between them. A store holds numpy arrays and
a few big strings (`mockserver.data.store`), so the workers' pages stay the parent's until written:
memory for N workers is one dataset plus N times a worker's own overhead.

The parent only supervises:
- SIGTERM or SIGINT: passed on to every worker as SIGTERM (uvicorn's graceful shutdown); the
  parent waits for them (killing any still running after `STOP_GRACE_S`) and exits 0.
- A worker that exits while nobody asked it to is a bug or a kill: the parent logs one line,
  stops the others and exits 1, rather than hide it by restarting (a supervisor above, or the
  user, sees the failure and its line).
- `--reload`: the parent watches the fixture file and loads it (through the startup cache); a good
  edit forks a new set of workers from the new data, then stops the old set, which finish their
  requests in hand while the new ones already accept on the same socket. A bad edit keeps the
  running workers and logs the one-line FixtureError, as in one process.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import gc
import logging
import os
import signal
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from course_users.fixtures import DEFAULT_FIXTURES, FixtureError
from course_users.mockserver.api.state import AppState, kept_out_of_collections, load_store
from course_users.mockserver.settings import Settings

logger = logging.getLogger("mockserver")

STOP_GRACE_S = 30.0
EXIT_WORKER_DIED = 1
_TICK_S = 0.2
_BACKLOG = 2048  # uvicorn's default
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def listening_socket(settings: Settings) -> socket.socket:
    """The socket every worker accepts on, bound and listening before any worker exists."""
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((settings.host, settings.port))
    sock.listen(_BACKLOG)
    return sock


class Supervisor:
    """Forks the workers, passes signals on, reloads the data and replaces the workers."""

    def __init__(self, state: AppState, sock: socket.socket, uvicorn_options: dict) -> None:
        self.state = state
        self.sock = sock
        self.options = uvicorn_options
        self.workers: set[int] = set()
        self.retiring: set[int] = set()  # asked to stop: their exit is expected
        self.stop_signal: int | None = None
        self.parent = os.getpid()

    def run(self) -> int:
        """Serve until a signal (0) or an unexpected worker exit (1)."""
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)
        self._start_generation()
        try:
            for changed in self._ticks():
                if self.stop_signal is not None:
                    return 0
                if self._reap_unexpected():
                    return EXIT_WORKER_DIED
                if changed:
                    self._reload()
        finally:
            self._stop_all()
        return 0

    def _on_signal(self, signum: int, _frame: object) -> None:
        self.stop_signal = signum

    def _start_generation(self) -> None:
        """Fork `workers` processes serving the current state; they share its pages."""
        self.state.store.warm()  # built once here rather than once per worker
        # Out of every collection, so no worker's collector writes the shared objects' pages.
        kept_out_of_collections(self.state.store)
        for _ in range(self.state.settings.workers):
            pid = os.fork()
            if pid == 0:
                os._exit(self._serve_as_worker())
            self.workers.add(pid)

    def _serve_as_worker(self) -> int:
        """A worker's whole life: uvicorn on the inherited socket, then exit."""
        code = 1
        try:
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, signal.SIG_DFL)  # uvicorn installs its own when it starts
            _die_with_parent(self.parent)
            import uvicorn

            from course_users.mockserver.serving.app import create_app

            # The parent watches the file; a worker reloading too would index its own copy.
            settings = dataclasses.replace(self.state.settings, reload=False)
            app = create_app(settings, dataclasses.replace(self.state, settings=settings))
            uvicorn.Server(uvicorn.Config(app, **self.options)).run(sockets=[self.sock])
            code = 0
        finally:
            logging.shutdown()
            for stream in (sys.stdout, sys.stderr):  # os._exit below skips the interpreter's
                stream.flush()
        return code

    def _ticks(self) -> Iterator[bool]:
        """Every `_TICK_S` or so: True when the fixture file changed since the last tick."""
        settings = self.state.settings
        if not settings.reload:
            while True:
                time.sleep(_TICK_S)
                yield False
        from watchfiles import watch

        path = (settings.fixtures or DEFAULT_FIXTURES).resolve()

        def is_our_file(_change: object, changed: str) -> bool:
            return Path(changed).resolve() == path

        # The directory is watched, not the file: editors often save by renaming a new file.
        for changes in watch(
            path.parent,
            watch_filter=is_our_file,
            debounce=200,
            step=50,
            rust_timeout=int(_TICK_S * 1000),
            yield_on_timeout=True,
            raise_interrupt=False,
        ):
            yield bool(changes)

    def _reap_unexpected(self) -> bool:
        """Collect exited workers; True (logged) when one exited that was not asked to."""
        for pid in list(self.workers | self.retiring):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done == 0:
                continue
            self.retiring.discard(pid)
            if pid in self.workers:
                self.workers.discard(pid)
                logger.error(
                    "Worker %d exited (%s) unasked; stopping the other workers", pid, _how(status)
                )
                return True
        return False

    def _reload(self) -> None:
        """Load the changed file; on success, new workers from it replace the running ones."""
        settings = self.state.settings
        path = settings.fixtures or DEFAULT_FIXTURES
        try:
            store = load_store(settings, path)
        except FixtureError as error:
            logger.error("Reload failed, still serving the previous data: %s", error)
            return
        old = self.workers
        self.workers = set()
        gc.unfreeze()  # the old store may be freed once the old workers are gone
        self.state = dataclasses.replace(self.state, store=store)
        self._start_generation()
        self._signal(old, signal.SIGTERM)
        self.retiring |= old
        logger.info(
            "Reloaded fixtures from %s into new workers %s",
            path,
            ", ".join(map(str, sorted(self.workers))),
        )

    def _stop_all(self) -> None:
        """SIGTERM every worker, wait up to STOP_GRACE_S, then SIGKILL what is left."""
        running = self.workers | self.retiring
        self._signal(running, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S
        while running and time.monotonic() < deadline:
            running = {pid for pid in running if not _exited(pid)}
            time.sleep(0.05)
        self._signal(running, signal.SIGKILL)
        for pid in running:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        self.workers, self.retiring = set(), set()

    @staticmethod
    def _signal(pids: set[int], signum: int) -> None:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)


def _die_with_parent(parent: int) -> None:
    """Ask Linux for a SIGTERM when the parent dies, even by SIGKILL: no orphaned workers."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the parent's own stop is all there is
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _exited(pid: int) -> bool:
    try:
        return os.waitpid(pid, os.WNOHANG)[0] != 0
    except ChildProcessError:
        return True


def _how(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit code {os.waitstatus_to_exitcode(status)}"
