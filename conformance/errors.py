"""Errors the conformance suite models, turned into output only by the CLI.

ConformanceError            base class: anything the suite reports as "cannot run" (exit 2)
├── SettingsError           an option or environment variable is missing or has a bad value
└── CannotRun               the server cannot be checked at all
    ├── ServerUnreachable   no HTTP answer from the base URL
    ├── PreflightRejected   the first call was answered, but not with a usable member listing
    └── SetupMistake        the server's answers prove an option names the wrong course or token

A check that finds the server breaking the contract does not raise any of these: it records a
failure in the report (exit 1).
"""

from __future__ import annotations

from course_users.openapi.commandline import OptionError


class ConformanceError(Exception):
    """The suite cannot produce a verdict; str(error) is the one-line reason."""


class SettingsError(ConformanceError, OptionError):
    """An option or environment variable is missing or has a value the suite cannot use.

    Raised as `SettingsError(source, message)`; also the tools' shared `OptionError`.
    """


class CannotRun(ConformanceError):
    """The server cannot be checked at all."""


class ServerUnreachable(CannotRun):
    """No HTTP answer came back from the base URL (refused, DNS failure, timeout)."""


class PreflightRejected(CannotRun):
    """The first call got an answer that is not a usable member listing (401, 404, 500...)."""


class SetupMistake(CannotRun):
    """An answer proves an option wrong (a --missing-course-id that exists), not the server."""
