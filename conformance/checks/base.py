"""What every check shares: its result type, the Mismatch it raises, and the property runner.

A check is a named function of a `Context`. Semantic checks are Hypothesis properties: the body
makes requests and raises `Mismatch` when an answer breaks the contract; Hypothesis then shrinks
the example, so the failure reported is the smallest one found.
"""

from __future__ import annotations

import time
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import hypothesis
from hypothesis import HealthCheck, Phase, Verbosity, given
from hypothesis import strategies as st

from course_users.conformance.client import ApiClient, Exchange
from course_users.conformance.redaction import NO_REDACTION, Redactor

if TYPE_CHECKING:
    from course_users.conformance.oracle import Oracle
    from course_users.conformance.settings import Settings


class Status(StrEnum):
    """A check's verdict."""

    PASS = "PASS"
    FAIL = "FAIL"
    SKIP = "SKIP"


@dataclass(frozen=True)
class Failure:
    """The smallest failing case: the request(s) that show it, what was expected, what came."""

    expected: str
    got: str
    exchanges: tuple[Exchange, ...] = ()
    source: str = ""  # which sub-check failed, when one driver serves several checks

    def curls(self, redactor: Redactor = NO_REDACTION) -> list[str]:
        """Ready-to-paste curl commands, the most telling request first, secrets redacted."""
        return [exchange.curl(redactor) for exchange in self.exchanges]


@dataclass(frozen=True)
class CheckResult:
    """One line of the report."""

    name: str
    status: Status
    cases: int = 0
    seconds: float = 0.0
    failure: Failure | None = None
    reason: str = ""  # why a check was skipped
    # What was not judged, and why: (reason, how many times), e.g. members whose match depends
    # on the database's upper-casing. A correct server may answer those either way.
    set_aside: tuple[tuple[str, int], ...] = ()


class Mismatch(Exception):
    """Raised inside a check when an answer breaks the contract."""

    def __init__(self, expected: str, got: str, *exchanges: Exchange) -> None:
        super().__init__(f"expected {expected}; got {got}")
        self.failure = Failure(expected, got, tuple(exchanges))

    @classmethod
    def from_failure(cls, failure: Failure) -> Mismatch:
        """Wrap a failure built elsewhere (e.g. from a Schemathesis check)."""
        mismatch = cls(failure.expected, failure.got)
        mismatch.failure = failure
        return mismatch


@dataclass
class Context:
    """What checks may use: the run's settings, the HTTP client and the oracle."""

    settings: Settings
    client: ApiClient
    oracle: Oracle | None = None
    oracle_failure: Failure | None = None  # why the oracle could not be collected
    # Reasons the running check set something aside, counted; property_check resets and reads it.
    set_aside_counts: Counter[str] = field(default_factory=Counter)

    def set_aside(self, reason: str, count: int = 1) -> None:
        """Note that part of the current case was not judged because a correct server may differ."""
        self.set_aside_counts[reason] += count

    def list_members(self, params: Sequence[tuple[str, str]] = (), **kwargs: Any) -> Exchange:
        """GET the configured course's listing with these query parameters."""
        return self.client.list_members(self.settings.course_id, params, **kwargs)


@dataclass(frozen=True)
class Check:
    """A named check: `group.name` and the function that runs it."""

    name: str
    run: Callable[[Context], CheckResult]
    needs_oracle: bool = True


def property_check(
    ctx: Context,
    name: str,
    strategy: st.SearchStrategy[Any],
    body: Callable[[Any], None],
    explicit: Sequence[Any] = (),
    max_examples: int | None = None,
) -> CheckResult:
    """Run `body` on examples from `strategy` and report PASS or the smallest failure found."""
    started = time.perf_counter()
    cases = 0
    seen: list[Mismatch] = []
    ctx.set_aside_counts.clear()

    def test(example: Any) -> None:
        nonlocal cases
        cases += 1
        try:
            body(example)
        except Mismatch as mismatch:
            seen.append(mismatch)
            raise

    wrapped = given(strategy)(test)
    for example in explicit:
        wrapped = hypothesis.example(example)(wrapped)
    wrapped = hypothesis.settings(
        max_examples=max_examples or ctx.settings.max_examples,
        deadline=None,
        database=None,
        derandomize=False,
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
        print_blob=False,
        verbosity=Verbosity.quiet,
    )(wrapped)
    wrapped = hypothesis.seed(check_seed(ctx.settings.seed or 0, name))(wrapped)
    try:
        wrapped()
    except Exception as exc:  # Hypothesis' FlakyFailure is an ExceptionGroup, an Exception too
        mismatch = _find_mismatch(exc) or (seen[-1] if seen else None)
        if mismatch is None:
            raise
        return CheckResult(
            name,
            Status.FAIL,
            cases,
            time.perf_counter() - started,
            mismatch.failure,
            set_aside=_set_aside(ctx),
        )
    return CheckResult(
        name, Status.PASS, cases, time.perf_counter() - started, set_aside=_set_aside(ctx)
    )


def _set_aside(ctx: Context) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(ctx.set_aside_counts.items()))


def check_seed(seed: int, name: str) -> int:
    """A per-check seed, so checks explore different data yet a run repeats exactly."""
    return (seed * 1_000_003 + zlib.crc32(name.encode())) % (2**32)


def _find_mismatch(exc: BaseException) -> Mismatch | None:
    # Hypothesis re-raises the shrunk example's error, or wraps it (FlakyFailure) in a group.
    if isinstance(exc, Mismatch):
        return exc
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            found = _find_mismatch(inner)
            if found is not None:
                return found
    return None
