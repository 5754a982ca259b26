"""The report: one line per check, then each failure with its curl reproduction."""

from __future__ import annotations

from dataclasses import dataclass

from conformance.checks.base import CheckResult, Status


@dataclass(frozen=True)
class Report:
    """The outcome of one run."""

    results: list[CheckResult]
    base_url: str
    course_id: str
    seed: int | None
    seconds: float
    requests: int = 0

    @property
    def failures(self) -> list[CheckResult]:
        """The checks that failed."""
        return [r for r in self.results if r.status is Status.FAIL]

    @property
    def passed(self) -> bool:
        """True when no check failed (skipped checks do not fail a run)."""
        return not self.failures

    @property
    def exit_code(self) -> int:
        """0 when every check passed, 1 when any failed."""
        return 0 if self.passed else 1

    def result(self, name: str) -> CheckResult:
        """The result of one check by name (KeyError if it did not run)."""
        for result in self.results:
            if result.name == name:
                return result
        raise KeyError(name)

    def failed_names(self) -> list[str]:
        """Names of the checks that failed, in report order."""
        return [r.name for r in self.failures]

    def render(self) -> str:
        """The whole report as text."""
        lines = [f"Conformance of {self.base_url} (course {self.course_id}), seed {self.seed}", ""]
        width = max((len(r.name) for r in self.results), default=0)
        lines += [_line(result, width) for result in self.results]
        for result in self.failures:
            lines += ["", *render_failure(result)]
        if "oracle.listing_consistent" in self.failed_names() and len(self.failures) > 1:
            lines += [
                "",
                "note: the oracle (each status walked by `next`) was itself inconsistent, so a",
                "paging bug can also fail filtering and count checks; fix",
                "oracle.listing_consistent first.",
            ]
        lines += ["", self.summary()]
        return "\n".join(lines) + "\n"

    def summary(self) -> str:
        """One closing line: totals, time, and how to repeat the run."""
        counts = {status: 0 for status in Status}
        for result in self.results:
            counts[result.status] += 1
        return (
            f"{len(self.results)} checks: {counts[Status.PASS]} passed, "
            f"{counts[Status.FAIL]} failed, "
            f"{counts[Status.SKIP]} skipped; {self.requests} requests in {self.seconds:.1f}s "
            f"(repeat this run with --seed {self.seed})"
        )


def _line(result: CheckResult, width: int) -> str:
    if result.status is Status.SKIP:
        return f"{result.status}  {result.name:<{width}}  skipped: {result.reason}"
    cases = f"{result.cases} case" + ("" if result.cases == 1 else "s")
    return f"{result.status}  {result.name:<{width}}  {cases:>10}  {result.seconds:6.2f}s"


def render_failure(result: CheckResult) -> list[str]:
    """The block for one failed check: expected, got, and the curl command(s) to reproduce."""
    failure = result.failure
    if failure is None:
        return [f"FAIL {result.name}"]
    lines = [f"FAIL {result.name}", f"  expected: {failure.expected}", f"  got:      {failure.got}"]
    curls = failure.curls()
    if curls:
        lines.append("  reproduce:" if len(curls) == 1 else "  reproduce (failing request first):")
        lines += [f"    {curl}" for curl in curls]
    return lines
