"""Assembles one run: preflight, the schema layer, the oracle, the semantic checks."""

from __future__ import annotations

import random
import time
from dataclasses import replace

from course_users.conformance import oracle as oracle_module
from course_users.conformance.checks import SEMANTIC_CHECKS, Context, Failure, Status, select
from course_users.conformance.checks.base import CheckResult, Mismatch
from course_users.conformance.checks.pages import Page, as_page
from course_users.conformance.checks.schema import run_schema_checks
from course_users.conformance.client import ApiClient
from course_users.conformance.errors import PreflightRejected, ServerUnreachable, SetupMistake
from course_users.conformance.redaction import NO_REDACTION, Redactor
from course_users.conformance.report import Report, plural
from course_users.conformance.settings import Settings


def run_suite(settings: Settings) -> Report:
    """Check the server the settings point at; raise CannotRun if it cannot be checked at all."""
    if settings.seed is None:
        # Always run seeded, and print the seed, so any run can be repeated exactly.
        settings = replace(settings, seed=random.SystemRandom().randrange(2**31))
    started = time.perf_counter()
    names = select(settings.checks, settings.profile)
    deadline = time.monotonic() + settings.run_timeout
    client = ApiClient(settings.base_url, settings.token, settings.timeout, deadline=deadline)
    with client:
        preflight(client, settings)
        ctx = Context(settings, client)
        results = run_schema_checks(ctx, names) if _any_schema(names) else []
        wanted = [check for check in SEMANTIC_CHECKS if check.name in names]
        check_requests: dict[str, int] = {}
        if any(check.needs_oracle or check.name.startswith("oracle.") for check in wanted):
            _collect_oracle(ctx)
        for check in wanted:
            if check.needs_oracle and ctx.oracle is None:
                reason = ctx.oracle_failure.got if ctx.oracle_failure else "no oracle"
                results.append(CheckResult(check.name, Status.SKIP, reason=f"no oracle: {reason}"))
                continue
            before = client.requests
            results.append(check.run(ctx))
            check_requests[check.name] = client.requests - before
    return Report(
        results=results,
        base_url=client.root,
        course_id=settings.course_id,
        seed=settings.seed,
        profile=settings.profile,
        seconds=time.perf_counter() - started,
        requests=client.requests,
        redactor=redactor_for(settings),
        check_requests=check_requests,
    )


def redactor_for(settings: Settings) -> Redactor:
    """What the run's reports keep out of sight: its tokens, unless --show-secrets."""
    if settings.show_secrets:
        return NO_REDACTION
    return Redactor.of(
        (settings.token, "CONFORMANCE_TOKEN"),
        (settings.forbidden_token, "CONFORMANCE_FORBIDDEN_TOKEN"),
    )


def preflight(client: ApiClient, settings: Settings) -> None:
    """First calls: CannotRun unless the token lists the course and the options are not mistaken.

    The token's own listing must be a 200 member listing. Then the options are tried only for
    answers that prove a setup mistake rather than a server bug; any other answer (a 500, a 200
    that a server ignoring the course id would also give) is left to the checks to judge.
    """
    exchange = client.list_members(settings.course_id, [("limit", "1")])
    where = client.members_url(settings.course_id)
    if exchange.status is None:
        raise ServerUnreachable(f"cannot reach {where}: {exchange.error}")
    if exchange.status == 401:
        raise PreflightRejected(
            f"the server rejected --token on the first call (HTTP 401 from {where})"
        )
    if exchange.status == 403:
        raise PreflightRejected(
            f"--token is not creator or manager of course {settings.course_id} "
            f"(HTTP 403 from {where})"
        )
    if exchange.status == 404:
        raise PreflightRejected(
            f"course {settings.course_id} not found (HTTP 404 from {where}); "
            "check --course-id and --base-url"
        )
    try:
        listing = as_page(exchange, "the first call")
    except Mismatch:
        raise PreflightRejected(
            f"the first call did not return a member listing: {exchange.summary(120)} from {where}"
        ) from None
    # --token just listed the course, so the same token or course id again proves a mistake.
    if settings.forbidden_token == settings.token:
        raise SetupMistake(
            f"--forbidden-token is --token, which lists course {settings.course_id}: it is a "
            "creator or manager's token; give a plain member's token"
        )
    if settings.missing_course_id == settings.course_id:
        raise SetupMistake(
            f"--missing-course-id: course {settings.course_id} exists (it is --course-id); "
            "give an id that no course has"
        )
    if settings.missing_course_id is not None:
        _missing_course_is_missing(client, settings.missing_course_id, listing)


def _missing_course_is_missing(client: ApiClient, course_id: str, known: Page) -> None:
    # A non-empty listing unlike the token's own course proves the course exists. An empty one,
    # or the same members again (a server that ignores the id), may be a bug: the 404 check's.
    exchange = client.list_members(course_id, [("limit", "1")])
    try:
        listing = as_page(exchange, "the missing course")
    except Mismatch:
        return
    if listing.count > 0 and (listing.count, listing.ids) != (known.count, known.ids):
        raise SetupMistake(
            f"--missing-course-id: course {course_id} exists (HTTP 200 with "
            f"{plural(listing.count, 'member')} from {client.members_url(course_id)}); "
            "give an id that no course has"
        )


def _collect_oracle(ctx: Context) -> None:
    try:
        ctx.oracle = oracle_module.collect(ctx.client, ctx.settings.course_id)
    except oracle_module.OracleUnavailable as exc:
        ctx.oracle_failure = Failure(
            "HTTP 200 member listings for every status", exc.reason, (exc.exchange,)
        )


def _any_schema(names: list[str]) -> bool:
    return any(name.startswith("schema.") for name in names)
