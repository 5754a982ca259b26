"""What one conformance run is aimed at, read once from options, environment and defaults.

Precedence is explicit: a command-line option beats its environment variable, which beats the
default, by the tools' one engine (`openapi.commandline`). A bad value fails by name
(`--seed: 'x' is not an integer`), naming where it came from; a token's value is never repeated.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from course_users.conformance.catalogue import CONTRACT, PROFILES
from course_users.conformance.errors import SettingsError
from course_users.openapi.commandline import InvalidValue, Option, Options, path, yes_no
from course_users.openapi.contract import CONTRACT as SPEC

DEFAULT_MAX_EXAMPLES = 50
DEFAULT_TIMEOUT = 10.0
# A full default run takes under a minute against a local server; half an hour means it is stuck.
DEFAULT_RUN_TIMEOUT = 1800.0
_COURSE_ID = re.compile(r"^[0-9]+$")


@dataclass(frozen=True)
class Settings:
    """Everything a run needs; build it with `Settings.from_sources` or directly in tests."""

    base_url: str
    token: str
    course_id: str
    forbidden_token: str | None = None
    missing_course_id: str | None = None
    max_examples: int = DEFAULT_MAX_EXAMPLES
    seed: int | None = None
    junit_xml: Path | None = None
    report_json: Path | None = None
    profile: str = CONTRACT
    # fnmatch patterns over check names (`paging.*`); empty means every check.
    checks: tuple[str, ...] = field(default_factory=tuple)
    timeout: float = DEFAULT_TIMEOUT
    run_timeout: float = DEFAULT_RUN_TIMEOUT
    show_secrets: bool = False
    quiet: bool = False
    verbose: bool = False

    def __post_init__(self) -> None:
        if self.quiet and self.verbose:
            raise SettingsError("--quiet", "cannot be combined with --verbose; give one of them")
        # Direct construction (tests, library users) gets the same validation as the CLI.
        for option in OPTIONS:
            value = getattr(self, option.name)
            if value is not None and not option.switch:
                OPTIONS.cast(option, str(value), option.name)

    @classmethod
    def from_sources(
        cls, options: Mapping[str, Any], environ: Mapping[str, str] | None = None
    ) -> Settings:
        """Resolve every setting: option (when not None) > environment variable > default."""
        given = OPTIONS.resolve(options, {} if environ is None else environ)
        values = {name: value for name, value in given.items() if value is not None}
        checks = options.get("checks")
        if checks:
            values["checks"] = tuple(checks)
        return cls(**values)

    @property
    def verbosity(self) -> str:
        """How much the text report says: "quiet", "normal" or "verbose"."""
        return "quiet" if self.quiet else "verbose" if self.verbose else "normal"


def read_option(
    name: str, options: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> Any:
    """One setting, parsed, by the same precedence as `Settings.from_sources` (None if unset).

    For commands that need a setting or two without a whole run (`--list-checks --profile`).
    """
    return OPTIONS.read(name, options, {} if environ is None else environ)


class HiddenValueError(InvalidValue):
    """A bad value that holds a credential, so the error must not repeat it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, hidden=True)


def parse_base_url(raw: str) -> str:
    parts = urlsplit(raw.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("is not an http:// or https:// URL with a host")
    if "@" in parts.netloc:
        raise HiddenValueError(
            "carries credentials (user:password@host): they would be sent and printed; "
            "pass the bearer token with --token"
        )
    if parts.query or parts.fragment:
        raise ValueError("must not carry a query string or fragment")
    return raw.strip()


def parse_course_id(raw: str) -> str:
    value = raw.strip()
    if not _COURSE_ID.match(value):
        raise ValueError("is not a course id (digits only)")
    return value


def parse_token(raw: str) -> str:
    value = raw.strip()
    if not value or any(ch.isspace() for ch in value):
        raise ValueError("is not a bearer token (empty or contains whitespace)")
    return value


def _parse_positive_int(raw: str) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise ValueError("is not a positive integer") from None
    if value < 1:
        raise ValueError("is not a positive integer")
    return value


def _parse_seed(raw: str) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise ValueError("is not an integer") from None
    if value < 0:
        raise ValueError("is not a non-negative integer")
    return value


def _parse_profile(raw: str) -> str:
    value = raw.strip()
    if value not in PROFILES:
        raise ValueError(f"is not a profile; use one of {', '.join(PROFILES)}")
    return value


def parse_seconds(raw: str) -> float:
    try:
        value = float(raw.strip())
    except ValueError:
        raise ValueError("is not a number of seconds") from None
    if not 0 < value < float("inf"):
        raise ValueError("is not a positive number of seconds")
    return value


OPTIONS = Options(
    "CONFORMANCE_",
    Option(
        "base_url",
        parse_base_url,
        required=True,
        help=f"server origin, e.g. http://127.0.0.1:8000 ({SPEC.base_path} is added; a URL "
        f"ending in {SPEC.base_path} works too)",
    ),
    Option(
        "token",
        parse_token,
        required=True,
        secret=True,
        help="bearer token of a creator or manager of the course",
    ),
    Option(
        "course_id",
        parse_course_id,
        required=True,
        help="the course whose members are listed",
    ),
    Option(
        "forbidden_token",
        parse_token,
        secret=True,
        help="a valid token of a user who is NOT creator/manager of the course (enables the 403 "
        "check)",
    ),
    Option(
        "missing_course_id",
        parse_course_id,
        help="a course id that does not exist (enables the 404 check)",
    ),
    Option(
        "max_examples",
        _parse_positive_int,
        help=f"generated examples per property check (default {DEFAULT_MAX_EXAMPLES})",
    ),
    Option(
        "seed",
        _parse_seed,
        help="seed for data generation; the report prints the seed used so a run can be repeated",
    ),
    Option(
        "junit_xml",
        path,
        help="also write a JUnit XML report to this file",
    ),
    Option(
        "report_json",
        path,
        help="also write a JSON report (run, and per check its basis, verdict, reproduction)",
    ),
    Option(
        "profile",
        _parse_profile,
        help=f"which checks run: {CONTRACT} (default) every check; docs only those whose basis "
        "is the vendor docs alone",
    ),
    Option(
        "timeout",
        parse_seconds,
        help=f"seconds each answer may take in all, body included (default {DEFAULT_TIMEOUT:g})",
    ),
    Option(
        "run_timeout",
        parse_seconds,
        help=f"seconds the whole run may take before it stops as 'cannot run' (default "
        f"{DEFAULT_RUN_TIMEOUT:g})",
    ),
    Option(
        "show_secrets",
        yes_no,
        switch=True,
        help="print tokens in the reports' curl lines (by default they read $CONFORMANCE_TOKEN)",
    ),
    Option(
        "quiet",
        yes_no,
        switch=True,
        help="print only the failures and the summary line (not with --verbose)",
    ),
    Option(
        "verbose",
        yes_no,
        switch=True,
        help="also print each check's description and the requests it sent (not with --quiet)",
    ),
    error=SettingsError,
)
