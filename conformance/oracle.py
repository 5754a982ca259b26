"""The oracle: the server's own full member listing, collected once, used to predict answers.

For each join status the listing is walked page by page along `next` links, at the page cap. A walk
that stops early or repeats members is completed from explicit offsets so the oracle stays as
complete as the server allows; what went wrong is kept as an anomaly for the report. Members are
filed by their own `join_status`, so a server whose status filter leaks other statuses cannot
fool the filtering checks.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from course_users.conformance import rules
from course_users.conformance.client import ApiClient, Exchange
from course_users.openapi.contract import CONTRACT

PAGE_LIMIT = rules.MAX_LIMIT  # the largest page the contract serves: the fewest requests
# Pages one status's walk may take (100,000 members at the cap of 100): a bound on a runaway
# `count`.
MAX_WALK_PAGES = 1000


class OracleUnavailable(Exception):
    """The listing for some status could not be read at all (error status or not an envelope)."""

    def __init__(self, exchange: Exchange, reason: str) -> None:
        super().__init__(reason)
        self.exchange = exchange
        self.reason = reason


@dataclass(repr=False)
class Oracle:
    """Every member of the course the server lists, by id, plus what looked wrong while reading."""

    members: dict[int, dict[str, Any]] = field(default_factory=dict)
    anomalies: list[tuple[Exchange, str]] = field(default_factory=list)
    requests: int = 0

    def __repr__(self) -> str:
        # Short on purpose: Hypothesis prints strategies (which hold the oracle) in its messages.
        return f"Oracle({len(self.members)} members, {len(self.anomalies)} anomalies)"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # Hypothesis' pretty-printer lists a dataclass's fields unless told otherwise.
        printer.text(repr(self))

    def selection(self, statuses: Iterable[str], search: str | None = None) -> rules.Selection:
        """The members a filter must return (`sure`) and those it may return (`maybe`)."""
        return rules.select(self.members.values(), statuses, search)

    def ids(self, statuses: Iterable[str], search: str | None = None) -> set[int]:
        """The ids of the members a filter must return, where every correct server agrees.

        For a search whose matches depend on the database (see `selection`), this is the set
        every correct server lists; the checks that search use `selection` and judge both ends.
        """
        return set(self.selection(statuses, search).sure)

    def size(self, statuses: Iterable[str], search: str | None = None) -> int:
        """How many members a filter must return (what `count` must say), as `ids`."""
        return len(self.ids(statuses, search))

    def texts(self) -> list[str]:
        """Every value of the search fields, the raw material for generated search terms."""
        out: list[str] = []
        for member in self.members.values():
            out += [str(member.get(field) or "") for field in CONTRACT.search_fields]
        return [text for text in out if text]


def collect(client: ApiClient, course_id: str) -> Oracle:
    """Read the full listing for every join status; raise OracleUnavailable if it cannot."""
    oracle = Oracle()
    for status in rules.JOIN_STATUSES:
        for member in _collect_status(client, course_id, status, oracle):
            oracle.members.setdefault(member["id"], member)
    return oracle


def _collect_status(
    client: ApiClient, course_id: str, status: str, oracle: Oracle
) -> list[dict[str, Any]]:
    params = [("statuses", status), ("limit", str(PAGE_LIMIT))]
    first = _read_page(client.list_members(course_id, params), oracle)
    count = first.body["count"]
    anomalies_before = len(oracle.anomalies)
    collected, seen = _walk_next(client, first, count, oracle)
    walked = len(seen)
    # A broken `next` chain or a wrong `count` must not blind the other checks: probe past what
    # the walk found and finish the listing by explicit offsets if anything is there.
    _fill_by_offsets(client, course_id, params, collected, seen, oracle)
    if walked != len(seen) or len(seen) != count:
        oracle.anomalies.append(
            (
                first,
                f"walking `next` for statuses={status} gave {walked} members, offsets gave "
                f"{len(seen)}, count={count}",
            )
        )
    if len(oracle.anomalies) > anomalies_before:
        # Unstable paging (e.g. ties ordered at random) loses members at page boundaries; the
        # union of listings in every ordering recovers them with near certainty.
        for ordering in rules.ORDERINGS:
            ordered = [*params, ("ordering", ordering)]
            _fill_by_offsets(client, course_id, ordered, collected, seen, oracle, start=0)
    for member in collected:
        if member.get("join_status") != status:
            oracle.anomalies.append(
                (
                    first,
                    f"statuses={status} listed member {member.get('id')} with "
                    f"join_status={member.get('join_status')!r}",
                )
            )
            break
    return collected


def _walk_next(
    client: ApiClient, page: Exchange, count: int, oracle: Oracle
) -> tuple[list[dict[str, Any]], set[int]]:
    collected: list[dict[str, Any]] = []
    seen: set[int] = set()
    visited_links: set[str] = set()
    wanted = max(10, 3 * math.ceil(max(count, 1) / max(len(page.body["results"]), 1)))
    for _ in range(min(wanted, MAX_WALK_PAGES)):
        for member in page.body["results"]:
            if member["id"] in seen:
                oracle.anomalies.append((page, f"member {member['id']} listed twice in a walk"))
                continue
            seen.add(member["id"])
            collected.append(member)
        link = page.body.get("next")
        if not isinstance(link, str) or not link or link in visited_links:
            break
        if not client.same_origin(link):
            # The token goes to the base URL's origin only; the offsets below finish the listing.
            oracle.anomalies.append((page, f"`next` link {link} leaves the server's origin"))
            break
        visited_links.add(link)
        page = _read_page(client.get(link), oracle)
    return collected, seen


def _fill_by_offsets(
    client: ApiClient,
    course_id: str,
    params: list[tuple[str, str]],
    collected: list[dict[str, Any]],
    seen: set[int],
    oracle: Oracle,
    start: int | None = None,
) -> None:
    offset = len(collected) if start is None else start
    for _ in range(50):
        page = client.list_members(course_id, [*params, ("offset", str(offset))])
        try:
            results = _read_page(page, oracle).body["results"]
        except OracleUnavailable as exc:
            # Only the first page is essential; past what the walk found, note it and stop.
            oracle.anomalies.append((page, exc.reason))
            break
        for member in results:
            if member["id"] not in seen:
                seen.add(member["id"])
                collected.append(member)
        if not results:
            break
        offset += len(results)


def _read_page(page: Exchange, oracle: Oracle) -> Exchange:
    oracle.requests += 1
    if page.status != 200:
        raise OracleUnavailable(
            page, f"expected HTTP 200 for a member listing, got {page.summary()}"
        )
    body = page.body
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("count"), int)
        or not isinstance(body.get("results"), list)
        or not all(isinstance(m, dict) and isinstance(m.get("id"), int) for m in body["results"])
    ):
        raise OracleUnavailable(
            page,
            f"expected an envelope with integer count and results with ids, got {page.summary()}",
        )
    return page
