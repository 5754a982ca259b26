"""Auth and error checks: 401 with WWW-Authenticate, 403, 404, and error bodies without data.

These are fixed requests, not properties: each check reports how many requests it tried.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Any

from course_users.conformance.checks.base import Check, CheckResult, Context, Mismatch, Status
from course_users.conformance.client import Exchange
from course_users.openapi.contract import CONTRACT


def _run(name: str, ctx: Context, body: Callable[[Context], int]) -> CheckResult:
    """Run a fixed-request check body that returns how many cases it tried."""
    started = time.perf_counter()
    try:
        cases = body(ctx)
    except Mismatch as mismatch:
        return CheckResult(name, Status.FAIL, 1, time.perf_counter() - started, mismatch.failure)
    return CheckResult(name, Status.PASS, cases, time.perf_counter() - started)


def _skip(name: str, reason: str) -> CheckResult:
    return CheckResult(name, Status.SKIP, reason=reason)


def unauthenticated_requests(ctx: Context) -> list[tuple[str, Exchange]]:
    """Requests that must be answered 401: no token, unknown tokens, other schemes, empty bearer."""
    unknown = f"conformance-unknown-{secrets.token_hex(8)}"
    return [
        ("no Authorization header", ctx.list_members(token=None)),
        ("an unknown bearer token", ctx.list_members(token=unknown)),
        ("a bearer header without a token", ctx.list_members(authorization=CONTRACT.challenge)),
        ("a Basic credential", ctx.list_members(authorization="Basic dXNlcjpwYXNzd29yZA==")),
    ]


def _expect_401(ctx: Context, cases: list[tuple[str, Exchange]]) -> int:
    for what, exchange in cases:
        if exchange.status != 401:
            raise Mismatch(f"HTTP 401 for {what}", exchange.summary(), exchange)
    return len(cases)


def missing_token_401(ctx: Context) -> CheckResult:
    """A request without Authorization is answered 401."""
    return _run(
        "auth.missing_token_401",
        ctx,
        lambda c: _expect_401(c, [("no Authorization header", c.list_members(token=None))]),
    )


def unknown_token_401(ctx: Context) -> CheckResult:
    """An unknown, empty or non-bearer credential is answered 401."""
    return _run(
        "auth.unknown_token_401", ctx, lambda c: _expect_401(c, unauthenticated_requests(c)[1:])
    )


def www_authenticate(ctx: Context) -> CheckResult:
    """Every 401 carries `WWW-Authenticate: Bearer ...` so clients know how to authenticate."""

    def body(c: Context) -> int:
        cases = [(w, e) for w, e in unauthenticated_requests(c) if e.status == 401]
        for what, exchange in cases:
            header = exchange.headers.get("www-authenticate", "")
            if not CONTRACT.names_auth_scheme(header):
                raise Mismatch(
                    f"a WWW-Authenticate: Bearer header on the 401 for {what}",
                    f"WWW-Authenticate: {header!r}" if header else "no WWW-Authenticate header",
                    exchange,
                )
        return len(cases)

    return _run("auth.www_authenticate", ctx, body)


def forbidden_403(ctx: Context) -> CheckResult:
    """A valid token of a user who is not creator or manager of the course is answered 403."""
    name = "auth.forbidden_403"
    token = ctx.settings.forbidden_token
    if token is None:
        return _skip(name, "no --forbidden-token given")

    def body(c: Context) -> int:
        exchange = c.list_members(token=token)
        if exchange.status != 403:
            raise Mismatch("HTTP 403 for the forbidden token", exchange.summary(), exchange)
        return 1

    return _run(name, ctx, body)


def missing_course_404(ctx: Context) -> CheckResult:
    """A course that does not exist is answered 404."""
    name = "auth.missing_course_404"
    missing = ctx.settings.missing_course_id
    if missing is None:
        return _skip(name, "no --missing-course-id given")

    def body(c: Context) -> int:
        exchange = c.client.list_members(missing)
        if exchange.status != 404:
            raise Mismatch(f"HTTP 404 for course {missing}", exchange.summary(), exchange)
        return 1

    return _run(name, ctx, body)


def checks_in_order(ctx: Context) -> CheckResult:
    """401 comes before 404, and 404 before 403, as the spec orders them."""
    name = "auth.checks_in_order"
    missing = ctx.settings.missing_course_id
    if missing is None:
        return _skip(name, "no --missing-course-id given")

    def body(c: Context) -> int:
        cases = [
            ("no token on the missing course", 401, c.client.list_members(missing, token=None))
        ]
        if c.settings.forbidden_token is not None:
            exchange = c.client.list_members(missing, token=c.settings.forbidden_token)
            cases.append(("the forbidden token on the missing course", 404, exchange))
        for what, status, exchange in cases:
            if exchange.status != status:
                raise Mismatch(f"HTTP {status} for {what}", exchange.summary(), exchange)
        return len(cases)

    return _run(name, ctx, body)


def error_requests(ctx: Context) -> list[tuple[str, int, Exchange]]:
    """(what, expected status, exchange) for every error this run can provoke."""
    out = [("no token", 401, ctx.list_members(token=None))]
    out.append(("limit=0", 400, ctx.list_members([("limit", "0")])))
    out.append(("ordering=nonsense", 400, ctx.list_members([("ordering", "nonsense")])))
    if ctx.settings.forbidden_token is not None:
        out.append(
            ("the forbidden token", 403, ctx.list_members(token=ctx.settings.forbidden_token))
        )
    if ctx.settings.missing_course_id is not None:
        out.append(
            ("the missing course", 404, ctx.client.list_members(ctx.settings.missing_course_id))
        )
    return out


def verdict_error_body(exchange: Exchange) -> str | None:
    """None when an error answer is JSON `{"detail": "..."}` carrying no member data."""
    content_type = exchange.headers.get("content-type", "")
    # The spec allows DRF's application/json and RFC 9457's application/problem+json.
    if not content_type.startswith(("application/json", "application/problem+json")):
        return f"content type {content_type!r}"
    body = exchange.body
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("detail"), str)
        or not body["detail"].strip()
    ):
        return f"body without a non-empty string detail: {exchange.summary()}"
    leaked = sorted(set(body) & {"results", "count", "next", "previous"})
    if leaked or _holds_member(body):
        return f"member data in an error body (keys {leaked or 'nested member objects'})"
    return None


def _holds_member(value: Any) -> bool:
    if isinstance(value, dict):
        if "id" in value and ("username" in value or "join_status" in value):
            return True
        return any(_holds_member(inner) for inner in value.values())
    if isinstance(value, list):
        return any(_holds_member(inner) for inner in value)
    return False


def error_body_has_detail_no_members(ctx: Context) -> CheckResult:
    """Errors are JSON with a `detail` sentence and never carry member data."""

    def body(c: Context) -> int:
        cases = error_requests(c)
        for what, status, exchange in cases:
            if exchange.status != status:
                continue  # the status itself is the other checks' business
            problem = verdict_error_body(exchange)
            if problem is not None:
                raise Mismatch(
                    f'a JSON {{"detail": "..."}} body for the {status} to {what}', problem, exchange
                )
        return len(cases)

    return _run("auth.error_body_has_detail_no_members", ctx, body)


CHECKS = (
    Check("auth.missing_token_401", missing_token_401, needs_oracle=False),
    Check("auth.unknown_token_401", unknown_token_401, needs_oracle=False),
    Check("auth.www_authenticate", www_authenticate, needs_oracle=False),
    Check("auth.forbidden_403", forbidden_403, needs_oracle=False),
    Check("auth.missing_course_404", missing_course_404, needs_oracle=False),
    Check("auth.checks_in_order", checks_in_order, needs_oracle=False),
    Check(
        "auth.error_body_has_detail_no_members",
        error_body_has_detail_no_members,
        needs_oracle=False,
    ),
)
