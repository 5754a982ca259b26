"""JUnit XML for CI systems: one testcase per check, failures with their basis and reproduction.

A failed testcase carries `<properties>` (description, basis); a check that set cases aside
carries a `set_aside` property, so CI shows what was not judged. A run that could not run (exit 2)
is one errored testcase, `conformance.cannot_run`, whose `<error>` message is the one-line reason,
so a CI job that publishes the file shows why instead of a missing file.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from course_users.conformance import catalogue
from course_users.conformance.checks.base import CheckResult, Status
from course_users.conformance.report import (
    CannotRunReport,
    Report,
    basis_text,
    plural,
    render_failure,
)

# Characters XML 1.0 cannot carry at all, even escaped (generated data may contain them).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """Replace characters XML 1.0 forbids with a visible \\xNN escape."""
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def to_xml(report: Report) -> ET.ElementTree:
    """Build the JUnit document for a report."""
    skipped = sum(r.status is Status.SKIP for r in report.results)
    suites, suite = _suite(report, len(report.results), len(report.failures), 0, skipped)
    ET.SubElement(suite[0], "property", name="set_aside", value=str(report.set_aside))
    for result in report.results:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"conformance.{result.name.split('.', 1)[0]}",
            name=result.name,
            time=f"{result.seconds:.3f}",
        )
        _properties(case, result)
        if result.status is Status.SKIP:
            ET.SubElement(case, "skipped", message=xml_safe(result.reason))
        elif result.status is Status.FAIL:
            message = (
                f"expected {report.redactor.scrub(result.failure.expected)}"
                if result.failure
                else "failed"
            )
            element = ET.SubElement(
                case, "failure", message=xml_safe(message), type="ContractViolation"
            )
            element.text = xml_safe("\n".join(render_failure(result, report.redactor)))
        ET.SubElement(case, "system-out").text = plural(result.cases, "case")
    ET.indent(suites)
    return ET.ElementTree(suites)


def _properties(case: ET.Element, result: CheckResult) -> None:
    values: list[tuple[str, str]] = []
    if result.status is Status.FAIL:
        entry = catalogue.entry(result.name)
        values.append(("description", entry.description if entry else ""))
        values.append(("basis", basis_text(result.name)))
    if result.set_aside:
        notes = "; ".join(f"{count} x {reason}" for reason, count in result.set_aside)
        values.append(("set_aside", notes))
    if values:
        properties = ET.SubElement(case, "properties")
        for name, value in values:
            ET.SubElement(properties, "property", name=name, value=xml_safe(value))


def cannot_run_xml(report: CannotRunReport) -> ET.ElementTree:
    """Build the JUnit document for a run that could not run: one errored testcase."""
    suites, suite = _suite(report, tests=1, failures=0, errors=1, skipped=0)
    case = ET.SubElement(
        suite, "testcase", classname="conformance", name="cannot_run", time=f"{report.seconds:.3f}"
    )
    error = ET.SubElement(case, "error", message=xml_safe(report.reason), type="CannotRun")
    error.text = xml_safe(f"cannot run: {report.reason}")
    ET.indent(suites)
    return ET.ElementTree(suites)


def _suite(
    report: Report | CannotRunReport, tests: int, failures: int, errors: int, skipped: int
) -> tuple[ET.Element, ET.Element]:
    """The <testsuites> root and its one <testsuite>, whose first child is the run's properties."""
    suites = ET.Element("testsuites")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name="conformance",
        tests=str(tests),
        failures=str(failures),
        errors=str(errors),
        skipped=str(skipped),
        time=f"{report.seconds:.3f}",
    )
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("base_url", report.base_url),
        ("course_id", report.course_id),
        ("seed", None if report.seed is None else str(report.seed)),
        ("profile", report.profile),
    ):
        if value is not None:
            ET.SubElement(properties, "property", name=name, value=xml_safe(value))
    return suites, suite


def write(report: Report | CannotRunReport, path: Path) -> None:
    """Write the JUnit XML file (UTF-8, with declaration)."""
    tree = cannot_run_xml(report) if isinstance(report, CannotRunReport) else to_xml(report)
    tree.write(path, encoding="utf-8", xml_declaration=True)
