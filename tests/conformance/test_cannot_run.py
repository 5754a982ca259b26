"""A run that cannot run (exit 2) still writes its JUnit XML and JSON report, naming the reason."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import jsonschema
from junitparser import Error, JUnitXml

from course_users.conformance.__main__ import main
from tests.conformance.test_report import REPORT_SCHEMA


def args(base_url: str, *extra: str) -> list[str]:
    return [
        "--base-url", base_url, "--token", "manager-token", "--course-id", "1",
        "--forbidden-token", "member-token", "--missing-course-id", "999999", *extra,
    ]  # fmt: skip


def run_with_reports(tmp_path, argv: list[str]) -> tuple[int, JUnitXml, dict]:
    junit_path, json_path = tmp_path / "j.xml", tmp_path / "r.json"
    code = main([*argv, "--junit-xml", str(junit_path), "--report-json", str(json_path)])
    body = json.loads(json_path.read_text(encoding="utf-8"))
    jsonschema.validate(body, REPORT_SCHEMA)
    return code, JUnitXml.fromfile(str(junit_path)), body


def only_error(xml: JUnitXml) -> Error:
    cases = [case for suite in xml for case in suite]
    assert len(cases) == 1
    (error,) = cases[0].result
    assert isinstance(error, Error)
    return error


class TestUnreachableServer:
    def test_exit_2_writes_an_errored_junit_testcase(self, closed_url, tmp_path, capsys):
        """No server listening: exit 2, and the JUnit file has one testcase errored with why."""
        code, xml, _ = run_with_reports(tmp_path, args(closed_url))
        assert code == 2
        reason = capsys.readouterr().err.strip().removeprefix("conformance: error: ")
        assert reason.startswith("cannot reach ") and closed_url in reason
        suite = next(iter(xml))
        assert (suite.tests, suite.errors, suite.failures) == (1, 1, 0)
        assert only_error(xml).message == reason

    def test_junit_is_plain_junit_xml_too(self, closed_url, tmp_path):
        """ElementTree reads the same file: testsuites > testsuite > testcase > error."""
        run_with_reports(tmp_path, args(closed_url))
        root = ET.parse(tmp_path / "j.xml").getroot()
        assert root.tag == "testsuites"
        (case,) = root.iter("testcase")
        assert case.get("name") == "cannot_run" and case.find("error") is not None

    def test_json_report_has_exit_code_2_the_reason_and_no_checks(self, closed_url, tmp_path):
        """The JSON report says exit_code 2, the one-line reason, and lists no checks."""
        code, _, body = run_with_reports(tmp_path, args(closed_url, "--seed", "5"))
        assert code == 2
        assert body["run"]["exit_code"] == 2 and body["checks"] == []
        assert body["run"]["cannot_run"].startswith("cannot reach ")
        assert (body["run"]["course_id"], body["run"]["seed"]) == ("1", 5)


class TestOtherReasons:
    def test_rejected_token_is_the_reason(self, healthy_url, tmp_path):
        """A token answered 401 on the first call is the errored testcase's message."""
        code, xml, body = run_with_reports(tmp_path, args(healthy_url, "--token", "nobody"))
        assert code == 2
        assert "rejected --token" in only_error(xml).message
        assert "rejected --token" in body["run"]["cannot_run"]

    def test_deadline_reached_is_the_reason(self, healthy_url, tmp_path):
        """A run past --run-timeout stops as cannot run, and both reports say so."""
        code, xml, body = run_with_reports(tmp_path, args(healthy_url, "--run-timeout", "1e-9"))
        assert code == 2
        assert only_error(xml).message == "the run reached its deadline after 0 requests"
        assert body["run"]["cannot_run"] == only_error(xml).message

    def test_bad_setting_still_writes_the_reports(self, closed_url, tmp_path):
        """A bad --max-examples is named in both reports when their paths could be read."""
        code, xml, body = run_with_reports(tmp_path, args(closed_url, "--max-examples", "lots"))
        assert code == 2
        assert only_error(xml).message == "--max-examples: 'lots' is not a positive integer"
        assert body["run"]["cannot_run"] == only_error(xml).message
        assert body["run"]["base_url"] == closed_url

    def test_unwritable_path_skips_only_that_report(self, closed_url, tmp_path):
        """--report-json in a missing directory is the reason; the JUnit file still says so."""
        junit_path = tmp_path / "j.xml"
        code = main(
            args(closed_url, "--junit-xml", str(junit_path), "--report-json", "/nope/r.json")
        )
        assert code == 2
        assert only_error(JUnitXml.fromfile(str(junit_path))).message.startswith("--report-json:")
