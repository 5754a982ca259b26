"""The oracle's own check: walking `next` per status gave a consistent listing."""

from __future__ import annotations

from course_users.conformance.checks.base import Check, CheckResult, Context, Failure, Status
from course_users.conformance.oracle import PAGE_LIMIT


def listing_consistent(ctx: Context) -> CheckResult:
    """Each status's listing walked by `next` matches its count, offsets and join statuses."""
    name = "oracle.listing_consistent"
    oracle = ctx.oracle
    if oracle is None:
        if ctx.oracle_failure is not None:
            return CheckResult(name, Status.FAIL, 1, failure=ctx.oracle_failure)
        return CheckResult(name, Status.SKIP, reason="the oracle was not collected")
    if oracle.anomalies:
        exchange, problem = oracle.anomalies[0]
        more = f" (and {len(oracle.anomalies) - 1} more)" if len(oracle.anomalies) > 1 else ""
        failure = Failure(
            f"each status listed once, completely, by walking `next` (limit={PAGE_LIMIT})",
            problem + more,
            (exchange,),
        )
        return CheckResult(name, Status.FAIL, oracle.requests, failure=failure)
    return CheckResult(name, Status.PASS, oracle.requests)


CHECKS = (Check("oracle.listing_consistent", listing_consistent, needs_oracle=False),)
