"""The text report and the JUnit XML built from a canned run."""

from __future__ import annotations

import shlex
import xml.etree.ElementTree as ET

from conformance import CheckResult, Failure, Report, Status
from conformance.client import Exchange
from conformance.junit import to_xml, write, xml_safe

URL = "http://127.0.0.1:8000/api/v2/course/1/users/?limit=1&offset=5"
EXCHANGE = Exchange("GET", URL, {"Authorization": "Bearer manager-token"}, 200)


def canned_report() -> Report:
    return Report(
        results=[
            CheckResult("paging.count_stable", Status.PASS, 25, 0.5),
            CheckResult(
                "paging.offset_past_end_empty",
                Status.FAIL,
                3,
                0.2,
                Failure("results=[], count=5", "HTTP 404 \x1b{}", (EXCHANGE,)),
            ),
            CheckResult("auth.forbidden_403", Status.SKIP, reason="no --forbidden-token given"),
        ],
        base_url="http://127.0.0.1:8000/api/v2",
        course_id="1",
        seed=42,
        seconds=1.5,
        requests=30,
    )


class TestRender:
    def test_one_line_per_check_with_verdict_and_cases(self):
        """Every check has one line: verdict, name, cases tried."""
        lines = canned_report().render().splitlines()
        assert any(
            line.startswith("PASS  paging.count_stable") and "25 cases" in line for line in lines
        )
        assert any(
            line.startswith("FAIL  paging.offset_past_end_empty") and "3 cases" in line
            for line in lines
        )
        assert any(
            line.startswith("SKIP  auth.forbidden_403") and "no --forbidden-token" in line
            for line in lines
        )

    def test_failure_shows_expected_got_and_a_pasteable_curl(self):
        """A failure block has expected, got and a curl command carrying the token."""
        text = canned_report().render()
        assert "expected: results=[], count=5" in text
        assert "got:      HTTP 404" in text
        curl = next(line.strip() for line in text.splitlines() if line.strip().startswith("curl "))
        words = shlex.split(curl)
        assert "Authorization: Bearer manager-token" in words
        assert words[-1] == URL

    def test_summary_gives_seed_to_repeat(self):
        """The last line counts verdicts and gives the seed to repeat the run."""
        last = canned_report().render().splitlines()[-1]
        assert "1 passed, 1 failed, 1 skipped" in last
        assert "--seed 42" in last

    def test_exit_code_follows_failures(self):
        """Exit code 1 with a failure, 0 when only passes and skips remain."""
        report = canned_report()
        assert report.exit_code == 1
        passing = Report([report.results[0], report.results[2]], "u", "1", 1, 0.1)
        assert passing.exit_code == 0


class TestJunit:
    def test_one_testcase_per_check(self, tmp_path):
        """The XML parses and holds one testcase per check, failures and skips marked."""
        path = tmp_path / "report.xml"
        write(canned_report(), path)
        root = ET.parse(path).getroot()
        suite = root.find("testsuite")
        cases = suite.findall("testcase")
        assert [case.get("name") for case in cases] == [
            "paging.count_stable",
            "paging.offset_past_end_empty",
            "auth.forbidden_403",
        ]
        assert (
            suite.get("tests") == "3"
            and suite.get("failures") == "1"
            and suite.get("skipped") == "1"
        )
        failure = cases[1].find("failure")
        assert "curl " in failure.text and "Bearer manager-token" in failure.text
        assert cases[2].find("skipped") is not None

    def test_control_characters_are_escaped(self):
        """Characters XML 1.0 forbids (from generated data) become visible escapes."""
        assert xml_safe("a\x1bb\x00") == "a\\x1bb\\x00"
        ET.fromstring(ET.tostring(to_xml(canned_report()).getroot()))
