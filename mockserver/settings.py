"""The mock's settings: read once, cast, each bad value failing by name.

Precedence: command-line option > environment variable (`MOCKSERVER_<NAME>`) > default. Every value
arrives as text and goes through the same caster, so `--port abc` and `MOCKSERVER_PORT=abc` fail
the same way, naming where the value came from.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from mockserver.cors import parse_origins
from mockserver.errors import SettingsError
from mockserver.faults import Fault

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
    max_limit: int = 100
    latency: tuple[int, int] = (0, 0)  # milliseconds, min and max
    error_rate: float = 0.0
    proxy_headers: bool = False
    log_level: str = "info"
    cors_origin: tuple[str, ...] = ()  # allowed besides the local origins (mockserver.cors)
    fault: Fault = field(default_factory=Fault)

    @classmethod
    def load(
        cls,
        options: Mapping[str, str | None] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Settings:
        """Settings from CLI `options` (name -> text or None), then environment, then defaults."""
        options = options or {}
        environ = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for name, cast in _CASTERS.items():
            cli_value = options.get(name)
            env_name = ENV_PREFIX + name.upper()
            if cli_value is not None:
                values[name] = cast("--" + name.replace("_", "-"), cli_value)
            elif environ.get(env_name, "") != "":
                values[name] = cast(env_name, environ[env_name])
        settings = cls(**values, fault=Fault.from_env(environ))  # type: ignore[arg-type]
        settings.check()
        return settings

    def check(self) -> None:
        """Reject combinations no single value reveals."""
        if self.fixtures is not None and self.members is not None:
            raise SettingsError("--members", self.members, "cannot be combined with --fixtures")
        if self.reload and self.members is not None:
            raise SettingsError("--reload", True, "watches a fixtures file; --members has none")

    def to_environ(self) -> dict[str, str]:
        """These settings as MOCKSERVER_* variables, so worker processes can rebuild them."""
        env: dict[str, str] = {}
        for name, value in asdict(self).items():
            if name == "fault" or value is None:
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
        return f"http://{host}:{self.port}/api/v2/"


def _integer(low: int, high: int | None = None) -> Callable[[str, str], int]:
    def cast(name: str, text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise SettingsError(name, text, "is not an integer") from None
        if value < low or (high is not None and value > high):
            bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise SettingsError(name, text, f"must be {bounds}")
        return value

    return cast


def _boolean(name: str, text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise SettingsError(name, text, "is not a boolean (use true or false)")


def _fixtures(name: str, text: str) -> Path:
    path = Path(text)
    if not path.is_file():
        raise SettingsError(name, text, "is not a readable file")
    return path.resolve()


def _latency(name: str, text: str) -> tuple[int, int]:
    low_text, _, high_text = text.partition("-")
    parse = _integer(0, 600_000)
    try:
        low = parse(name, low_text.strip())
        high = parse(name, high_text.strip()) if high_text else low
    except SettingsError:
        raise SettingsError(name, text, "is not milliseconds (MS) or a range (MIN-MAX)") from None
    if high < low:
        raise SettingsError(name, text, "has its minimum above its maximum")
    return low, high


def _fraction(name: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise SettingsError(name, text, "is not a number") from None
    if not 0.0 <= value <= 1.0:
        raise SettingsError(name, text, "must be between 0 and 1")
    return value


def _log_level(name: str, text: str) -> str:
    if text.lower() not in LOG_LEVELS:
        raise SettingsError(name, text, f"is not one of {', '.join(LOG_LEVELS)}")
    return text.lower()


def _text(name: str, text: str) -> str:
    if not text.strip():
        raise SettingsError(name, text, "is empty")
    return text.strip()


_CASTERS: dict[str, Callable[[str, str], object]] = {
    "host": _text,
    "port": _integer(0, 65535),
    "fixtures": _fixtures,
    "members": _integer(1, 5_000_000),
    "courses": _integer(1, 1000),
    "seed": _integer(0),
    "workers": _integer(1, 64),
    "reload": _boolean,
    "max_limit": _integer(1, 10_000),
    "latency": _latency,
    "error_rate": _fraction,
    "proxy_headers": _boolean,
    "log_level": _log_level,
    "cors_origin": parse_origins,  # comma-separated: the CLI joins a repeated --cors-origin
}
assert set(_CASTERS) == {f.name for f in fields(Settings)} - {"fault"}
