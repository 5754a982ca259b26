"""The DRF example backend (examples/drf_backend) as real processes: migrate, load, gunicorn.

    prepare_database(env, fixture_path)             # manage.py migrate + load_fixture
    with running_backend(env, log_dir) as origin:   # gunicorn, 2 workers, until it answers
        httpx.get(f"{origin}/api/v2/course/1/users/", headers=...)

`env` holds the POSTGRES_* variables (see postgres.PostgresServer.environment) and optionally
DRF_EXAMPLE_FAULT. Every failure is a BackendUnavailable with a one-line message.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

from course_users.conformance.servers import ServerDidNotStart, ServerProcess, free_port, running

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_DIR = REPO / "examples" / "drf_backend"
# The readiness probe sends `Bearer manager-token`; every dataset the tests load gives that token
# to a creator or manager of course 1.
READY_PATH = "/api/v2/course/1/users/?limit=1"
READY_HEADERS = {"Authorization": "Bearer manager-token"}
COMMAND_TIMEOUT_S = 300.0


class BackendUnavailable(Exception):
    """The example could not be migrated, loaded or started; str() is one line."""


def manage(env: Mapping[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run `manage.py *args` in the example directory with `env` added; never raises on exit."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=EXAMPLE_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT_S,
    )


def prepare_database(env: Mapping[str, str], fixture: Path) -> None:
    """Create the tables and load `fixture` into the database `env` points at."""
    for args in (("migrate", "--noinput"), ("load_fixture", str(fixture))):
        done = manage(env, *args)
        if done.returncode != 0:
            lines = (done.stderr + done.stdout).strip().splitlines() or ["no output"]
            raise BackendUnavailable(f"manage.py {args[0]} exited {done.returncode}: {lines[-1]}")


@contextlib.contextmanager
def running_backend(env: Mapping[str, str], log_dir: Path) -> Iterator[str]:
    """Serve the example with gunicorn on a free 127.0.0.1 port; yield its origin URL."""
    port = free_port()
    name = env.get("DRF_EXAMPLE_FAULT") or "product"
    server = ServerProcess(
        name=f"gunicorn ({name})",
        command=[sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
                 "--workers", "2", "--graceful-timeout", "5",
                 "config.wsgi:application"],
        port=port,
        log_path=log_dir / f"gunicorn-{name}-{port}.log",
    )  # fmt: skip
    origin = f"http://127.0.0.1:{port}"
    try:
        with running(server, origin + READY_PATH, cwd=EXAMPLE_DIR, env=env, headers=READY_HEADERS):
            yield origin
    except ServerDidNotStart as exc:
        raise BackendUnavailable(str(exc)) from None
