"""What one conformance run is aimed at, read once from options, environment and defaults.

Precedence is explicit: a command-line option beats its environment variable, which beats the
default. A bad value fails by name (`--seed: 'x' is not an integer`), naming where it came from.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from conformance.catalogue import CONTRACT, PROFILES
from conformance.errors import SettingsError

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
        for spec in OPTIONS:
            value = getattr(self, spec.name)
            if value is None or spec.switch:
                continue
            try:
                spec.parse(str(value))
            except ValueError as exc:
                raise SettingsError(spec.name, spec.problem(str(value), exc)) from None

    @classmethod
    def from_sources(
        cls, options: Mapping[str, Any], environ: Mapping[str, str] | None = None
    ) -> Settings:
        """Resolve every setting: option (when not None) > environment variable > default."""
        environ = {} if environ is None else environ
        values: dict[str, Any] = {}
        for spec in OPTIONS:
            value = read_option(spec.name, options, environ)
            if value is None:
                if spec.required:
                    raise SettingsError(spec.flag, f"missing; pass {spec.flag} or set {spec.env}")
                continue
            values[spec.name] = value
        checks = options.get("checks")
        if checks:
            values["checks"] = tuple(checks)
        return cls(**values)

    @property
    def verbosity(self) -> str:
        """How much the text report says: "quiet", "normal" or "verbose"."""
        return "quiet" if self.quiet else "verbose" if self.verbose else "normal"


@dataclass(frozen=True)
class OptionSpec:
    """One setting: its option flag, environment variable, parser and whether it is required."""

    name: str
    env: str
    parse: Callable[[str], Any]
    required: bool = False
    help: str = ""
    secret: bool = False  # a credential: its value is never echoed in an error
    switch: bool = False  # an on/off flag on the command line (`--show-secrets`)

    def problem(self, raw: str, exc: ValueError) -> str:
        """The one-line complaint about a bad value, without echoing a credential."""
        if self.secret or isinstance(exc, HiddenValueError):
            return f"(value not shown) {exc}"
        return f"{raw!r} {exc}"

    @property
    def flag(self) -> str:
        """The command-line option, e.g. `--base-url`."""
        return "--" + self.name.replace("_", "-")


def read_option(
    name: str, options: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> Any:
    """One setting, parsed, by the same precedence as `Settings.from_sources` (None if unset).

    For commands that need a setting or two without a whole run (`--list-checks --profile`).
    """
    spec = next(spec for spec in OPTIONS if spec.name == name)
    raw, source = _pick(spec, options, {} if environ is None else environ)
    if raw is None:
        return None
    try:
        return spec.parse(raw)
    except ValueError as exc:
        raise SettingsError(source, spec.problem(raw, exc)) from None


def _pick(
    spec: OptionSpec, options: Mapping[str, Any], environ: Mapping[str, str]
) -> tuple[str | None, str]:
    value = options.get(spec.name)
    if value is not None:
        return str(value), spec.flag
    value = environ.get(spec.env)
    # An empty variable (`CONFORMANCE_SEED=` in a CI file) means "not set", as in most CI systems.
    if value is not None and value.strip() != "":
        return value, spec.env
    return None, spec.flag


class HiddenValueError(ValueError):
    """A bad value that holds a credential, so the error must not repeat it."""


def _parse_base_url(raw: str) -> str:
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


def _parse_course_id(raw: str) -> str:
    value = raw.strip()
    if not _COURSE_ID.match(value):
        raise ValueError("is not a course id (digits only)")
    return value


def _parse_token(raw: str) -> str:
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


def _parse_seconds(raw: str) -> float:
    try:
        value = float(raw.strip())
    except ValueError:
        raise ValueError("is not a number of seconds") from None
    if not 0 < value < float("inf"):
        raise ValueError("is not a positive number of seconds")
    return value


def _parse_switch(raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError("is not a yes/no value (1, true, yes, on / 0, false, no, off)")


def _parse_path(raw: str) -> Path:
    if not raw.strip():
        raise ValueError("is not a file path")
    return Path(raw.strip())


OPTIONS: tuple[OptionSpec, ...] = (
    OptionSpec(
        "base_url",
        "CONFORMANCE_BASE_URL",
        _parse_base_url,
        required=True,
        help="server origin, e.g. http://127.0.0.1:8000 (/api/v2 is added; a URL ending in "
        "/api/v2 works too)",
    ),
    OptionSpec(
        "token",
        "CONFORMANCE_TOKEN",
        _parse_token,
        required=True,
        secret=True,
        help="bearer token of a creator or manager of the course",
    ),
    OptionSpec(
        "course_id",
        "CONFORMANCE_COURSE_ID",
        _parse_course_id,
        required=True,
        help="the course whose members are listed",
    ),
    OptionSpec(
        "forbidden_token",
        "CONFORMANCE_FORBIDDEN_TOKEN",
        _parse_token,
        secret=True,
        help="a valid token of a user who is NOT creator/manager of the course (enables the 403 "
        "check)",
    ),
    OptionSpec(
        "missing_course_id",
        "CONFORMANCE_MISSING_COURSE_ID",
        _parse_course_id,
        help="a course id that does not exist (enables the 404 check)",
    ),
    OptionSpec(
        "max_examples",
        "CONFORMANCE_MAX_EXAMPLES",
        _parse_positive_int,
        help=f"generated examples per property check (default {DEFAULT_MAX_EXAMPLES})",
    ),
    OptionSpec(
        "seed",
        "CONFORMANCE_SEED",
        _parse_seed,
        help="seed for data generation; the report prints the seed used so a run can be repeated",
    ),
    OptionSpec(
        "junit_xml",
        "CONFORMANCE_JUNIT_XML",
        _parse_path,
        help="also write a JUnit XML report to this file",
    ),
    OptionSpec(
        "report_json",
        "CONFORMANCE_REPORT_JSON",
        _parse_path,
        help="also write a JSON report (run, and per check its basis, verdict, reproduction)",
    ),
    OptionSpec(
        "profile",
        "CONFORMANCE_PROFILE",
        _parse_profile,
        help=f"which checks run: {CONTRACT} (default) every check; docs only those whose basis "
        "is the vendor docs alone",
    ),
    OptionSpec(
        "timeout",
        "CONFORMANCE_TIMEOUT",
        _parse_seconds,
        help=f"seconds each answer may take in all, body included (default {DEFAULT_TIMEOUT:g})",
    ),
    OptionSpec(
        "run_timeout",
        "CONFORMANCE_RUN_TIMEOUT",
        _parse_seconds,
        help=f"seconds the whole run may take before it stops as 'cannot run' (default "
        f"{DEFAULT_RUN_TIMEOUT:g})",
    ),
    OptionSpec(
        "show_secrets",
        "CONFORMANCE_SHOW_SECRETS",
        _parse_switch,
        switch=True,
        help="print tokens in the reports' curl lines (by default they read $CONFORMANCE_TOKEN)",
    ),
    OptionSpec(
        "quiet",
        "CONFORMANCE_QUIET",
        _parse_switch,
        switch=True,
        help="print only the failures and the summary line (not with --verbose)",
    ),
    OptionSpec(
        "verbose",
        "CONFORMANCE_VERBOSE",
        _parse_switch,
        switch=True,
        help="also print each check's description and the requests it sent (not with --quiet)",
    ),
)
