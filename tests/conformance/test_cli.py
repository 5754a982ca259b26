"""`python -m conformance`: exit codes, one-line reasons, JUnit XML and the curl in failures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from course_users.conformance import all_check_names
from course_users.conformance.__main__ import main
from course_users.conformance.catalogue import CATALOGUE
from tests.conformance.test_report import REPORT_SCHEMA

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
        assert line.startswith("conformance: error: cannot reach ")
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
            "conformance: error: --max-examples: 'lots' is not a positive integer"
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
        """A failing check prints a curl whose token is a variable the shell expands."""
        url = fault_urls["forbidden-not-enforced"]
        assert main(args(url, "--check", "auth", "--seed", "1")) == 1
        out = capsys.readouterr().out
        assert "FAIL  auth.forbidden_403" in out
        curls = [line.strip() for line in out.splitlines() if line.strip().startswith("curl ")]
        assert curls
        assert '-H "Authorization: Bearer $CONFORMANCE_FORBIDDEN_TOKEN"' in curls[0]
        assert "/api/v2/course/1/users/" in curls[0]
        assert "member-token" not in out and "manager-token" not in out

    def test_show_secrets_prints_the_tokens(self, fault_urls, capsys):
        """--show-secrets writes the token itself into the curl line."""
        url = fault_urls["forbidden-not-enforced"]
        assert (
            main(args(url, "--check", "auth.forbidden_403", "--seed", "1", "--show-secrets")) == 1
        )
        curls = [line.strip() for line in capsys.readouterr().out.splitlines() if "curl " in line]
        assert "-H 'Authorization: Bearer member-token'" in curls[0]

    def test_redacted_curl_reproduces_in_a_shell(self, fault_urls, capsys):
        """The redacted curl line, pasted into bash with the variables set, gets the same 200."""
        url = fault_urls["forbidden-not-enforced"]
        assert main(args(url, "--check", "auth.forbidden_403", "--seed", "1")) == 1
        curl = next(
            line.strip() for line in capsys.readouterr().out.splitlines() if "curl " in line
        )
        env = {**os.environ, "CONFORMANCE_FORBIDDEN_TOKEN": "member-token"}
        shell = subprocess.run(
            ["bash", "-c", curl], capture_output=True, text=True, env=env, timeout=120
        )
        assert shell.stdout.startswith("HTTP/1.1 200"), shell.stdout[:200]

    def test_credentials_in_the_base_url_are_refused_without_echo(self, capsys):
        """A base URL with user:password@ is one line that does not repeat the password."""
        code = main(
            ["--base-url", "http://me:hunter2@127.0.0.1:9", "--token", "t", "--course-id", "1"]
        )
        err = capsys.readouterr().err
        assert code == 2 and "carries credentials" in err and "hunter2" not in err
        assert len(err.strip().splitlines()) == 1

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
            [sys.executable, "-m", "course_users.conformance", "--check", "auth"],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        assert "PASS  auth.forbidden_403" in done.stdout
        assert "seed 3" in done.stdout


class TestListChecks:
    def test_plain_lines_are_name_and_description(self, capsys, monkeypatch):
        """--list-checks needs no run options and prints `name  description` per check."""
        for spec in ("CONFORMANCE_BASE_URL", "CONFORMANCE_TOKEN", "CONFORMANCE_COURSE_ID"):
            monkeypatch.delenv(spec, raising=False)
        assert main(["--list-checks"]) == 0
        lines = capsys.readouterr().out.splitlines()
        assert [line.split()[0] for line in lines] == all_check_names()
        first = lines[0].split(None, 1)
        assert first[1] == CATALOGUE[first[0]].description

    def test_json_lists_name_description_basis_and_profile(self, capsys):
        """--list-checks --format json is a list of objects with each check's basis."""
        assert main(["--list-checks", "--format", "json"]) == 0
        rows = json.loads(capsys.readouterr().out)
        assert [row["name"] for row in rows] == all_check_names()
        for row in rows:
            entry = CATALOGUE[row["name"]]
            assert row == {
                "name": entry.name,
                "description": entry.description,
                "basis": list(entry.basis),
                "profile": entry.profile,
            }

    def test_profile_and_check_narrow_the_list(self, capsys):
        """--profile docs lists only the docs-grounded checks, intersected with --check."""
        assert main(["--list-checks", "--profile", "docs", "--check", "auth"]) == 0
        names = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
        assert names and all(n.startswith("auth.") for n in names)
        assert all(CATALOGUE[n].profile == "docs" for n in names)

    def test_empty_intersection_is_a_one_line_settings_error(self, capsys):
        """A --check the docs profile empties exits 2 with one line naming --profile."""
        assert main(["--list-checks", "--profile", "docs", "--check", "paging"]) == 2
        assert one_line(capsys.readouterr().err).startswith("conformance: error: --profile: ")

    def test_format_without_list_checks_is_a_usage_error(self, capsys):
        """--format only means something with --list-checks."""
        assert main(["--format", "json"]) == 2
        assert "--format" in one_line(capsys.readouterr().err)

    @pytest.mark.parametrize("extra", [[], ["--format", "json"]])
    def test_closed_pipe_is_not_an_error(self, extra):
        """A reader gone before the list is written (`| head -1`): exit 0, no traceback."""
        process = subprocess.Popen(
            [sys.executable, "-m", "course_users.conformance", "--list-checks", *extra],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        process.stdout.close()  # before the interpreter has even started: the write must fail
        _, err = process.communicate(timeout=60)
        assert process.returncode == 0
        assert err == b""


class TestProfileRun:
    def test_docs_profile_runs_only_docs_grounded_checks(self, healthy_url, capsys):
        """--profile docs runs exactly the docs-profile checks and says so in the report."""
        assert main(args(healthy_url, "--profile", "docs", "--seed", "2")) == 0
        out = capsys.readouterr().out
        ran = [line.split()[1] for line in out.splitlines() if line.startswith("PASS  ")]
        assert ran == [n for n in all_check_names() if CATALOGUE[n].profile == "docs"]
        assert "profile docs" in out.splitlines()[0]

    def test_unwritable_report_json_exits_2_before_the_run(self, closed_url, tmp_path, capsys):
        """A --report-json in a missing directory is refused before any request."""
        path = tmp_path / "nope" / "report.json"
        assert main(args(closed_url, "--report-json", str(path))) == 2
        assert one_line(capsys.readouterr().err).startswith("conformance: error: --report-json:")

    def test_real_report_json_fits_the_documented_shape(self, fault_urls, tmp_path, capsys):
        """A real run's JSON report (a failure, skips, passes) validates against its schema."""
        path = tmp_path / "report.json"
        url = fault_urls["forbidden-not-enforced"]
        code = main([
            "--base-url", url, "--token", "manager-token", "--course-id", "1",
            "--forbidden-token", "member-token", "--check", "auth", "--seed", "1",
            "--report-json", str(path),
        ])  # fmt: skip
        assert code == 1, capsys.readouterr().out
        body = json.loads(path.read_text(encoding="utf-8"))
        jsonschema.validate(body, REPORT_SCHEMA)
        checks = {check["name"]: check for check in body["checks"]}
        assert checks["auth.forbidden_403"]["status"] == "FAIL"
        assert checks["auth.forbidden_403"]["failure"]["reproduce"][0].startswith("curl ")
        assert checks["auth.missing_course_404"]["skip_reason"] == "no --missing-course-id given"
        assert body["run"]["exit_code"] == 1 and body["run"]["counts"]["FAIL"] >= 1


class TestSetupMistakes:
    def test_existing_missing_course_exits_2_before_any_check(self, healthy_url, capsys):
        """A --missing-course-id whose course exists (200 with members) is a setup error."""
        argv = [
            "--base-url", healthy_url, "--token", "creator-token", "--course-id", "1",
            "--missing-course-id", "2", "--check", "auth",
        ]  # fmt: skip
        assert main(argv) == 2
        captured = capsys.readouterr()
        assert one_line(captured.err).startswith(
            "conformance: error: --missing-course-id: course 2 exists (HTTP 200 with "
        )
        assert "auth." not in captured.out

    def test_missing_course_answering_500_is_left_to_the_checks(self, fault_urls, capsys):
        """A 500 for the missing course proves nothing about the options: the 404 check fails."""
        url = fault_urls["missing-course-500"]
        assert main(args(url, "--check", "auth.missing_course_404", "--seed", "1")) == 1
        assert "FAIL  auth.missing_course_404" in capsys.readouterr().out

    def test_forbidden_token_that_lists_as_the_token_exits_2(self, healthy_url, capsys):
        """--forbidden-token equal to a --token that just listed the course is a setup error."""
        assert main(args(healthy_url, "--forbidden-token", "manager-token")) == 2
        assert one_line(capsys.readouterr().err) == (
            "conformance: error: --forbidden-token is --token, which lists course 1: it is a "
            "creator or manager's token; give a plain member's token"
        )

    def test_missing_course_that_is_the_course_exits_2(self, healthy_url, capsys):
        """--missing-course-id equal to --course-id is a setup error once the course listed."""
        assert main(args(healthy_url, "--missing-course-id", "1")) == 2
        assert "--missing-course-id: course 1 exists" in one_line(capsys.readouterr().err)

    def test_privileged_forbidden_token_fails_with_a_setup_note(self, healthy_url, capsys):
        """A creator's --forbidden-token gets the list: the 403 check fails and a note says why."""
        argv = args(healthy_url, "--check", "auth.forbidden_403", "--seed", "1")
        assert main([*argv, "--forbidden-token", "creator-token"]) == 1
        out = capsys.readouterr().out
        assert "FAIL  auth.forbidden_403" in out
        assert "if it is a creator or manager's token" in out


class TestVerbosity:
    def test_quiet_prints_only_failures_and_the_summary(self, fault_urls, capsys):
        """--quiet drops the header and the PASS/SKIP lines but keeps each failure and the total."""
        url = fault_urls["forbidden-not-enforced"]
        assert main(args(url, "--check", "auth", "--seed", "1", "--quiet")) == 1
        out = capsys.readouterr().out
        assert "FAIL auth.forbidden_403" in out and "reproduce" in out
        assert "PASS  " not in out and "Conformance of" not in out
        assert out.rstrip().splitlines()[-1].startswith(f"{len(auth_names())} checks: ")

    def test_quiet_green_run_is_the_summary_line(self, healthy_url, capsys):
        """A passing --quiet run prints one line."""
        assert main(args(healthy_url, "--check", "auth", "--seed", "1", "--quiet")) == 0
        assert one_line(capsys.readouterr().out).endswith("(repeat this run with --seed 1)")

    def test_verbose_adds_descriptions_and_request_counts(self, healthy_url, capsys):
        """--verbose (or CONFORMANCE_VERBOSE) shows each check's description and its requests."""
        argv = args(healthy_url, "--check", "auth.forbidden_403", "--seed", "1", "--verbose")
        assert main(argv) == 0
        out = capsys.readouterr().out.splitlines()
        at = next(i for i, line in enumerate(out) if "auth.forbidden_403" in line)
        assert out[at + 1].strip() == CATALOGUE["auth.forbidden_403"].description
        assert out[at + 2].strip() == "1 request"

    def test_quiet_and_verbose_together_is_a_one_line_error(self, capsys, monkeypatch):
        """--quiet with --verbose (one from the environment) exits 2 in one line."""
        monkeypatch.setenv("CONFORMANCE_VERBOSE", "1")
        assert main(args("http://127.0.0.1:9", "--quiet")) == 2
        assert one_line(capsys.readouterr().err) == (
            "conformance: error: --quiet: cannot be combined with --verbose; give one of them"
        )


class TestPlurals:
    def test_one_check_one_request_in_the_summary(self, healthy_url, capsys):
        """A run of one check says `1 check`, and no count reads `1 checks` or `1 requests`."""
        assert main(args(healthy_url, "--check", "auth.forbidden_403", "--seed", "1")) == 0
        out = capsys.readouterr().out
        summary = out.rstrip().splitlines()[-1]
        assert summary.startswith("1 check: 1 passed, 0 failed, 0 skipped; 0 cases set aside; ")
        for wrong in ("1 checks", "1 cases", "1 requests", "1 members"):
            assert f" {wrong}" not in f" {out}"


def auth_names() -> list[str]:
    return [name for name in all_check_names() if name.startswith("auth.")]
