"""The report: one line per check, then each failure with its basis and curl reproduction."""

from __future__ import annotations

from dataclasses import dataclass

from conformance import catalogue
from conformance.checks.base import CheckResult, Status
from conformance.redaction import NO_REDACTION, Redactor


@dataclass(frozen=True)
class Report:
    """The outcome of one run."""

    results: list[CheckResult]
    base_url: str
    course_id: str
    seed: int | None
    seconds: float
    requests: int = 0
    profile: str = catalogue.CONTRACT
    # What every rendering of this report keeps out of sight (the run's tokens).
    redactor: Redactor = NO_REDACTION

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

    def counts(self) -> dict[Status, int]:
        """How many checks ended in each verdict."""
        counts = dict.fromkeys(Status, 0)
        for result in self.results:
            counts[result.status] += 1
        return counts

    @property
    def set_aside(self) -> int:
        """Cases set aside by all checks together (not judged: correct servers may differ)."""
        return sum(count for result in self.results for _, count in result.set_aside)

    def render(self) -> str:
        """The whole report as text."""
        profile = "" if self.profile == catalogue.CONTRACT else f", profile {self.profile}"
        lines = [
            f"Conformance of {self.base_url} (course {self.course_id}), seed {self.seed}{profile}",
            "",
        ]
        width = max((len(r.name) for r in self.results), default=0)
        for result in self.results:
            lines.append(_line(result, width))
            lines += [f"      {note}" for note in set_aside_notes(result)]
        for result in self.failures:
            lines += ["", *render_failure(result, self.redactor)]
        if self.failures and self.redactor.secrets:
            names = " and ".join(f"${name}" for _, name in self.redactor.secrets)
            lines += [
                "",
                f"note: the curl lines read the tokens from {names}; set them, or rerun with "
                "--show-secrets",
            ]
        if "oracle.listing_consistent" in self.failed_names() and len(self.failures) > 1:
            lines += [
                "",
                "note: the oracle (each status walked by `next`) was itself inconsistent, so a",
                "paging bug can also fail filtering and count checks; fix",
                "oracle.listing_consistent first.",
            ]
        lines += ["", self.summary()]
        return self.redactor.scrub("\n".join(lines) + "\n")

    def summary(self) -> str:
        """One closing line: totals, time, and how to repeat the run."""
        counts = self.counts()
        return (
            f"{len(self.results)} checks: {counts[Status.PASS]} passed, "
            f"{counts[Status.FAIL]} failed, {counts[Status.SKIP]} skipped; "
            f"{_cases(self.set_aside)} set aside; {self.requests} requests in {self.seconds:.1f}s "
            f"(repeat this run with --seed {self.seed})"
        )


def _line(result: CheckResult, width: int) -> str:
    if result.status is Status.SKIP:
        return f"{result.status}  {result.name:<{width}}  skipped: {result.reason}"
    cases = _cases(result.cases)
    return f"{result.status}  {result.name:<{width}}  {cases:>10}  {result.seconds:6.2f}s"


def _cases(count: int) -> str:
    return f"{count} case" + ("" if count == 1 else "s")


def basis_text(name: str) -> str:
    """The check's basis as one line (`docs:...:25, decision:page-size`)."""
    entry = catalogue.entry(name)
    return ", ".join(entry.basis) if entry else "not in the catalogue"


def set_aside_notes(result: CheckResult) -> list[str]:
    """One `set aside: N cases — reason` note per reason the check did not judge something."""
    return [f"set aside: {_cases(count)} — {reason}" for reason, count in result.set_aside]


def render_failure(result: CheckResult, redactor: Redactor = NO_REDACTION) -> list[str]:
    """The block for one failed check: what it enforces, its basis, expected, got, and curl."""
    entry = catalogue.entry(result.name)
    lines = [f"FAIL {result.name}"]
    if entry is not None:
        lines.append(f"  check:    {entry.description}")
    lines.append(f"  basis:    {basis_text(result.name)}")
    failure = result.failure
    if failure is None:
        return lines
    lines += [
        f"  expected: {redactor.scrub(failure.expected)}",
        f"  got:      {redactor.scrub(failure.got)}",
    ]
    curls = failure.curls(redactor)
    if curls:
        lines.append("  reproduce:" if len(curls) == 1 else "  reproduce (failing request first):")
        lines += [f"    {curl}" for curl in curls]
    return lines
