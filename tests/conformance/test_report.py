"""The text, JUnit XML and JSON reports built from a canned run."""

from __future__ import annotations

import json
import shlex
import xml.etree.ElementTree as ET

import jsonschema

from course_users.conformance import CheckResult, Failure, Report, Status
from course_users.conformance.catalogue import CATALOGUE
from course_users.conformance.client import Exchange
from course_users.conformance.jsonreport import to_json
from course_users.conformance.jsonreport import write as write_json
from course_users.conformance.junit import to_xml, write, xml_safe

URL = "http://127.0.0.1:8000/api/v2/course/1/users/?limit=1&offset=5"
EXCHANGE = Exchange("GET", URL, {"Authorization": "Bearer manager-token"}, 200)


def canned_report() -> Report:
    return Report(
        results=[
            CheckResult("paging.count_stable", Status.PASS, 25, 0.5, set_aside=(("ß vs SS", 3),)),
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

    def test_failure_block_names_its_basis(self):
        """Each failure shows what the check enforces and the statements it rests on."""
        lines = canned_report().render().splitlines()
        block = lines[lines.index("FAIL paging.offset_past_end_empty") :]
        entry = CATALOGUE["paging.offset_past_end_empty"]
        assert block[1] == f"  check:    {entry.description}"
        assert block[2] == "  basis:    " + ", ".join(entry.basis)
        assert "decision:offset-start" in block[2]

    def test_set_aside_is_a_note_under_the_check_and_counted_in_the_summary(self):
        """Cases a check did not judge are noted under its line and totalled at the end."""
        lines = canned_report().render().splitlines()
        at = next(i for i, line in enumerate(lines) if line.startswith("PASS  paging.count_stable"))
        assert lines[at + 1].strip() == "set aside: 3 cases — ß vs SS"
        assert "; 3 cases set aside;" in lines[-1]

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

    def test_failed_testcase_carries_description_and_basis(self):
        """A failed testcase has description and basis properties; passes have none of those."""
        suite = to_xml(canned_report()).getroot().find("testsuite")
        cases = {case.get("name"): case for case in suite.findall("testcase")}
        failed = {
            p.get("name"): p.get("value")
            for p in cases["paging.offset_past_end_empty"].iter("property")
        }
        entry = CATALOGUE["paging.offset_past_end_empty"]
        assert failed == {"description": entry.description, "basis": ", ".join(entry.basis)}
        passed = {
            p.get("name"): p.get("value") for p in cases["paging.count_stable"].iter("property")
        }
        assert passed == {"set_aside": "3 x ß vs SS"}

    def test_control_characters_are_escaped(self):
        """Characters XML 1.0 forbids (from generated data) become visible escapes."""
        assert xml_safe("a\x1bb\x00") == "a\\x1bb\\x00"
        ET.fromstring(ET.tostring(to_xml(canned_report()).getroot()))


BASIS_PATTERN = "^(docs:.+\\.md:[1-9][0-9]*|decision:[a-z0-9]+(-[a-z0-9]+)*)$"
# The documented shape of --report-json (conformance/jsonreport.py), stated independently.
REPORT_SCHEMA = {
    "type": "object",
    "required": ["format", "run", "checks"],
    "properties": {
        "format": {"const": "conformance-report/1"},
        "run": {
            "type": "object",
            "required": [
                "base_url", "course_id", "seed", "profile", "seconds", "requests", "counts",
                "set_aside", "exit_code", "cannot_run",
            ],
            "properties": {
                "base_url": {"type": ["string", "null"]},
                "course_id": {"type": ["string", "null"]},
                "seed": {"type": ["integer", "null"]},
                "profile": {"enum": ["docs", "contract"]},
                "seconds": {"type": "number", "minimum": 0},
                "requests": {"type": "integer", "minimum": 0},
                "counts": {
                    "type": "object",
                    "required": ["PASS", "FAIL", "SKIP"],
                    "additionalProperties": {"type": "integer", "minimum": 0},
                },
                "set_aside": {"type": "integer", "minimum": 0},
                "exit_code": {"enum": [0, 1, 2]},
                "cannot_run": {"type": ["string", "null"], "minLength": 1},
            },
        },
        "checks": {
            "type": "array",
            "items": {
                "type": "object",
                "required": [
                    "name", "description", "basis", "profile", "status", "cases", "seconds",
                    "skip_reason", "set_aside", "failure",
                ],
                "properties": {
                    "name": {"type": "string", "pattern": "^[a-z]+\\.[A-Za-z0-9_-]+$"},
                    "description": {"type": "string", "minLength": 1},
                    "basis": {
                        "type": "array",
                        "minItems": 1,
                        "items": {"type": "string", "pattern": BASIS_PATTERN},
                    },
                    "profile": {"enum": ["docs", "contract"]},
                    "status": {"enum": ["PASS", "FAIL", "SKIP"]},
                    "cases": {"type": "integer", "minimum": 0},
                    "seconds": {"type": "number", "minimum": 0},
                    "skip_reason": {"type": ["string", "null"]},
                    "set_aside": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["reason", "count"],
                            "properties": {
                                "reason": {"type": "string"},
                                "count": {"type": "integer", "minimum": 1},
                            },
                        },
                    },
                    "failure": {
                        "oneOf": [
                            {"type": "null"},
                            {
                                "type": "object",
                                "required": ["expected", "got", "reproduce"],
                                "properties": {
                                    "expected": {"type": "string"},
                                    "got": {"type": "string"},
                                    "reproduce": {"type": "array", "items": {"type": "string"}},
                                },
                            },
                        ]
                    },
                },
            },
        },
    },
    # A run with verdicts knows where it ran and has no reason; "cannot run" has one and no checks.
    "if": {"properties": {"run": {"properties": {"exit_code": {"const": 2}}}}},
    "then": {
        "properties": {
            "run": {"properties": {"cannot_run": {"type": "string"}}},
            "checks": {"maxItems": 0},
        }
    },
    "else": {
        "properties": {
            "run": {
                "properties": {
                    "cannot_run": {"type": "null"},
                    "base_url": {"type": "string"},
                    "course_id": {"type": "string"},
                    "seed": {"type": "integer"},
                }
            }
        }
    },
}  # fmt: skip


class TestJson:
    def test_canned_report_fits_the_documented_shape(self, tmp_path):
        """The written file parses and validates against the documented schema."""
        path = tmp_path / "report.json"
        write_json(canned_report(), path)
        jsonschema.validate(json.loads(path.read_text(encoding="utf-8")), REPORT_SCHEMA)

    def test_checks_carry_verdicts_basis_and_reproduction(self):
        """Each check has its basis; a failure its expected, got and curl; a skip its reason."""
        body = to_json(canned_report())
        checks = {check["name"]: check for check in body["checks"]}
        failed = checks["paging.offset_past_end_empty"]
        assert failed["basis"] == list(CATALOGUE["paging.offset_past_end_empty"].basis)
        assert failed["failure"]["expected"] == "results=[], count=5"
        assert "Bearer manager-token" in failed["failure"]["reproduce"][0]
        assert checks["auth.forbidden_403"]["skip_reason"] == "no --forbidden-token given"
        assert checks["paging.count_stable"]["set_aside"] == [{"reason": "ß vs SS", "count": 3}]
        assert body["run"]["counts"] == {"PASS": 1, "FAIL": 1, "SKIP": 1}
        assert (body["run"]["set_aside"], body["run"]["exit_code"]) == (3, 1)
