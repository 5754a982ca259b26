"""One convention for every command-line tool of the project (mock, conformance, fixtures, spec,
benchmarks): where a setting comes from, how an error is printed, which exit status it gives.

Precedence: command-line option > environment variable (the tool's prefix and the option's name,
`MOCKSERVER_PORT`; empty means unset) > default. Every value arrives as text and goes through the
option's caster, so `--port abc` and `MOCKSERVER_PORT=abc` fail alike, naming where the value came
from: `--port: 'abc' is not an integer`. A secret's value is never repeated in an error.

Exit status (the README's "Exit status" table):

    0  ok
    1  the verdict failed, or the data is bad
    2  cannot run, or bad usage

An error is one line on stderr, `<tool>: error: <message>`.

    CommandLineError        base: str(error) is the one-line message, exit_code its status (2)
    └── UsageError          a bad option, environment variable or combination of them
        └── OptionError     one setting has a value the tool cannot use; names its source
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TextIO

EXIT_OK = 0
EXIT_FAILED = 1  # the verdict failed, or the data is bad
EXIT_CANNOT_RUN = 2  # cannot run, or bad usage

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


class CommandLineError(Exception):
    """The tool stops with one line; `exit_code` is the status it exits with."""

    exit_code = EXIT_CANNOT_RUN


class UsageError(CommandLineError):
    """The command line or the environment asks for something the tool cannot do."""


class OptionError(UsageError):
    """One option or environment variable is missing or has a value the tool cannot use."""

    def __init__(self, source: str, message: str) -> None:
        self.source = source
        super().__init__(f"{source}: {message}")


class InvalidValue(ValueError):
    """A caster's complaint that quotes part of the text (`quoted`) or, if `hidden`, none of it."""

    def __init__(self, reason: str, *, quoted: str | None = None, hidden: bool = False) -> None:
        super().__init__(reason)
        self.quoted = quoted
        self.hidden = hidden


@dataclass(frozen=True)
class Option:
    """One setting: its option flag, environment variable, caster, default and help line.

    `cast` takes the text and returns the value or raises ValueError with the reason
    ("is not an integer"). A `switch` is a bare flag on the command line (`--reload`) and a
    yes/no value in the environment. A `repeat` option may be given several times; its values
    reach the caster comma-joined, as the environment variable holds them.
    """

    name: str
    cast: Callable[[str], Any] = str
    help: str | None = None
    metavar: str | None = None
    default: Any = None
    required: bool = False
    secret: bool = False  # a credential: its value is never echoed in an error
    switch: bool = False
    repeat: bool = False
    positional: bool = False
    env: str | None = None  # instead of the tool's prefix + NAME, for a variable shared by tools

    @property
    def flag(self) -> str:
        """The command-line option, e.g. `--max-limit` (an operand's metavar, e.g. `FILE`)."""
        if self.positional:
            return self.metavar or self.name.upper()
        return "--" + self.name.replace("_", "-")

    def problem(self, raw: str, error: ValueError) -> str:
        """The complaint about a bad value, quoting it unless it is (or holds) a secret."""
        if self.secret or getattr(error, "hidden", False):
            return f"(value not shown) {error}"
        return f"{getattr(error, 'quoted', None) or raw!r} {error}"


class Options:
    """The options of one tool (or one subcommand), read by the one precedence rule."""

    def __init__(
        self,
        prefix: str,
        *options: Option,
        error: Callable[[str, str], Exception] = OptionError,
    ) -> None:
        self.prefix = prefix
        self.options = {option.name: option for option in options}
        self.error = error

    def __iter__(self):
        return iter(self.options.values())

    def variable(self, option: Option) -> str:
        """The environment variable that sets `option`, e.g. `MOCKSERVER_MAX_LIMIT`."""
        return option.env or self.prefix + option.name.upper()

    def add_to(self, parser: argparse.ArgumentParser) -> None:
        """Add every option to `parser`; values stay text so CLI and environment cast alike."""
        for option in self:
            help_text = " ".join(filter(None, (option.help, f"[env {self.variable(option)}]")))
            if option.positional:
                parser.add_argument(option.name, nargs="?", metavar=option.flag, help=help_text)
            elif option.switch:
                parser.add_argument(
                    option.flag,
                    dest=option.name,
                    action="store_const",
                    const="true",
                    help=help_text,
                )
            else:
                parser.add_argument(
                    option.flag,
                    dest=option.name,
                    metavar=option.metavar or option.name.upper(),
                    action=_JoinRepeated if option.repeat else "store",
                    help=help_text,
                )

    def resolve(self, given: Mapping[str, Any], environ: Mapping[str, str]) -> dict[str, Any]:
        """Every option's value: `given` (not None) > environment > default, cast and checked."""
        return {name: self.read(name, given, environ) for name in self.options}

    def read(self, name: str, given: Mapping[str, Any], environ: Mapping[str, str]) -> Any:
        """One option's value by the same rule, for a command that needs one or two of them."""
        option = self.options[name]
        raw, source = self._pick(option, given, environ)
        if raw is None:
            if option.required:
                raise self.error(
                    option.flag, f"missing; pass {option.flag} or set {self.variable(option)}"
                )
            return option.default
        return self.cast(option, raw, source)

    def cast(self, option: Option, raw: str, source: str) -> Any:
        """`raw` through the option's caster; a bad value fails naming `source`."""
        try:
            return option.cast(raw)
        except ValueError as error:
            raise self.error(source, option.problem(raw, error)) from None

    def _pick(
        self, option: Option, given: Mapping[str, Any], environ: Mapping[str, str]
    ) -> tuple[str | None, str]:
        value = given.get(option.name)
        if value is not None:
            return str(value), option.flag
        variable = self.variable(option)
        value = environ.get(variable)
        # An empty variable (`MOCKSERVER_PORT=` in a CI file) means "not set", as in CI systems.
        if value is not None and value.strip() != "":
            return value, variable
        return None, option.flag


class _JoinRepeated(argparse.Action):
    """A repeated option's values as one comma-separated text, as its environment variable."""

    def __call__(self, _parser, namespace, values, _option_string=None) -> None:
        previous = getattr(namespace, self.dest, None)
        setattr(namespace, self.dest, f"{previous},{values}" if previous else values)


class Parser(argparse.ArgumentParser):
    """argparse whose usage errors are one line (`<tool>: error: ...`) and exit status 2."""

    def __init__(self, tool: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tool = tool

    def add_subparsers(self, **kwargs: Any) -> Any:
        """Subcommands get the same one-line usage errors."""
        kwargs.setdefault("parser_class", functools.partial(Parser, self.tool))
        return super().add_subparsers(**kwargs)

    def error(self, message: str) -> NoReturn:
        """A usage mistake: one line, no usage dump, exit 2."""
        fail(self.tool, message)
        raise SystemExit(EXIT_CANNOT_RUN)


def error_line(tool: str, message: object) -> str:
    """The one error format of every tool."""
    return f"{tool}: error: {' '.join(str(message).splitlines())}"


def fail(
    tool: str, message: object, code: int = EXIT_CANNOT_RUN, stream: TextIO | None = None
) -> int:
    """Print `message` as the tool's one error line on stderr; return the exit status `code`."""
    print(error_line(tool, message), file=stream or sys.stderr, flush=True)
    return code


def run(tool: str, main: Callable[[Sequence[str] | None], int], argv: Sequence[str] | None) -> int:
    """`main(argv)`, with a CommandLineError it raises turned into its line and exit status."""
    try:
        return main(argv)
    except CommandLineError as error:
        return fail(tool, error, error.exit_code)


# Casters shared by the tools; each raises ValueError with the reason.


def text(raw: str) -> str:
    """Non-empty text, stripped."""
    if not raw.strip():
        raise ValueError("is empty")
    return raw.strip()


def yes_no(raw: str) -> bool:
    """A switch's value in the environment."""
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError("is not a yes/no value (1, true, yes, on / 0, false, no, off)")


def integer(low: int | None = None, high: int | None = None) -> Callable[[str], int]:
    """An integer in [low, high]; a bound left None is no bound."""

    def cast(raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise ValueError("is not an integer") from None
        if low is not None and high is not None and not low <= value <= high:
            raise ValueError(f"must be between {low} and {high}")
        if low is not None and value < low:
            raise ValueError(f"must be at least {low}")
        if high is not None and value > high:
            raise ValueError(f"must be at most {high}")
        return value

    return cast


def path(raw: str) -> Path:
    """A file path (not checked for existence: the command says what it needs)."""
    if not raw.strip():
        raise ValueError("is not a file path")
    return Path(raw.strip())


def one_of(choices: Sequence[str]) -> Callable[[str], str]:
    """One of `choices`, exactly."""

    def cast(raw: str) -> str:
        if raw.strip() not in choices:
            raise ValueError(f"is not one of {', '.join(choices)}")
        return raw.strip()

    return cast


def each(cast: Callable[[str], Any]) -> Callable[[str], tuple[Any, ...]]:
    """A comma-separated list (a `repeat` option), each item through `cast`."""

    def cast_all(raw: str) -> tuple[Any, ...]:
        items = [item.strip() for item in raw.split(",") if item.strip()]
        values = []
        for item in items:
            try:
                values.append(cast(item))
            except ValueError as error:
                raise InvalidValue(str(error), quoted=item) from None
        return tuple(values)

    return cast_all
