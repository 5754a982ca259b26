"""benchmarks.loadgen: wrk's output read back, wrk required, and one tiny real run on the mock."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.errors import ToolError
from benchmarks.loadgen import (
    LoadSpec,
    WrkLoadGenerator,
    WrkNotInstalled,
    parse_wrk_output,
    select_load_generator,
)
from course_users.conformance.servers import ServerProcess, free_port, running

REPO = Path(__file__).resolve().parents[2]


def wrk_summary(output: str, label: str) -> str:
    """A figure from wrk's own human-readable summary: the oracle our Lua line must agree with."""
    return re.search(rf"{label}:\s+(.+)", output).group(1).strip()


class TestParseWrkOutput:
    def test_a_clean_run(self, wrk_output):
        """Requests, duration, req/s and latencies of a run with no errors, in ms."""
        output = wrk_output("wrk-mix.txt")
        result = parse_wrk_output(output)
        assert result.requests == 3195
        assert result.duration_s == 2.02
        assert result.rps == pytest.approx(float(wrk_summary(output, "Requests/sec")), abs=0.1)
        assert (result.p50_ms, result.p90_ms, result.p99_ms) == (2.082, 7.654, 15.587)
        assert result.max_ms == 35.149
        assert result.total_errors == 0

    def test_non_2xx_answers_are_errors(self, wrk_output):
        """Every 404 wrk counted ("Non-2xx or 3xx responses") is an error of the run."""
        output = wrk_output("wrk-not-found.txt")
        result = parse_wrk_output(output)
        non_2xx = int(wrk_summary(output, "Non-2xx or 3xx responses"))
        assert result.errors["non_2xx"] == non_2xx == result.requests
        assert result.total_errors == non_2xx

    def test_socket_errors_are_counted_by_kind(self, wrk_output):
        """wrk's "Socket errors" line and ours agree kind by kind; no answer means 0 req/s."""
        output = wrk_output("wrk-socket-errors.txt")
        result = parse_wrk_output(output)
        summary = dict(
            (kind, int(count))
            for kind, count in re.findall(r"(\w+) (\d+)", wrk_summary(output, "Socket errors"))
        )
        assert {kind: result.errors[kind] for kind in summary} == summary
        assert (result.requests, result.rps) == (0, 0.0)

    def test_output_without_our_line_is_a_one_line_error(self):
        """wrk's summary alone (the Lua script did not run) is a ToolError, not a KeyError."""
        with pytest.raises(ToolError, match=r"^wrk printed no result line: ") as caught:
            parse_wrk_output("Running 1s test @ http://127.0.0.1:1\n  0 requests in 1.00s\n")
        assert "\n" not in str(caught.value)

    def test_as_dict_carries_the_error_total(self, wrk_output):
        """The JSON form has every field and the total the report and the targets read."""
        result = parse_wrk_output(wrk_output("wrk-not-found.txt")).as_dict()
        assert result["total_errors"] == result["errors"]["non_2xx"] == 1419
        assert result["requests"] == 1419


class TestWrkRequired:
    def test_missing_wrk_names_how_to_install_it(self, monkeypatch, tmp_path):
        """Without wrk on PATH: WrkNotInstalled, one line, naming `make bench` and apt-get."""
        monkeypatch.setenv("PATH", str(tmp_path))
        with pytest.raises(WrkNotInstalled) as caught:
            select_load_generator("auto")
        message = str(caught.value)
        assert "\n" not in message
        assert "make bench" in message and "apt-get install wrk" in message

    def test_the_python_generator_is_gone(self):
        """Asking for another generator is a ToolError naming wrk as the only one."""
        with pytest.raises(ToolError, match="wrk is the only one"):
            select_load_generator("python")

    def test_the_benchmark_stops_with_exit_2_and_one_line(self, tmp_path):
        """`python -m benchmarks` without wrk measures nothing: one error line, exit 2."""
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks", "--quick", "--only", "soak",
             "--out", str(tmp_path / "results.json")],
            cwd=REPO, env={"PATH": str(tmp_path)}, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 2, done.stdout + done.stderr
        assert done.stderr.strip().splitlines() == [
            "benchmarks: error: wrk is not installed; install it: "
            "`make bench` does (apt-get install wrk), or your package manager"
        ]
        assert not (tmp_path / "results.json").exists()


class TestRealRun:
    def test_wrk_rotates_the_paths_against_a_real_mock(self, wrk, tmp_path):
        """One second of wrk on a real mock: both paths are sent, with the token, in turn."""
        port = free_port()
        command = [sys.executable, "-m", "course_users.mockserver", "--port", str(port)]
        server = ServerProcess("the mock", command, port, tmp_path / "mock.log")
        found, missing = "/api/v2/course/1/users/?limit=1", "/api/v2/course/999999/users/"
        with running(server, f"http://127.0.0.1:{port}/api/v2/openapi.json", cwd=REPO):
            spec = LoadSpec(port, [found, missing], duration_s=1, connections=2, threads=1)
            result = WrkLoadGenerator(wrk).run(spec)
        assert result.requests > 0 and result.rps > 0
        # The token works (some 200s) and the missing course is asked too (some 404s).
        assert 0 < result.errors["non_2xx"] < result.requests
        assert {key: result.errors[key] for key in ("connect", "read", "write", "timeout")} == {
            "connect": 0, "read": 0, "write": 0, "timeout": 0,
        }  # fmt: skip
        log = server.log()
        assert f'"GET {found}" 200' in log and f'"GET {missing}" 404' in log
