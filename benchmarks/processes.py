"""Server processes: start one in its own process group, wait for its first 200, stop it for sure.

Every server the benchmark drives (the mock, Prism, the ceiling) is a real process listening on
127.0.0.1. It is started in a new session so that stopping it kills the whole group (uvicorn
workers, Prism's forked children) and nothing is left running, even when a section fails.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.errors import ServerStartError

AUTH_HEADER = {"Authorization": "Bearer manager-token"}
POLL_INTERVAL_S = 0.05
STOP_GRACE_S = 5.0


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ServerProcess:
    """A started server: its process, where it logs, and how long it took to answer 200."""

    name: str
    command: list[str]
    port: int
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    startup_s: float | None = None
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def pid(self) -> int:
        """The process id of the server's main process."""
        assert self.process is not None, "server not started"
        return self.process.pid

    def start(self, cwd: Path, env: dict[str, str] | None = None) -> None:
        """Launch the command in its own session, output to the log file."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            self.started_at = time.perf_counter()
            self.process = subprocess.Popen(
                self.command,
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, url: str, timeout_s: float) -> float:
        """Poll ``url`` until it answers 200; return seconds from process start to that answer."""
        deadline = time.monotonic() + timeout_s
        last_problem = "no answer yet"
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise ServerStartError(
                    f"{self.name} exited with code {self.process.returncode} before answering: "
                    f"{self.log_tail()}"
                )
            status, last_problem = http_status(url)
            if status == 200:
                self.startup_s = time.perf_counter() - self.started_at
                return self.startup_s
            time.sleep(POLL_INTERVAL_S)
        raise ServerStartError(
            f"{self.name} did not answer 200 at {url} within {timeout_s:.0f} s "
            f"(last: {last_problem}); log: {self.log_tail()}"
        )

    def stop(self) -> None:
        """Terminate the whole process group; kill it if it does not exit within the grace time."""
        if self.process is None or self.process.poll() is not None:
            _kill_group(self.process, signal.SIGKILL)  # reap leftover children of a dead leader
            return
        _kill_group(self.process, signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            _kill_group(self.process, signal.SIGKILL)
            self.process.wait(timeout=STOP_GRACE_S)
        _kill_group(self.process, signal.SIGKILL)

    def log_tail(self, lines: int = 5) -> str:
        """The last lines of the server's log, joined on one line, for error messages."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        tail = [line.strip() for line in text.strip().splitlines()[-lines:]]
        return " | ".join(tail) or "(empty log)"


def http_status(url: str) -> tuple[int | None, str]:
    """GET ``url`` with the manager token; return the status (None: no answer) and a note."""
    request = urllib.request.Request(url, headers=AUTH_HEADER)
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            response.read()
            return response.status, f"HTTP {response.status}"
    except urllib.error.HTTPError as error:
        return error.code, f"HTTP {error.code}"
    except (urllib.error.URLError, OSError) as error:
        return None, str(getattr(error, "reason", error))


def _kill_group(process: subprocess.Popen[bytes] | None, sig: signal.Signals) -> None:
    if process is None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


@contextlib.contextmanager
def running(
    server: ServerProcess,
    cwd: Path,
    ready_url: str,
    timeout_s: float,
    env: dict[str, str] | None = None,
) -> Iterator[ServerProcess]:
    """Start ``server``, wait for its first 200 at ``ready_url``, and always stop it afterwards."""
    try:
        server.start(cwd, env)
        server.wait_ready(ready_url, timeout_s)
        yield server
    finally:
        server.stop()


def process_tree(root_pid: int) -> list[int]:
    """The pid and every live descendant (uvicorn workers, forked children)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        ppid = _parent_pid(entry)
        if ppid is not None:
            children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def _parent_pid(proc_dir: Path) -> int | None:
    try:
        stat = (proc_dir / "stat").read_text()
    except OSError:
        return None
    # The command name in field 2 may contain spaces; fields after its closing parenthesis don't.
    return int(stat.rsplit(")", 1)[1].split()[1])


def memory_kib(pid: int, field_name: str) -> int | None:
    """One memory field (e.g. VmRSS, VmHWM) of /proc/<pid>/status in KiB, None if gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def tree_memory_mib(root_pid: int, field_name: str = "VmRSS") -> float | None:
    """Sum of one memory field over the process tree, in MiB (workers included)."""
    values = [memory_kib(pid, field_name) for pid in process_tree(root_pid)]
    known = [value for value in values if value is not None]
    return round(sum(known) / 1024, 1) if known else None


def run_command(
    command: Sequence[str], cwd: Path, timeout_s: float, env: dict[str, str] | None = None
) -> tuple[int, float, str]:
    """Run a command to completion in its own group; return (exit code, seconds, output)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        list(command),
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        _kill_group(process, signal.SIGKILL)
        output, _ = process.communicate()
        elapsed = time.perf_counter() - started
        return -1, elapsed, output.decode(errors="replace") + f"\n(killed after {timeout_s:.0f} s)"
    finally:
        _kill_group(process, signal.SIGKILL)
    return process.returncode, time.perf_counter() - started, output.decode(errors="replace")
