"""The mock's settings: read once, cast, each bad value failing by name.

Precedence: command-line option > environment variable (`MOCKSERVER_<NAME>`) > default, by the
tools' one engine (`openapi.commandline`). Every value arrives as text and goes through the same
caster, so `--port abc` and `MOCKSERVER_PORT=abc` fail the same way, naming where the value came
from. Adding an option is one `Option(...)` line below and one field of `Settings`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from urllib.parse import urlsplit

from course_users.mockserver.errors import SettingsError
from course_users.mockserver.serving.cors import parse_origins
from course_users.openapi.commandline import (
    InvalidValue,
    Option,
    Options,
    integer,
    one_of,
    path,
    text,
    yes_no,
)
from course_users.openapi.contract import CONTRACT

ENV_PREFIX = "MOCKSERVER_"
LOG_LEVELS = ("critical", "error", "warning", "info", "debug")


@dataclass(frozen=True)
class Settings:
    """Everything `create_app` and the CLI need; build with `Settings.load`."""

    host: str = "127.0.0.1"
    port: int = 8000
    fixtures: Path | None = None  # None: the committed default dataset (or --members)
    members: int | None = None  # generate a dataset with this many members per course instead
    courses: int = 1
    seed: int = 0
    workers: int = 1
    reload: bool = False
    max_limit: int = CONTRACT.max_limit  # the contract's page cap unless told otherwise
    latency: tuple[int, int] = (0, 0)  # milliseconds, min and max
    error_rate: float = 0.0
    proxy_headers: bool = False
    log_level: str = "info"
    cors_origin: tuple[str, ...] = ()  # allowed besides the local origins (mockserver.serving.cors)
    proxy: str | None = None  # an upstream origin: forward to it and check its answers instead
    proxy_strict: bool = False  # with proxy: a contract-breaking answer becomes a 502
    proxy_timeout: float = 30.0  # seconds the upstream has for a whole answer
    cache_dir: Path | None = None  # None: mockserver.data.storecache.default_directory()
    no_cache: bool = False  # index the dataset at every start, never read or write the cache

    @classmethod
    def load(
        cls,
        options: Mapping[str, str | None] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Settings:
        """Settings from CLI `options` (name -> text or None), then environment, then defaults."""
        environ = os.environ if environ is None else environ
        given = OPTIONS.resolve(options or {}, environ)
        values = {name: value for name, value in given.items() if value is not None}
        settings = cls(**values)  # type: ignore[arg-type]
        settings.check()
        return settings

    def check(self) -> None:
        """Reject combinations no single value reveals."""
        if self.fixtures is not None and self.members is not None:
            raise SettingsError("--members", f"{self.members!r} cannot be combined with --fixtures")
        if self.reload and self.members is not None:
            raise SettingsError("--reload", "True watches a fixtures file; --members has none")
        self._check_proxy()

    def _check_proxy(self) -> None:
        if self.proxy is None:
            if self.proxy_strict:
                raise SettingsError("--proxy-strict", "True needs --proxy URL")
            return
        for name, used in (
            ("--fixtures", self.fixtures is not None),
            ("--members", self.members is not None),
            ("--reload", self.reload),
        ):
            if used:
                raise SettingsError(name, "cannot be combined with --proxy (the data is upstream)")
        if self.workers > 1:
            raise SettingsError(
                "--workers", f"{self.workers!r} with --proxy: one process keeps the violations"
            )

    def to_environ(self) -> dict[str, str]:
        """These settings as MOCKSERVER_* variables, so worker processes can rebuild them."""
        env: dict[str, str] = {}
        for name, value in asdict(self).items():
            if value is None:
                continue
            if name == "latency":
                value = f"{value[0]}-{value[1]}"
            elif name == "cors_origin":
                value = ",".join(value)
            env[ENV_PREFIX + name.upper()] = (
                str(value).lower() if isinstance(value, bool) else str(value)
            )
        return env

    @property
    def base_url(self) -> str:
        """Where the API answers."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{CONTRACT.base_path}/"


def _fixtures(raw: str) -> Path:
    path = Path(raw)
    if not path.is_file():
        raise ValueError("is not a readable file")
    return path.resolve()


def _latency(raw: str) -> tuple[int, int]:
    low_text, _, high_text = raw.partition("-")
    parse = integer(0, 600_000)
    try:
        low = parse(low_text.strip())
        high = parse(high_text.strip()) if high_text else low
    except ValueError:
        raise ValueError("is not milliseconds (MS) or a range (MIN-MAX)") from None
    if high < low:
        raise ValueError("has its minimum above its maximum")
    return low, high


def _fraction(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ValueError("is not a number") from None
    if not 0.0 <= value <= 1.0:
        raise ValueError("must be between 0 and 1")
    return value


def _upstream(raw: str) -> str:
    """An http(s) origin, optionally with a path prefix; no credentials, query or fragment."""
    parts = urlsplit(raw.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("is not an http:// or https:// URL")
    if parts.username is not None or parts.password is not None:
        raise InvalidValue("holds credentials; send the token as Authorization", hidden=True)
    if parts.query or parts.fragment:
        raise ValueError("has a query or fragment; give the backend's origin")
    try:
        parts.port  # noqa: B018 - reading it validates it
    except ValueError:
        raise ValueError("has an invalid port") from None
    return raw.strip().rstrip("/")


def _seconds(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ValueError("is not a number of seconds") from None
    if not 0.1 <= value <= 600:
        raise ValueError("must be between 0.1 and 600 seconds")
    return value


def _log_level(raw: str) -> str:
    return one_of(LOG_LEVELS)(raw.lower())


OPTIONS = Options(
    ENV_PREFIX,
    Option("host", text, "interface to listen on (default 127.0.0.1)"),
    Option("port", integer(0, 65535), "port to listen on (default 8000)"),
    Option(
        "fixtures", _fixtures, "fixture file (.yaml/.json); default: the bundled dataset", "FILE"
    ),
    Option(
        "members",
        integer(1, 5_000_000),
        "generate a dataset with N members per course instead",
        "N",
    ),
    Option("courses", integer(1, 1000), "courses to generate with --members (default 1)", "N"),
    Option(
        "seed", integer(0), "seed for --members and for --latency/--error-rate (default 0)", "S"
    ),
    Option("workers", integer(1, 64), "worker processes (default 1)", "N"),
    Option("reload", yes_no, "reload the fixtures file when it changes", switch=True),
    Option(
        "max_limit",
        integer(1, 10_000),
        f"largest page size served (default {CONTRACT.max_limit})",
        "N",
    ),
    Option("latency", _latency, "delay every API request (fixed or random range)", "MS|MIN-MAX"),
    Option("error_rate", _fraction, "fraction of API requests answered 500/503 (default 0)", "F"),
    Option("proxy_headers", yes_no, "trust X-Forwarded-Proto/-Host in links", switch=True),
    Option("log_level", _log_level, f"one of {', '.join(LOG_LEVELS)} (default info)", "LEVEL"),
    Option(
        "cors_origin",
        parse_origins,
        "also allow this browser origin or pattern (https://*.example.test; * = any origin, "
        "no credentials); repeatable; local origins are always allowed",
        "ORIGIN",
        repeat=True,  # MOCKSERVER_CORS_ORIGIN holds them comma-separated
    ),
    Option(
        "proxy",
        _upstream,
        f"forward to this backend (its origin; {CONTRACT.base_path} is added) and check every "
        "answer against the contract",
        "URL",
    ),
    Option(
        "proxy_strict",
        yes_no,
        "with --proxy: answer a contract-breaking response with a 502 naming the violation",
        switch=True,
    ),
    Option(
        "proxy_timeout",
        _seconds,
        "with --proxy: seconds the backend has for a whole answer, else 504 (default 30)",
        "S",
    ),
    Option(
        "cache_dir",
        path,
        "startup cache of indexed datasets, keyed by the fixture file's content "
        "(default ~/.cache/selfcommunity-mock, or under $XDG_CACHE_HOME)",
        "DIR",
    ),
    Option("no_cache", yes_no, "index the dataset at every start; no startup cache", switch=True),
    error=SettingsError,
)
assert {option.name for option in OPTIONS} == {f.name for f in fields(Settings)}
