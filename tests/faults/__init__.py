"""Test-only faults: a proxy in front of a real mock makes it behave like a backend with one bug.

The conformance suite's own tests use them to show that each check catches the bug named for it;
the mock itself has no fault switch. Each name in `FAULTS` is one bug (`tests.faults.bugs`);
`fault_app(name, upstream)` is the ASGI app serving it, `FaultServers` starts one in a thread per
name on first use, and `python -m tests.faults NAME --upstream ORIGIN` serves one on a port.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

from course_users.fixtures import DEFAULT_FIXTURES, Dataset, load_dataset
from tests.faults.bugs import FAULTS, bugs_for
from tests.faults.proxy import FaultProxy, Upstream

__all__ = ["FAULTS", "FaultServers", "UnknownFault", "fault_app"]


class UnknownFault(ValueError):
    """A fault name that is not in `FAULTS`."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"{name!r} is not a fault name; use one of {', '.join(FAULTS)}")


def fault_app(name: str, upstream: str, dataset: Dataset | None = None) -> FaultProxy:
    """The ASGI app serving the mock at origin `upstream` with fault `name`.

    `dataset` is what the mock serves (default: the committed default dataset); the auth faults
    need its managers' tokens and missing-course-500 its course ids.
    """
    if name not in FAULTS:
        raise UnknownFault(name)
    bugs = bugs_for(dataset if dataset is not None else load_dataset(DEFAULT_FIXTURES))
    return FaultProxy(bugs[name], Upstream(upstream))


Serve = Callable[[object], AbstractContextManager[str]]


class FaultServers:
    """One faulty server per name in front of `upstream`, each started when first asked for.

    `serve` runs an ASGI app and yields its API root URL (the tests' `serve_app`); `servers[name]`
    is that server's origin. Starting lazily keeps a test that needs two faults from starting 21.
    """

    def __init__(self, upstream: str, serve: Serve, dataset: Dataset | None = None) -> None:
        self.upstream = upstream
        self.serve = serve
        self.dataset = dataset if dataset is not None else load_dataset(DEFAULT_FIXTURES)
        self._stack = contextlib.ExitStack()
        self._origins: dict[str, str] = {}

    def __getitem__(self, name: str) -> str:
        if name not in self._origins:
            app = fault_app(name, self.upstream, self.dataset)
            root = self._stack.enter_context(self.serve(app))
            self._origins[name] = root.removesuffix("/api/v2/")
        return self._origins[name]

    @contextlib.contextmanager
    def running(self) -> Iterator[FaultServers]:
        """Stop every server started meanwhile when the block ends."""
        with self._stack:
            yield self
