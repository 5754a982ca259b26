"""The docs' type notation, e.g. ``string(uri)¦null`` or ``list([Course User Dashboard](...))``.

Grammar of the generated pages::

    type   := single ('¦' single)*
    single := 'list(' type ')' | '[' label '](' url ')' | 'null' | name ['(' format ')']

``parse_type`` turns the text into a small tree; ``str()`` of the tree is the canonical text, so
the drift check compares types independently of spacing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

BASE_TYPES = ("string", "integer", "number", "boolean", "object")
_BASE = re.compile(r"(?P<name>[a-z]+)(?:\((?P<format>[a-z0-9-]+)\))?")
_LINK = re.compile(r"\[(?P<label>[^\]]+)\]\((?P<url>[^)\s]+)\)")


@dataclass(frozen=True)
class Base:
    """A primitive type, with an optional format: ``string(date-time)``."""

    name: str
    format: str | None = None

    def __str__(self) -> str:
        return f"{self.name}({self.format})" if self.format else self.name


@dataclass(frozen=True)
class Null:
    """The ``null`` alternative of a union."""

    def __str__(self) -> str:
        return "null"


@dataclass(frozen=True)
class ListOf:
    """``list(item)``."""

    item: DocType

    def __str__(self) -> str:
        return f"list({self.item})"


@dataclass(frozen=True)
class Link:
    """A link to a schema page, or to an Enumerated Values section (``#enumerated-values``)."""

    label: str
    url: str

    @property
    def is_enum(self) -> bool:
        """True when the link points at an Enumerated Values table rather than a schema."""
        return self.url.endswith("#enumerated-values")

    def __str__(self) -> str:
        return f"[{self.label}]({self.url})"


@dataclass(frozen=True)
class Union:
    """``a¦b``: any of the options."""

    options: tuple[DocType, ...]

    def __str__(self) -> str:
        return "¦".join(str(option) for option in self.options)


DocType = Base | Null | ListOf | Link | Union


def parse_type(text: str) -> DocType:
    """Parse a docs type cell; raise ``ValueError`` with a readable message if it is not one."""
    result, rest = _parse_union(text.strip(), text)
    if rest:
        raise ValueError(f"cannot read type {text!r}: unexpected {rest!r}")
    return result


def _parse_union(text: str, whole: str) -> tuple[DocType, str]:
    options = []
    while True:
        option, text = _parse_single(text.lstrip(), whole)
        options.append(option)
        text = text.lstrip()
        if not text.startswith("¦"):
            break
        text = text[1:]
    return (options[0] if len(options) == 1 else Union(tuple(options))), text


def _parse_single(text: str, whole: str) -> tuple[DocType, str]:
    if text.startswith("list("):
        item, rest = _parse_union(text[5:], whole)
        if not rest.startswith(")"):
            raise ValueError(f"cannot read type {whole!r}: 'list(' is not closed")
        return ListOf(item), rest[1:]
    if link := _LINK.match(text):
        return Link(link.group("label"), link.group("url")), text[link.end() :]
    if text.startswith("null"):
        return Null(), text[4:]
    base = _BASE.match(text)
    if not base or base.group("name") not in BASE_TYPES:
        raise ValueError(f"cannot read type {whole!r}: expected one of {', '.join(BASE_TYPES)}")
    return Base(base.group("name"), base.group("format")), text[base.end() :]


def without_enum_links(doctype: DocType) -> DocType:
    """Replace links to Enumerated Values by ``string``: the values are compared separately."""
    match doctype:
        case Link() if doctype.is_enum:
            return Base("string")
        case ListOf(item):
            return ListOf(without_enum_links(item))
        case Union(options):
            return Union(tuple(without_enum_links(option) for option in options))
    return doctype


def enum_link(doctype: DocType) -> Link | None:
    """Return the Enumerated Values link inside ``doctype``, if it has one."""
    match doctype:
        case Link() if doctype.is_enum:
            return doctype
        case ListOf(item):
            return enum_link(item)
        case Union(options):
            return next((link for o in options if (link := enum_link(o))), None)
    return None
