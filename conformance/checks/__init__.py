"""The registry of checks, in report order, and selection by name pattern and profile."""

from __future__ import annotations

from fnmatch import fnmatchcase

from course_users.conformance import catalogue
from course_users.conformance.checks import (
    auth,
    defaults,
    filtering,
    oracle_check,
    ordering,
    paging,
)
from course_users.conformance.checks.base import (
    Check,
    CheckResult,
    Context,
    Failure,
    Mismatch,
    Status,
)
from course_users.conformance.checks.schema import check_names as schema_check_names
from course_users.conformance.errors import SettingsError

SEMANTIC_CHECKS: tuple[Check, ...] = (
    *oracle_check.CHECKS,
    *filtering.CHECKS,
    *ordering.CHECKS,
    *paging.CHECKS,
    *defaults.CHECKS,
    *auth.CHECKS,
)


def all_check_names() -> list[str]:
    """Every check name in report order: the schema layer first, then the semantic layer."""
    return schema_check_names() + [check.name for check in SEMANTIC_CHECKS]


def select(patterns: tuple[str, ...], profile: str = catalogue.CONTRACT) -> list[str]:
    """The check names matching any pattern (`paging.*`, `auth`, a full name) and in `profile`.

    No pattern means every check. A bare group name (`paging`) means every check in it. A
    pattern matching nothing, or a selection the profile empties, is a SettingsError, so a typo
    in CI cannot silently turn the suite off.
    """
    names = all_check_names()
    chosen: set[str] = set(names)
    if patterns:
        chosen = set()
        for pattern in patterns:
            matched = {n for n in names if fnmatchcase(n, pattern) or n.split(".")[0] == pattern}
            if not matched:
                raise SettingsError("--check", f"{pattern!r} matches no check")
            chosen |= matched
    in_profile = {name for name in chosen if catalogue.in_profile(name, profile)}
    if not in_profile:
        selected = " ".join(patterns)
        raise SettingsError("--profile", f"no check selected by --check {selected} is in {profile}")
    return [name for name in names if name in in_profile]


__all__ = [
    "SEMANTIC_CHECKS",
    "Check",
    "CheckResult",
    "Context",
    "Failure",
    "Mismatch",
    "Status",
    "all_check_names",
    "select",
]
