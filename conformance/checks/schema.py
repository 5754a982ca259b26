"""The schema layer: Schemathesis on the bundled spec, positive and negative data, its checks.

Each Schemathesis check is its own line in the report (`schema.response_schema_conformance`).
Generated cases are validated against every check still passing; the first failure is shrunk
by Hypothesis, reported with a curl reproduction of the request, and the run repeats for the
checks that have not failed yet, so one bug never hides another.
"""

from __future__ import annotations

import copy
import time
from collections import Counter
from collections.abc import Callable, Collection
from typing import Any

import httpx
import requests
import schemathesis
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup
from schemathesis.core.transport import Response

from course_users.conformance import rules
from course_users.conformance.checks.base import (
    CheckResult,
    Context,
    Failure,
    Mismatch,
    Status,
    property_check,
)
from course_users.conformance.client import Exchange, api_root, printable
from course_users.openapi.contract import CONTRACT
from course_users.openapi.search_rule import split_terms

OPERATION_PATH = CONTRACT.path
SCHEMATHESIS_CHECKS: tuple[str, ...] = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "negative_data_rejection",
)


def check_names() -> list[str]:
    """The report names of the schema checks."""
    return [f"schema.{name}" for name in SCHEMATHESIS_CHECKS]


def load_operation(ctx: Context) -> Any:
    """The operation from `openapi.load_spec()`, configured with the server URL and the token."""
    from course_users.openapi import load_spec

    config = schemathesis.Config.from_dict(
        {
            # The report must show the Authorization header so a failure reproduces in one paste.
            "output": {"sanitization": {"enabled": False}},
            "base-url": api_root(ctx.settings.base_url),
            "headers": {"Authorization": f"Bearer {ctx.settings.token}"},
            "request-timeout": ctx.settings.timeout,
        }
    )
    schema = schemathesis.openapi.from_dict(copy.deepcopy(load_spec()), config=config)
    return schema[OPERATION_PATH]["GET"]


def _strategies(ctx: Context, operation: Any) -> list[tuple[str, st.SearchStrategy[Any]]]:
    course = {"id": ctx.settings.course_id}
    positive = st.one_of(
        # Mostly the configured course, so 200 answers (and their schema) get exercised.
        operation.as_strategy(GenerationMode.POSITIVE, path_parameters=course),
        operation.as_strategy(GenerationMode.POSITIVE, path_parameters=course),
        operation.as_strategy(GenerationMode.POSITIVE),
    )
    negative = operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=course)
    root = api_root(ctx.settings.base_url)

    def kept(fits: Callable[[Any, str], bool]) -> Callable[[Any], bool]:
        def keep(case: Any) -> bool:
            if fits(case, root):
                return True
            ctx.set_aside(OVERSIZED)
            return False

        return keep

    return [
        ("positive", positive.filter(kept(within_contract))),
        ("negative", negative.filter(kept(fits_request_line))),
    ]


# Decision request-size: what the contract covers. Beyond it a correct server may refuse the
# request in its front server's own format, so the suite does not send it.
MAX_REQUEST_LINE = 4094
MAX_SEARCH_CHARS = 1000
MAX_SEARCH_TERMS = 50
OVERSIZED = (
    "generated requests not sent: longer than the contract covers (decision request-size: a "
    "4,094-byte request line, 1,000 search characters, 50 terms)"
)


def within_contract(case: Any, root: str) -> bool:
    """Whether a generated request is one the contract speaks for (decision request-size)."""
    if not fits_request_line(case, root):
        return False
    search = (case.query or {}).get("search")
    if isinstance(search, str):
        return len(search) <= MAX_SEARCH_CHARS and len(split_terms(search)) <= MAX_SEARCH_TERMS
    return True


def fits_request_line(case: Any, root: str) -> bool:
    """Whether the request line stays within the bound every front server accepts."""
    kwargs = case.as_transport_kwargs(base_url=root)
    target = httpx.URL(kwargs["url"], params=kwargs.get("params")).raw_path
    return len(b"GET  HTTP/1.1") + len(target) <= MAX_REQUEST_LINE


def _explicit_cases(ctx: Context, operation: Any) -> list[Any]:
    """One case per documented statuses form, the empty JSON list, and the missing course."""
    course = {"id": ctx.settings.course_id}
    two = [rules.STATUSES.joined, rules.STATUSES.manager]
    cases = [
        operation.Case(path_parameters=course, query={"statuses": two[:1]}),
        operation.Case(path_parameters=course, query={"statuses": [rules.json_list(two)]}),
        operation.Case(path_parameters=course, query={"statuses": two}),
        operation.Case(path_parameters=course, query={"statuses": ["[]"]}),
    ]
    if ctx.settings.missing_course_id is not None:
        # So the documented 404 answer is always validated, not only when ids are generated.
        cases.append(operation.Case(path_parameters={"id": ctx.settings.missing_course_id}))
    return cases


def run_schema_checks(ctx: Context, names: Collection[str] | None = None) -> list[CheckResult]:
    """Run the Schemathesis checks (all, or these report names) over positive then negative data.

    Returns one result per check run.
    """
    started = time.perf_counter()
    operation = load_operation(ctx)
    chosen = [n for n in SCHEMATHESIS_CHECKS if names is None or f"schema.{n}" in names]
    functions = {name: getattr(schemathesis.checks, name) for name in chosen}
    cases = dict.fromkeys(chosen, 0)
    failures: dict[str, Failure] = {}
    root = api_root(ctx.settings.base_url)
    set_aside: Counter[str] = Counter()
    for mode, strategy in _strategies(ctx, operation):
        explicit = _explicit_cases(ctx, operation) if mode == "positive" else []
        while True:
            active = [name for name in chosen if name not in failures]
            body = _validator(ctx, root, {n: functions[n] for n in active}, cases)
            result = property_check(ctx, f"schema.{mode}", strategy, body, explicit)
            set_aside.update(dict(result.set_aside))
            if result.failure is None or not result.failure.source:
                break
            failures[result.failure.source] = result.failure
    seconds = time.perf_counter() - started
    return [
        CheckResult(
            f"schema.{name}",
            Status.FAIL if name in failures else Status.PASS,
            cases[name],
            seconds / len(chosen),
            failures.get(name),
            set_aside=tuple(sorted(set_aside.items())),
        )
        for name in chosen
    ]


def _validator(
    ctx: Context, root: str, active: dict[str, Callable[..., Any]], cases: dict[str, int]
) -> Callable[[Any], None]:
    auth = {"Authorization": f"Bearer {ctx.settings.token}"}

    def body(case: Any) -> None:
        sent = _as_exchange(case, root, auth)
        try:
            response = _call(ctx, case, root, auth)
        except httpx.HTTPError as exc:
            raise Mismatch.from_failure(
                Failure(
                    "an HTTP answer",
                    f"no answer ({type(exc).__name__})",
                    exchanges=(sent,),
                    source="not_a_server_error",
                )
            ) from None
        for name, function in active.items():
            cases[name] += 1
            try:
                case.validate_response(response, checks=[function], headers=auth)
            except FailureGroup as group:
                raise Mismatch.from_failure(_failure(name, group, response, sent)) from None

    return body


def _call(ctx: Context, case: Any, root: str, auth: dict[str, str]) -> Response:
    """Send a Schemathesis case through the suite's bounded client (same origin, byte cap)."""
    kwargs = case.as_transport_kwargs(base_url=root, headers=auth)
    raw = ctx.client.fetch(kwargs["url"], kwargs["headers"], kwargs.get("params"))
    request = requests.Request(
        method="GET", url=str(raw.request.url), headers=dict(raw.request.headers)
    ).prepare()
    return Response(
        status_code=raw.status,
        headers=_header_lists(raw.headers),
        content=raw.content,
        request=request,
        elapsed=raw.seconds,
        message=raw.reason,
        encoding=raw.charset,
        http_version=raw.http_version,
        verify=True,
        stream_cut_short=raw.problem is not None,
    )


def _header_lists(headers: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in headers:
        out.setdefault(name, []).append(value)
    return out


def _as_exchange(case: Any, root: str, auth: dict[str, str]) -> Exchange:
    """The request a case sends, as the suite's other checks record theirs (for the curl line)."""
    kwargs = case.as_transport_kwargs(base_url=root, headers=auth)
    url = str(httpx.URL(kwargs["url"], params=kwargs.get("params")))
    shown = {name: value for name, value in kwargs["headers"].items() if name in _SHOWN_HEADERS}
    return Exchange("GET", url, shown, None)


# What a reproduction needs; Schemathesis' own User-Agent and test-case id headers are noise.
_SHOWN_HEADERS = ("Authorization", "Accept")


def _failure(name: str, group: FailureGroup, response: Any, sent: Exchange) -> Failure:
    first = group.exceptions[0]
    message = printable(" ".join(str(first.message).split()))
    if len(message) > 400:
        message = message[:400] + "..."
    body = printable(" ".join(response.text.split())) if hasattr(response, "text") else ""
    if len(body) > 200:
        body = body[:200] + "..."
    return Failure(
        expected=f"{first.title} ({name})",
        got=f"HTTP {response.status_code}"
        + (f": {message}" if message else "")
        + f"; body: {body}",
        exchanges=(sent,),
        source=name,
    )
