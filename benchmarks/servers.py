"""The servers under test and the exact command that starts each on 127.0.0.1.

    mock     python -m mockserver --host 127.0.0.1 --port P --workers W [--fixtures F]
    ceiling  python -m uvicorn benchmarks.ceiling:app --workers W --loop uvloop --http httptools
    prism    prism mock -h 127.0.0.1 -p P SPEC [--dynamic] [-v error]

The mock and the ceiling serve below ``/api/v2``; Prism ignores the spec's server base path and
serves the paths at the root, so the same query mix is sent to each below its own base.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.errors import ServerStartError
from benchmarks.queries import AUTH_HEADER, QUERY_MIX
from course_users.conformance.servers import (
    STARTUP_TIMEOUT_S,
    ServerDidNotStart,
    ServerProcess,
    free_port,
    running,
)
from course_users.openapi.contract import CONTRACT

API_BASE = CONTRACT.base_path
# Every server is ready when the first query of the mix, as the load sends it, answers 200.
READY_HEADERS = dict([AUTH_HEADER])
PRISM_QUIET_LEVEL = "error"


@dataclass(frozen=True)
class ServerConfig:
    """One server setup to measure: a name for tables, its command and where it serves."""

    name: str
    kind: str  # mock | prism | ceiling
    workers: int
    command_args: tuple[str, ...]  # without host/port, see command()
    base: str
    description: str
    start_timeout_s: float = STARTUP_TIMEOUT_S
    env: dict[str, str] = field(default_factory=dict)

    def command(self, port: int) -> list[str]:
        """The full command line for listening on 127.0.0.1:``port``."""
        return [arg.replace("{port}", str(port)) for arg in self.command_args]

    def process(self, port: int, log_dir: Path) -> ServerProcess:
        """A not-yet-started process for this setup on ``port``."""
        return ServerProcess(self.name, self.command(port), port, log_dir / f"{self.name}.log")

    def ready_url(self, port: int) -> str:
        """The first query of the mix: the server is ready when it answers 200 here."""
        return f"http://127.0.0.1:{port}{self.base}{QUERY_MIX[0].path}"


@contextlib.contextmanager
def serving(
    config: ServerConfig, log_dir: Path, cwd: Path | None = None
) -> Iterator[ServerProcess]:
    """Start ``config`` on a free port, wait for its first 200, stop it whatever happens."""
    port = free_port()
    try:
        with running(
            config.process(port, log_dir), config.ready_url(port), cwd=cwd, env=config.env,
            headers=READY_HEADERS, timeout_s=config.start_timeout_s,
        ) as server:  # fmt: skip
            yield server
    except ServerDidNotStart as error:
        raise ServerStartError(str(error)) from None


def mock(
    name: str,
    workers: int,
    fixtures: Path | None = None,
    extra: tuple[str, ...] = (),
    start_timeout_s: float = STARTUP_TIMEOUT_S,
) -> ServerConfig:
    """The mock through its own CLI, as a frontend developer starts it."""
    args = [
        sys.executable,
        "-m",
        "course_users.mockserver",
        "--host",
        "127.0.0.1",
        "--port",
        "{port}",
    ]
    args += ["--workers", str(workers)]
    if fixtures is not None:
        args += ["--fixtures", str(fixtures)]
    source = f"fixtures {fixtures.name}" if fixtures else "default dataset"
    return ServerConfig(
        name=name,
        kind="mock",
        workers=workers,
        command_args=(*args, *extra),
        base=API_BASE,
        description=f"python -m mockserver --workers {workers} {' '.join(extra)} ({source})",
        start_timeout_s=start_timeout_s,
    )


def uvicorn_app(
    name: str,
    kind: str,
    app: str,
    workers: int,
    loop: str = "uvloop",
    factory: bool = False,
    env: dict[str, str] | None = None,
) -> ServerConfig:
    """Any ASGI app under uvicorn with httptools and no access log, on the given event loop."""
    args = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", "{port}"]
    args += ["--workers", str(workers), "--loop", loop, "--http", "httptools", "--no-access-log"]
    if factory:
        args.append("--factory")
    return ServerConfig(
        name=name,
        kind=kind,
        workers=workers,
        command_args=tuple(args),
        base=API_BASE,
        description=f"uvicorn {app} --workers {workers} --loop {loop} --http httptools",
        env=env or {},
    )


def ceiling(name: str, workers: int, loop: str = "uvloop") -> ServerConfig:
    """The bare Starlette endpoint returning a fixed page."""
    return uvicorn_app(name, "ceiling", "benchmarks.ceiling:app", workers, loop)


def prism(name: str, executable: Path, spec: Path, dynamic: bool, quiet: bool) -> ServerConfig:
    """Prism 5 mocking the bundled spec: static examples or ``--dynamic``, default or quiet log."""
    args = [str(executable), "mock", "-h", "127.0.0.1", "-p", "{port}", str(spec)]
    if dynamic:
        args.append("--dynamic")
    if quiet:
        args += ["-v", PRISM_QUIET_LEVEL]
    mode = "dynamic" if dynamic else "static"
    log = f"-v {PRISM_QUIET_LEVEL}" if quiet else "default log (info)"
    return ServerConfig(
        name=name,
        kind="prism",
        workers=1,
        command_args=tuple(args),
        base="",
        description=f"prism mock {mode}, {log}",
    )
