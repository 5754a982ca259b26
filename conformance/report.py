"""The report: one line per check, then each failure with its basis and curl reproduction."""

from __future__ import annotations

from dataclasses import dataclass, field

from course_users.conformance import catalogue
from course_users.conformance.checks.base import CheckResult, Status
from course_users.conformance.client import printable
from course_users.conformance.redaction import NO_REDACTION, Redactor

# How much the text report says: only failures and the summary, the default, or everything.
QUIET, NORMAL, VERBOSE = "quiet", "normal", "verbose"


def plural(count: int, word: str) -> str:
    """`1 check`, `2 checks`, `0 checks`: a count and its noun, in the right number."""
    return f"{count} {word}" + ("" if count == 1 else "s")


@dataclass(frozen=True)
class CannotRunReport:
    """A run that produced no verdict (exit 2): the one-line reason and what was known of it."""

    reason: str
    base_url: str | None = None
    course_id: str | None = None
    seed: int | None = None
    profile: str = catalogue.CONTRACT
    seconds: float = 0.0
    exit_code: int = 2


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
    # Requests each check sent itself, where the suite could count them (not the schema layer's).
    check_requests: dict[str, int] = field(default_factory=dict)

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

    def render(self, level: str = NORMAL) -> str:
        """The whole report as text; QUIET keeps only failures and the summary line."""
        lines: list[str] = []
        if level != QUIET:
            lines += [self._header(), "", *self._check_lines(level)]
        for result in self.failures:
            lines += ["", *render_failure(result, self.redactor)]
        if self.failures and self.redactor.secrets:
            names = " and ".join(f"${name}" for _, name in self.redactor.secrets)
            lines += [
                "",
                f"note: the curl lines read the tokens from {names}; set them, or rerun with "
                "--show-secrets",
            ]
        if self._forbidden_token_listed():
            lines += [
                "",
                "note: --forbidden-token got the listing; if it is a creator or manager's token,",
                f"that is a setup mistake, not the server's: give a plain member of course "
                f"{self.course_id}'s token.",
            ]
        if "oracle.listing_consistent" in self.failed_names() and len(self.failures) > 1:
            lines += [
                "",
                "note: the oracle (each status walked by `next`) was itself inconsistent, so a",
                "paging bug can also fail filtering and count checks; fix",
                "oracle.listing_consistent first.",
            ]
        lines += ["", self.summary()]
        # Whatever a server sent (ids, names, bodies) reaches a terminal here: escape controls.
        text = "\n".join(printable(line) for line in "\n".join(lines).split("\n"))
        return self.redactor.scrub(text.lstrip("\n") + "\n")

    def _forbidden_token_listed(self) -> bool:
        # The server cannot be told apart from a wrong token here, so this is a note, not exit 2.
        failed = {r.name: r.failure for r in self.failures}
        failure = failed.get("auth.forbidden_403")
        return failure is not None and failure.got.startswith("HTTP 200")

    def _header(self) -> str:
        profile = "" if self.profile == catalogue.CONTRACT else f", profile {self.profile}"
        where = f"{self.base_url} (course {self.course_id})"
        return f"Conformance of {where}, seed {self.seed}{profile}"

    def _check_lines(self, level: str) -> list[str]:
        lines: list[str] = []
        width = max((len(r.name) for r in self.results), default=0)
        for result in self.results:
            lines.append(_line(result, width))
            if level == VERBOSE:
                entry = catalogue.entry(result.name)
                lines.append(f"      {entry.description if entry else 'not in the catalogue'}")
                if result.name in self.check_requests:
                    lines.append(f"      {plural(self.check_requests[result.name], 'request')}")
            lines += [f"      {note}" for note in set_aside_notes(result)]
        return lines

    def summary(self) -> str:
        """One closing line: totals, time, and how to repeat the run."""
        counts = self.counts()
        return (
            f"{plural(len(self.results), 'check')}: {counts[Status.PASS]} passed, "
            f"{counts[Status.FAIL]} failed, {counts[Status.SKIP]} skipped; "
            f"{_cases(self.set_aside)} set aside; {plural(self.requests, 'request')} in "
            f"{self.seconds:.1f}s "
            f"(repeat this run with --seed {self.seed})"
        )


def _line(result: CheckResult, width: int) -> str:
    if result.status is Status.SKIP:
        return f"{result.status}  {result.name:<{width}}  skipped: {result.reason}"
    cases = _cases(result.cases)
    return f"{result.status}  {result.name:<{width}}  {cases:>10}  {result.seconds:6.2f}s"


def _cases(count: int) -> str:
    return plural(count, "case")


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
