"""`python -m conformance`: exit codes, one-line reasons, JUnit XML and the curl in failures."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from conformance import all_check_names
from conformance.__main__ import main

REPO = Path(__file__).resolve().parents[2]


def args(base_url: str, *extra: str) -> list[str]:
    return [
        "--base-url", base_url, "--token", "manager-token", "--course-id", "1",
        "--forbidden-token", "member-token", "--missing-course-id", "999999", *extra,
    ]  # fmt: skip


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


class TestCannotRun:
    def test_unreachable_server_exits_2_with_one_line(self, closed_url, capsys):
        """No server listening: exit 2 and a one-line reason naming the URL."""
        assert main(args(closed_url)) == 2
        line = one_line(capsys.readouterr().err)
        assert line.startswith("conformance: cannot run: cannot reach ")
        assert closed_url in line

    def test_rejected_token_exits_2(self, healthy_url, capsys):
        """A token the server answers 401 to on the first call: exit 2."""
        assert main([*args(healthy_url), "--token", "no-such-token"]) == 2
        assert "rejected --token" in one_line(capsys.readouterr().err)

    def test_token_without_rights_exits_2(self, healthy_url, capsys):
        """A token that is not creator/manager (403 on the first call): exit 2."""
        assert main([*args(healthy_url), "--token", "member-token"]) == 2
        assert "not creator or manager" in one_line(capsys.readouterr().err)

    def test_unknown_course_exits_2(self, healthy_url, capsys):
        """A course the server does not know (404 on the first call): exit 2."""
        assert main([*args(healthy_url), "--course-id", "999999"]) == 2
        assert "course 999999 not found" in one_line(capsys.readouterr().err)

    def test_server_that_is_not_the_api_exits_2(self, serve_app, capsys):
        """A 200 that is not a member listing (wrong base URL): exit 2."""
        app = Starlette(routes=[Route("/{path:path}", lambda r: HTMLResponse("<h1>hi</h1>"))])
        with serve_app(app) as root:
            assert main(args(root)) == 2
        assert "did not return a member listing" in one_line(capsys.readouterr().err)

    def test_bad_option_value_exits_2_naming_it(self, capsys):
        """A bad --max-examples fails by name before any request."""
        assert main(args("http://127.0.0.1:9", "--max-examples", "lots")) == 2
        assert one_line(capsys.readouterr().err) == (
            "conformance: cannot run: --max-examples: 'lots' is not a positive integer"
        )

    def test_missing_required_option_exits_2(self, capsys, monkeypatch):
        """Without --token or CONFORMANCE_TOKEN the run cannot start."""
        monkeypatch.delenv("CONFORMANCE_TOKEN", raising=False)
        assert main(["--base-url", "http://127.0.0.1:9", "--course-id", "1"]) == 2
        assert "--token" in one_line(capsys.readouterr().err)

    def test_unknown_check_pattern_exits_2(self, capsys):
        """A --check that matches nothing is an error, not an empty green run."""
        assert main(args("http://127.0.0.1:9", "--check", "pagin.*")) == 2
        assert "matches no check" in one_line(capsys.readouterr().err)

    def test_unknown_option_exits_2_in_one_line(self, capsys):
        """An unknown option is a one-line usage error with exit 2."""
        with pytest.raises(SystemExit) as caught:
            main(["--bogus"])
        assert caught.value.code == 2
        assert "--bogus" in one_line(capsys.readouterr().err)


class TestReports:
    def test_junit_xml_has_one_testcase_per_check(self, healthy_url, tmp_path, capsys):
        """--junit-xml writes valid XML with one testcase per check of a full run."""
        path = tmp_path / "junit.xml"
        code = main(
            args(healthy_url, "--max-examples", "3", "--seed", "4", "--junit-xml", str(path))
        )
        assert code == 0, capsys.readouterr().out
        names = [case.get("name") for case in ET.parse(path).getroot().iter("testcase")]
        assert names == all_check_names()

    def test_failure_report_contains_a_curl_command(self, fault_urls, capsys):
        """A failing check prints a ready-to-paste curl with the Authorization header."""
        url = fault_urls["forbidden-not-enforced"]
        assert main(args(url, "--check", "auth", "--seed", "1")) == 1
        out = capsys.readouterr().out
        assert "FAIL  auth.forbidden_403" in out
        curls = [line.strip() for line in out.splitlines() if line.strip().startswith("curl ")]
        assert curls
        assert "-H 'Authorization: Bearer member-token'" in curls[0]
        assert "/api/v2/course/1/users/" in curls[0]

    def test_module_reads_environment_and_exits_0(self, healthy_url):
        """`python -m conformance` configured only by CONFORMANCE_* variables passes."""
        env = {
            **os.environ,
            "CONFORMANCE_BASE_URL": healthy_url + "/api/v2/",
            "CONFORMANCE_TOKEN": "manager-token",
            "CONFORMANCE_COURSE_ID": "1",
            "CONFORMANCE_FORBIDDEN_TOKEN": "member-token",
            "CONFORMANCE_MISSING_COURSE_ID": "999999",
            "CONFORMANCE_SEED": "3",
        }
        done = subprocess.run(
            [sys.executable, "-m", "conformance", "--check", "auth"],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        assert "PASS  auth.forbidden_403" in done.stdout
        assert "seed 3" in done.stdout
