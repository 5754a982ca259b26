"""JUnit XML for CI systems: one testcase per check, failures with their basis and reproduction.

A failed testcase carries `<properties>` (description, basis); a check that set cases aside
carries a `set_aside` property, so CI shows what was not judged.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from conformance import catalogue
from conformance.checks.base import CheckResult, Status
from conformance.report import Report, basis_text, render_failure

# Characters XML 1.0 cannot carry at all, even escaped (generated data may contain them).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """Replace characters XML 1.0 forbids with a visible \\xNN escape."""
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def to_xml(report: Report) -> ET.ElementTree:
    """Build the JUnit document for a report."""
    suites = ET.Element("testsuites")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name="conformance",
        tests=str(len(report.results)),
        failures=str(len(report.failures)),
        errors="0",
        skipped=str(sum(r.status is Status.SKIP for r in report.results)),
        time=f"{report.seconds:.3f}",
    )
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("base_url", report.base_url),
        ("course_id", report.course_id),
        ("seed", str(report.seed)),
        ("profile", report.profile),
        ("set_aside", str(report.set_aside)),
    ):
        ET.SubElement(properties, "property", name=name, value=value)
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
        ET.SubElement(case, "system-out").text = f"{result.cases} cases"
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


def write(report: Report, path: Path) -> None:
    """Write the JUnit XML file (UTF-8, with declaration)."""
    to_xml(report).write(path, encoding="utf-8", xml_declaration=True)
