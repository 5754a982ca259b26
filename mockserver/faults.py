"""Test-only fault injection: make the mock behave like a backend with one realistic bug.

The conformance suite's own tests start the mock with `MOCKSERVER_FAULT=<name>` and check that the
suite notices. Not a user feature: it is absent from --help and the README's option table. Each
name below is one bug; `Fault.on(name)` is consulted at a few clean points (the query builder in
`mockserver.handlers`, the security check, the link builder) and nowhere else.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from mockserver.errors import SettingsError

FAULT_ENV = "MOCKSERVER_FAULT"

FAULTS: dict[str, str] = {
    "ordering-ignored": "every request is ordered by -joined_at",
    "ordering-reversed": "ascending and descending are swapped",
    "wrong-default-statuses": "no statuses parameter selects every status",
    "json-statuses-ignored": "a JSON-list statuses value is treated as absent",
    "repeated-statuses-last-wins": "only the last of repeated statuses values is used",
    "offset-off-by-one": "rows start at offset + 1",
    "limit-ignored": "every page has 20 items",
    "count-wrong": "count is the number of items on the page",
    "search-case-sensitive": "search compares case-sensitively",
    "search-username-only": "search ignores real_name",
    "search-any-term": "search terms are ORed",
    "unstable-ties": "ties are ordered at random on every request",
    "nulls-in-middle": "null last_active_at sorts halfway between the oldest and newest values",
    "next-missing": "next is always null",
    "next-wrong-offset": "next skips one row (offset + limit + 1)",
    "previous-wrong": "previous points at the current page",
    "past-end-404": "an offset past the end answers 404",
    "forbidden-not-enforced": "plain members and outsiders get the list instead of 403",
    "auth-not-enforced": "a missing or unknown token is served as the course creator",
    "www-authenticate-missing": "401 responses lack the WWW-Authenticate header",
    "missing-course-500": "an unknown course answers 500",
}


@dataclass(frozen=True, slots=True)
class Fault:
    """The one injected bug, if any."""

    name: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Fault:
        """Read MOCKSERVER_FAULT; an unknown name is a SettingsError."""
        value = (os.environ if environ is None else environ).get(FAULT_ENV, "").strip()
        if not value:
            return cls()
        if value not in FAULTS:
            raise SettingsError(
                FAULT_ENV, f"{value!r} is not a fault name; use one of {', '.join(FAULTS)}"
            )
        return cls(value)

    def on(self, name: str) -> bool:
        """True when the named bug is the injected one."""
        if name not in FAULTS:  # a typo here would silently disable a fault
            raise KeyError(name)
        return self.name == name


NO_FAULT = Fault()
