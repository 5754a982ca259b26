"""The contract watch: judges each proxied exchange, remembers counts, keeps the record.

A violation names the conformance check it is an instance of, so its description and basis are
the conformance report's (`conformance.catalogue`). Each one is logged once, as one line, and
counted; the last RECENT_KEPT are kept for `GET /api/v2/__contract__/violations`.

Memory is bounded: the `count` seen per filter (course, statuses, search terms) is kept for the
last MAX_REMEMBERED_FILTERS filters, least recently used first out.
"""

from __future__ import annotations

import logging
from collections import Counter, OrderedDict, deque
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from course_users.conformance import catalogue
from course_users.conformance.report import basis_text
from course_users.mockserver.proxy.responses import NOT_JSON, ResponseContract, parse_body
from course_users.mockserver.proxy.semantics import Request, judge_auth, judge_error, judge_listing
from course_users.mockserver.proxy.upstream import Answer
from course_users.openapi.search_rule import split_terms

logger = logging.getLogger("mockserver.proxy")
RECENT_KEPT = 200
MAX_REMEMBERED_FILTERS = 1024
HEADER = "x-contract-violations"


@dataclass(frozen=True)
class Violation:
    """One broken contract sentence in one answer."""

    check: str
    detail: str
    request: str  # `GET /api/v2/course/1/users/?...` as the client sent it
    status: int
    at: str  # ISO 8601, UTC

    def line(self) -> str:
        """The log line: the check, what is wrong, the request, and the contract's basis."""
        entry = catalogue.entry(self.check)
        described = f" ({entry.description})" if entry else ""
        return (
            f"contract violation {self.check}: {self.detail}; {self.request} answered "
            f"{self.status}{described}; basis: {basis_text(self.check)}"
        )

    def as_json(self) -> dict[str, Any]:
        """The JSON form the violations endpoint lists."""
        entry = catalogue.entry(self.check)
        basis = list(entry.basis) if entry else []
        return {
            "check": self.check,
            "description": entry.description if entry else "",
            "basis": basis,
            "quotes": {ref: catalogue.QUOTES[ref] for ref in basis if ref in catalogue.QUOTES},
            "detail": self.detail,
            "request": self.request,
            "status": self.status,
            "at": self.at,
        }


class ContractWatch:
    """Judges exchanges against the operation's contract; one per app, shared by its requests."""

    def __init__(self, operation: dict[str, Any]) -> None:
        self.responses = ResponseContract(operation)
        self.counts: OrderedDict[tuple[Any, ...], int] = OrderedDict()
        self.totals: Counter[str] = Counter()
        self.recent: deque[Violation] = deque(maxlen=RECENT_KEPT)

    def judge(self, course: str, request: Request, answer: Answer, target: str) -> list[Violation]:
        """The violations in `answer` to `request` (logged, counted and kept before returning)."""
        findings = self._findings(course, request, answer)
        if not findings:  # most answers: no clock read, no list to fill
            return []
        at = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        violations = []
        for check, detail in dict.fromkeys(findings):  # the same finding twice is one violation
            violation = Violation(check, detail, f"GET {target}", answer.status, at)
            logger.warning("%s", violation.line())
            self.totals[check] += 1
            self.recent.append(violation)
            violations.append(violation)
        return violations

    def _findings(self, course: str, request: Request, answer: Answer) -> list[tuple[str, str]]:
        content_type = answer.header("content-type")
        body = parse_body(answer.body)
        findings = self.responses.judge(answer.status, content_type, body, answer.header)
        findings += judge_auth(request, answer.status, answer.header)
        findings += judge_error(answer.status, content_type, None if body is NOT_JSON else body)
        if answer.status == 200 and not findings:  # a listing whose schema is valid
            findings += judge_listing(request, body)
            findings += self._count(course, request, body["count"])
        return findings

    def _count(self, course: str, request: Request, count: int) -> list[tuple[str, str]]:
        """`count` agrees with the last answer for the same filter in this session."""
        key = (course.lstrip("0"), request.statuses, split_terms(request.search))
        before = self.counts.get(key)
        self.counts[key] = count
        self.counts.move_to_end(key)
        while len(self.counts) > MAX_REMEMBERED_FILTERS:
            self.counts.popitem(last=False)
        if before is None or before == count:
            return []
        return [("paging.count_stable", f"count={count}, where an earlier answer said {before}")]

    def summary(self) -> dict[str, Any]:
        """The violations endpoint's body: totals per check and the last ones, newest last."""
        return {
            "total": sum(self.totals.values()),
            "by_check": dict(sorted(self.totals.items())),
            "kept": RECENT_KEPT,
            "recent": [violation.as_json() for violation in self.recent],
        }


def header_value(violations: list[Violation]) -> str:
    """`X-Contract-Violations`: the number, then the checks' names (`2; a.b, c.d`)."""
    names = list(dict.fromkeys(violation.check for violation in violations))
    return f"{len(violations)}; {', '.join(names)}" if names else "0"
