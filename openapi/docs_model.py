"""What the vendor docs pages say about the endpoint, as read by ``docs_parser``.

Every item keeps the file and line it came from so later checks can point at it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from course_users.openapi.doctypes import DocType


@dataclass(frozen=True)
class Source:
    """Where an item was read: page file and 1-based line."""

    file: Path
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class EnumValue:
    """One row of an Enumerated Values table."""

    value: str
    description: str


@dataclass(frozen=True)
class Parameter:
    """One row of the endpoint's Parameters table."""

    name: str
    location: str
    type: DocType
    required: bool
    description: str
    source: Source


@dataclass(frozen=True)
class Property:
    """One row of a Response Schema or Properties table."""

    name: str
    type: DocType
    required: bool
    restrictions: str
    description: str
    source: Source


@dataclass(frozen=True)
class Response:
    """One row of the endpoint's Responses table."""

    status: str
    meaning: str
    description: str
    schema: str
    source: Source


@dataclass(frozen=True)
class SchemaPage:
    """A page under ``schemas/``: its Properties table and its Enumerated Values table."""

    route: str
    title: str
    properties: tuple[Property, ...]
    enums: dict[str, tuple[EnumValue, ...]]
    source: Source


@dataclass(frozen=True)
class EndpointPage:
    """The endpoint page: request line, role box, parameters, responses, response schema."""

    route: str
    title: str
    intro: str
    role: str | None
    method: str
    path: str
    parameters: tuple[Parameter, ...]
    enums: dict[str, tuple[EnumValue, ...]]
    responses: tuple[Response, ...]
    response_schemas: dict[str, tuple[Property, ...]]
    source: Source


@dataclass(frozen=True)
class ErrorCode:
    """One row of the errors page."""

    code: str
    meaning: str
    source: Source


@dataclass
class Docs:
    """Everything read from the docs directory."""

    root: Path
    endpoint: EndpointPage
    errors: tuple[ErrorCode, ...]
    auth_methods: tuple[str, ...]
    schemas: dict[str, SchemaPage] = field(default_factory=dict)
