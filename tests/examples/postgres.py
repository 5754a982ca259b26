"""A throwaway PostgreSQL 15 server for the example backends' tests.

    with running_postgres(workdir) as server:      # initdb + pg_ctl start, stopped on exit
        server.create_database("libc_db")           # C.UTF-8, libc provider
        server.create_database("icu_db", icu=True)  # ICU provider, locale 'und'

The binaries are found in /usr/lib/postgresql/*/bin or on PATH; when missing, the Debian
`postgresql` package is installed with apt-get (CI machines are fresh; we are root there).
initdb refuses to run as root, so as root the cluster belongs to the `postgres` user. The server
listens on 127.0.0.1 on a free port, with its unix socket in the cluster's directory, and trusts
local connections (nothing else can reach it). Every failure is a PostgresUnavailable with a
one-line message.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg

from course_users.conformance.servers import free_port

SUPERUSER = "postgres"
# A loaded CI machine can be slow to install, initialise and start; these are deadlines, not
# expectations.
INSTALL_TIMEOUT_S = 900
START_TIMEOUT_S = 180
STOP_TIMEOUT_S = 60
_INSTALL_HINT = "install PostgreSQL 15 (Debian: apt-get install -y postgresql)"


class PostgresUnavailable(Exception):
    """PostgreSQL cannot be found, installed, initialised or started; str() is one line."""


@dataclass(frozen=True)
class PostgresServer:
    """A running cluster: where it listens and how to reach it as the superuser."""

    host: str
    port: int
    socket_dir: Path

    def connect(self, dbname: str = "postgres") -> psycopg.Connection:
        """An autocommit connection as the superuser (for DDL such as CREATE DATABASE)."""
        return psycopg.connect(
            host=self.host, port=self.port, user=SUPERUSER, dbname=dbname, autocommit=True
        )

    def create_database(self, name: str, *, icu: bool = False) -> str:
        """Create a UTF8 database: libc C.UTF-8 by default, or ICU ('und'); return its name."""
        provider = "LOCALE_PROVIDER icu ICU_LOCALE 'und' " if icu else ""
        with self.connect() as conn:
            conn.execute(
                f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' "
                f"{provider}LOCALE 'C.UTF-8'"
            )
        return name

    def environment(self, dbname: str) -> dict[str, str]:
        """The POSTGRES_* variables the example backends read."""
        return {
            "POSTGRES_HOST": self.host,
            "POSTGRES_PORT": str(self.port),
            "POSTGRES_DB": dbname,
            "POSTGRES_USER": SUPERUSER,
            "POSTGRES_PASSWORD": "",
        }


def find_bin_dir() -> Path | None:
    """The directory holding initdb and pg_ctl: the newest /usr/lib/postgresql/N/bin, or PATH."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
        reverse=True,
    )
    for directory in candidates:
        if (directory / "initdb").is_file() and (directory / "pg_ctl").is_file():
            return directory
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).resolve().parent
    return None


def ensure_bin_dir() -> Path:
    """find_bin_dir(), installing the Debian package first when nothing is found."""
    found = find_bin_dir()
    if found is not None:
        return found
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise PostgresUnavailable(f"PostgreSQL binaries not found and cannot apt-get; "
                                  f"{_INSTALL_HINT}")  # fmt: skip
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "postgresql"]):
        _run(command, env=env, timeout=INSTALL_TIMEOUT_S, what="installing PostgreSQL")
    found = find_bin_dir()
    if found is None:
        raise PostgresUnavailable(f"apt-get installed postgresql but no initdb/pg_ctl found; "
                                  f"{_INSTALL_HINT}")  # fmt: skip
    return found


@contextlib.contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    """initdb a fresh cluster in a new temporary directory, start it, yield it, stop it for sure.

    The directory is made with tempfile (in /tmp, which the `postgres` user can reach, unlike
    pytest's private tmp_path) and removed afterwards.
    """
    bin_dir = ensure_bin_dir()
    as_user = _cluster_owner()
    cluster = Path(tempfile.mkdtemp(prefix="course-users-pg-"))
    try:
        if as_user is not None:
            owner = pwd.getpwnam(as_user)
            os.chown(cluster, owner.pw_uid, owner.pw_gid)
        with _started(bin_dir, as_user, cluster) as server:
            yield server
    finally:
        shutil.rmtree(cluster, ignore_errors=True)


@contextlib.contextmanager
def _started(bin_dir: Path, as_user: str | None, cluster: Path) -> Iterator[PostgresServer]:
    data = cluster / "data"
    _run(
        _as(as_user, [str(bin_dir / "initdb"), "-D", str(data), "-U", SUPERUSER,
                      "--auth", "trust", "--encoding", "UTF8", "--locale", "C.UTF-8"]),
        what="initdb",
    )  # fmt: skip
    port = free_port()
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -k {cluster} "
        # A test cluster: durability is not wanted, speed is.
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    )
    pg_ctl = str(bin_dir / "pg_ctl")
    log = cluster / "server.log"
    try:
        _run(
            _as(as_user, [pg_ctl, "-D", str(data), "-l", str(log), "-o", options,
                          "-w", "-t", str(START_TIMEOUT_S), "start"]),
            what="pg_ctl start", log=log,
        )  # fmt: skip
        server = PostgresServer("127.0.0.1", port, cluster)
        _wait_until_accepting(server, log)
        yield server
    finally:
        subprocess.run(
            _as(as_user, [pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"]),
            capture_output=True,
            timeout=STOP_TIMEOUT_S,
            check=False,
        )


def _cluster_owner() -> str | None:
    """The user to run initdb and pg_ctl as: `postgres` when we are root, else ourselves."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SUPERUSER)
    except KeyError:
        raise PostgresUnavailable(
            "running as root but there is no 'postgres' user to own the cluster "
            "(initdb refuses root); create it or install the Debian postgresql package"
        ) from None
    return SUPERUSER


def _as(user: str | None, command: list[str]) -> list[str]:
    return command if user is None else ["runuser", "-u", user, "--", *command]


def _run(
    command: list[str],
    *,
    what: str,
    env: dict[str, str] | None = None,
    timeout: float = START_TIMEOUT_S,
    log: Path | None = None,
) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PostgresUnavailable(f"{what} failed: {exc}") from None
    if done.returncode != 0:
        raise PostgresUnavailable(f"{what} exited with {done.returncode}: {_last_line(done, log)}")


def _last_line(done: subprocess.CompletedProcess[str], log: Path | None) -> str:
    text = (log.read_text(errors="replace") if log and log.exists() else "") or ""
    lines = (done.stderr + done.stdout + text).strip().splitlines()
    return lines[-1].strip() if lines else "no output"


def _wait_until_accepting(server: PostgresServer, log: Path) -> None:
    """pg_ctl -w already waited; still poll a real connection, generously, before going on."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            with server.connect() as conn:
                conn.execute("SELECT 1")
            return
        except psycopg.OperationalError as exc:
            if time.monotonic() > deadline:
                tail = log.read_text(errors="replace").strip().splitlines()[-1:] or [str(exc)]
                message = f"PostgreSQL did not accept connections: {tail[0]}"
                raise PostgresUnavailable(message) from None
        time.sleep(0.2)
