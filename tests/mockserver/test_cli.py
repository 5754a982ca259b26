"""`python -m mockserver` as a user runs it: options, bad input, banner, logs, reload, proxies."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time

import httpx
import pytest

from course_users.conformance.servers import free_port
from course_users.fixtures import DEFAULT_FIXTURES, load_dataset
from tests.mockserver.battery import eventually as _eventually

AUTH = {"Authorization": "Bearer creator-token"}
FORWARDED = {**AUTH, "X-Forwarded-Proto": "https", "X-Forwarded-Host": "dash.example.com"}


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the CLI to completion (for options that must fail before serving)."""
    return subprocess.run(
        [sys.executable, "-m", "course_users.mockserver", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        check=False,
    )


class TestBadInput:
    """Bad options and bad fixtures: one line on stderr, non-zero exit, nothing served."""

    @pytest.mark.parametrize(
        ("args", "env", "code", "named"),
        [
            (["--port", "abc"], {}, 2, "--port: 'abc'"),
            (["--bogus"], {}, 2, "--bogus"),
            (["--latency", "3-1"], {}, 2, "--latency"),
            (["--error-rate", "2"], {}, 2, "--error-rate"),
            ([], {"MOCKSERVER_MAX_LIMIT": "0"}, 2, "MOCKSERVER_MAX_LIMIT"),
        ],
    )
    def test_bad_option_is_one_line(self, args, env, code, named):
        """Each bad option or variable exits non-zero with one line naming it."""
        result = run_cli(*args, env=env)
        assert result.returncode == code
        assert len(result.stderr.strip().splitlines()) == 1 and named in result.stderr
        assert result.stdout == ""

    @pytest.mark.parametrize(
        "content",
        [
            "courses: [\n",  # not YAML
            "users: 5\ncourses: []\ntokens: {}\n",  # valid YAML, not a valid dataset
        ],
    )
    def test_bad_fixture_is_one_line(self, tmp_path, content):
        """A broken fixture file exits 1 with one line naming the file."""
        path = tmp_path / "broken.yaml"
        path.write_text(content)
        result = run_cli("--fixtures", str(path), "--port", str(free_port()))
        assert result.returncode == 1
        assert len(result.stderr.strip().splitlines()) == 1 and "broken.yaml" in result.stderr

    def test_busy_port_is_one_line_before_loading(self, tmp_path):
        """A port something else listens on: exit 2 naming it, without loading the fixtures."""
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            # A broken file: had it been loaded, the error would have been about the fixtures.
            broken = tmp_path / "broken.yaml"
            broken.write_text("courses: [\n")
            result = run_cli("--port", str(port), "--fixtures", str(broken))
        assert result.returncode == 2
        assert result.stderr.strip().splitlines() == [
            f"mockserver: error: --host/--port: '127.0.0.1:{port}' cannot be listened on: "
            "Address already in use"
        ]

    def test_help_does_not_mention_faults(self):
        """Fault injection is test-only: --help does not show it."""
        result = run_cli("--help")
        assert result.returncode == 0 and "FAULT" not in result.stdout


@pytest.fixture(scope="module")
def configured(start_mock):
    """One server with several options that do not interfere (saves a start per option)."""
    return start_mock("--log-level", "info", "--max-limit", "7", "--proxy-headers")


class TestRunning:
    """A running server's banner, access log and options."""

    def test_banner_and_access_log(self, configured):
        """The banner names the URLs and tokens; each request logs one line."""
        httpx.get(configured.url("course/1/users/?limit=3"), headers=AUTH)
        time.sleep(0.3)
        log = configured.log()
        assert configured.base_url in log and configured.url("ui/") in log
        for token in ("creator-token", "manager-token", "member-token", "outsider-token"):
            assert token in log
        assert '"GET /api/v2/course/1/users/?limit=3" 200' in log

    def test_max_limit_option_caps_pages(self, configured, get_page):
        """--max-limit 7 serves at most 7 items and links carry limit=7."""
        body = get_page(configured.url("course/1/users/?limit=50"))
        assert len(body["results"]) == 7 and "limit=7" in body["next"]

    def test_generated_members(self, start_mock, get_page):
        """--members N --seed S serves a generated dataset of that size."""
        server = start_mock("--members", "500", "--seed", "3", "--courses", "1")
        url = server.url(
            "course/1/users/?statuses=" + '["creator","manager","joined","invited","requested"]'
        )
        assert get_page(url)["count"] == 500

    def test_latency_and_error_rate(self, start_mock):
        """--latency 300 delays each request; --error-rate 1 answers a simulated 500 or 503."""
        server = start_mock("--latency", "300", "--error-rate", "1", "--log-level", "warning")
        with httpx.Client() as client:
            responses = [client.get(server.url("course/1/users/"), headers=AUTH) for _ in range(6)]
        assert {r.status_code for r in responses} <= {500, 503}
        assert all("imulated" in r.json()["detail"] for r in responses)
        assert all(r.elapsed.total_seconds() >= 0.3 for r in responses)

    def test_two_workers_serve(self, start_mock, get_page):
        """--workers 2 starts and answers (workers forked from the parent that loaded the data)."""
        server = start_mock("--workers", "2", "--max-limit", "5", "--log-level", "warning")
        bodies = [get_page(server.url("course/1/users/")) for _ in range(6)]
        assert all(len(body["results"]) == 5 for body in bodies)


class TestProxyHeaders:
    """Links honour X-Forwarded-* only with --proxy-headers."""

    def test_links_use_forwarded_scheme_and_host(self, configured, get_page):
        """With --proxy-headers, next is built on the forwarded scheme and host."""
        body = get_page(configured.url("course/1/users/"), headers=FORWARDED)
        assert body["next"].startswith("https://dash.example.com/api/v2/course/1/users/?")

    def test_forwarded_headers_ignored_by_default(self, mock_server, get_page):
        """Without the option, a client cannot rewrite the links."""
        body = get_page(mock_server.url("course/1/users/"), headers=FORWARDED)
        assert body["next"].startswith(mock_server.base_url)


class TestReload:
    """--reload picks up fixture edits and survives bad ones."""

    def test_edit_is_served_and_bad_edit_keeps_last_good_data(self, start_mock, tmp_path, get_page):
        """Renaming a user shows up; then a broken file keeps the renamed data and logs one line."""
        path = tmp_path / "fixtures.yaml"
        shutil.copy(DEFAULT_FIXTURES, path)
        old_name = load_dataset(DEFAULT_FIXTURES).users[1].username  # the creator of course 1
        server = start_mock("--fixtures", str(path), "--reload")
        url = server.url("course/1/users/?statuses=creator")

        def creator_name() -> str:
            return get_page(url)["results"][0]["username"]

        assert creator_name() == old_name
        path.write_text(path.read_text().replace(old_name, "renamed-creator"))
        assert _eventually(lambda: creator_name() == "renamed-creator")
        path.write_text("courses: [\n")
        assert _eventually(lambda: "Reload failed" in server.log())
        assert creator_name() == "renamed-creator"
        failure = [line for line in server.log().splitlines() if "Reload failed" in line]
        assert len(failure) == 1 and "fixtures.yaml" in failure[0]
