"""The errors of the contract tooling; the CLI turns each into one line and an exit code.

ContractError                 base: everything the CLI reports without a traceback (a
                              `commandline.CommandLineError`, so the tools' one error line)
├── DocsError                 the docs cannot be read as the generated layout (exit 2)
│   └── DocsParseError        a page does not parse; carries file and line
├── SpecShapeError            the spec is not one operation we can read facts from (exit 2)
├── DecisionsError            decisions.yaml is malformed or contradicts itself (exit 2)
└── DriftError                the docs no longer match a recorded decision (exit 1)
"""

from __future__ import annotations

from pathlib import Path

from course_users.openapi.commandline import EXIT_FAILED, CommandLineError


class ContractError(CommandLineError):
    """Base of every error the contract tooling reports as one line (exit 2 unless said)."""


class DocsError(ContractError):
    """The docs directory or one of its pages is missing or unusable."""


class DocsParseError(DocsError):
    """A docs page does not follow the generated Docusaurus layout at ``file:line``."""

    def __init__(self, file: Path | str, line: int, message: str) -> None:
        self.file = Path(file)
        self.line = line
        self.message = message
        super().__init__(f"{self.file}:{line}: {message}")


class SpecShapeError(ContractError):
    """The spec being checked does not have the shape the generator writes."""


class DecisionsError(ContractError):
    """The decisions file is malformed or one decision cannot be applied."""

    def __init__(self, file: Path | str, place: str, message: str) -> None:
        self.file = Path(file)
        self.place = place
        self.message = message
        super().__init__(f"{self.file.name}: {place}: {message}")


class DriftError(ContractError):
    """The docs say something other than what a recorded decision was made against."""

    exit_code = EXIT_FAILED
