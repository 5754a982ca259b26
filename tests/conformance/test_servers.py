"""conformance.servers: start a real server process, wait until it answers, stop it for sure."""

from __future__ import annotations

import signal
import socket
import sys
import time

import httpx
import pytest

from course_users.conformance.servers import (
    ServerDidNotStart,
    ServerProcess,
    free_port,
    run_command,
    running,
)

# Ignores SIGTERM, says so, then answers nothing: only SIGKILL stops it.
STUBBORN = (
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
    "print('ignoring SIGTERM', flush=True); time.sleep(600)"
)


def http_server(tmp_path, name: str = "http.server") -> ServerProcess:
    """Python's own file server on a free port, serving `tmp_path`."""
    port = free_port()
    command = [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "-d", str(tmp_path)]
    return ServerProcess(name, [*command, str(port)], port, tmp_path / f"{name}.log")


class TestFreePort:
    def test_port_can_be_listened_on(self):
        """The port handed out is free on 127.0.0.1: a socket can listen on it at once."""
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", free_port()))
            sock.listen()


class TestRunning:
    def test_yields_an_answering_server_and_stops_it(self, tmp_path):
        """Inside the block the server answers; afterwards its process has exited."""
        (tmp_path / "ready.txt").write_text("yes")
        server = http_server(tmp_path)
        url = f"http://127.0.0.1:{server.port}/ready.txt"
        with running(server, url) as started:
            assert httpx.get(url, timeout=10).text == "yes"
            assert started.startup_s is not None
        assert server.process is not None and server.process.poll() is not None
        with pytest.raises(httpx.ConnectError):
            httpx.get(url, timeout=10)

    def test_any_status_accepts_an_error_answer(self, tmp_path):
        """With any_status a 404 counts as ready (Prism answers 401 without a token)."""
        server = http_server(tmp_path)
        url = f"http://127.0.0.1:{server.port}/missing"
        with running(server, url, any_status=True):
            assert httpx.get(url, timeout=10).status_code == 404

    def test_early_exit_is_reported_with_the_log(self, tmp_path):
        """A server that exits before answering: its exit code and last log line, in one line."""
        command = [sys.executable, "-c", "print('port is taken'); raise SystemExit(3)"]
        server = ServerProcess("the mock", command, free_port(), tmp_path / "early.log")
        url = f"http://127.0.0.1:{server.port}/"
        with pytest.raises(ServerDidNotStart) as caught, running(server, url):
            pytest.fail("an exited server was taken for ready")
        assert str(caught.value) == "the mock exited with 3 before answering: port is taken"
        assert "\n" not in str(caught.value)
        assert "port is taken" in caught.value.log


class TestStop:
    def test_a_server_ignoring_sigterm_is_killed(self, tmp_path):
        """stop() terminates, then kills a process that ignores SIGTERM."""
        command = [sys.executable, "-c", STUBBORN]
        server = ServerProcess("stubborn", command, free_port(), tmp_path / "stubborn.log")
        server.start()
        while "ignoring SIGTERM" not in server.log():  # bounded by pytest's timeout
            assert server.process is not None and server.process.poll() is None
            time.sleep(0.05)
        server.stop()
        assert server.process.returncode == -signal.SIGKILL


class TestRunCommand:
    def test_exit_code_and_output(self, tmp_path):
        """A finished command gives its exit code and its stdout and stderr together."""
        command = [sys.executable, "-c", "import sys; print('out'); sys.exit('err')"]
        code, _seconds, output = run_command(command, tmp_path, timeout_s=120)
        assert (code, sorted(output.split())) == (1, ["err", "out"])

    def test_timeout_kills_and_says_so(self, tmp_path):
        """A command past its deadline is killed: exit code -1 and a note in the output."""
        command = [sys.executable, "-c", "import time; time.sleep(600)"]
        code, _seconds, output = run_command(command, tmp_path, timeout_s=1)
        assert code == -1
        assert output.strip() == "(killed after 1 s)"
