"""Split a Docusaurus Markdown page into the blocks the docs generator writes.

Only the subset the vendor's generated pages use is read: YAML-ish front matter, headings,
paragraphs, ``:::kind`` admonitions, bullet lists, fenced code (skipped for content, so a
``# comment`` in a shell example is never taken for a heading) and pipe tables. Every block
keeps its 1-based line number so errors can point at ``file:line``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from course_users.openapi.errors import DocsParseError

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})(.*)$")
_BULLET = re.compile(r"^\s*[*+-]\s+(.*)$")
_SEPARATOR_CELL = re.compile(r"^:?-{1,}:?$")
_ADMONITION = re.compile(r"^:::(\w+)\s*(.*)$")


@dataclass(frozen=True)
class Heading:
    """A ``#`` heading."""

    line: int
    level: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    """Consecutive text lines, soft-wrapped lines joined by one space."""

    line: int
    text: str


@dataclass(frozen=True)
class Admonition:
    """A ``:::kind ... :::`` box; ``text`` joins its lines like a paragraph."""

    line: int
    kind: str
    text: str


@dataclass(frozen=True)
class BulletList:
    """A ``*``/``-`` list."""

    line: int
    items: tuple[str, ...]


@dataclass(frozen=True)
class CodeBlock:
    """A fenced code block (its content is not interpreted)."""

    line: int
    info: str
    text: str


@dataclass(frozen=True)
class Row:
    """One table body row, cells keyed by header name."""

    line: int
    cells: dict[str, str]

    def get(self, column: str) -> str:
        """Return the cell of ``column`` (the table guarantees every header column exists)."""
        return self.cells[column]


@dataclass(frozen=True)
class Table:
    """A pipe table: the header line, its columns and its body rows."""

    line: int
    columns: tuple[str, ...]
    rows: tuple[Row, ...]


Block = Heading | Paragraph | Admonition | BulletList | CodeBlock | Table


@dataclass
class Page:
    """A parsed Markdown page: front matter and blocks in document order."""

    path: Path
    front_matter: dict[str, str] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)

    def error(self, line: int, message: str) -> DocsParseError:
        """Return a parse error pointing at ``line`` of this page."""
        return DocsParseError(self.path, line, message)


def parse_page(path: Path) -> Page:
    """Read ``path`` and split it into blocks, raising ``DocsParseError`` on broken structure."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DocsParseError(path, 1, f"cannot read page: {exc}") from None
    page = Page(path)
    lines = text.splitlines()
    index = _read_front_matter(page, lines)
    while index < len(lines):
        index = _read_block(page, lines, index)
    return page


def _read_front_matter(page: Page, lines: list[str]) -> int:
    if not lines or lines[0].strip() != "---":
        return 0
    for index in range(1, len(lines)):
        line = lines[index]
        if line.strip() == "---":
            return index + 1
        key, sep, value = line.partition(":")
        if not sep:
            raise page.error(index + 1, f"front matter line is not 'key: value': {line!r}")
        page.front_matter[key.strip()] = value.strip()
    raise page.error(1, "front matter is not closed by '---'")


def _read_block(page: Page, lines: list[str], index: int) -> int:
    line = lines[index]
    if not line.strip():
        return index + 1
    readers = (
        (_FENCE.match(line), _read_fence),
        (_ADMONITION.match(line.strip()), _read_admonition),
        (_HEADING.match(line), _read_heading),
        (line.lstrip().startswith("|"), _read_table),
        (_BULLET.match(line), _read_list),
    )
    for matched, reader in readers:
        if matched:
            return reader(page, lines, index)
    return _read_paragraph(page, lines, index)


def _read_fence(page: Page, lines: list[str], index: int) -> int:
    opening = _FENCE.match(lines[index])
    assert opening is not None
    marker = opening.group(1)
    for end in range(index + 1, len(lines)):
        stripped = lines[end].strip()
        # A fence closes only with the same character, at least as long: ```` may wrap ```.
        if stripped and set(stripped) == {marker[0]} and len(stripped) >= len(marker):
            body = "\n".join(lines[index + 1 : end])
            page.blocks.append(CodeBlock(index + 1, opening.group(2).strip(), body))
            return end + 1
    raise page.error(index + 1, f"code fence {marker} is never closed")


def _read_admonition(page: Page, lines: list[str], index: int) -> int:
    opening = _ADMONITION.match(lines[index].strip())
    assert opening is not None
    for end in range(index + 1, len(lines)):
        if lines[end].strip() == ":::":
            text = _join(lines[index + 1 : end])
            page.blocks.append(Admonition(index + 1, opening.group(1), text))
            return end + 1
    raise page.error(index + 1, f"':::{opening.group(1)}' box is never closed with ':::'")


def _read_heading(page: Page, lines: list[str], index: int) -> int:
    match = _HEADING.match(lines[index])
    assert match is not None
    page.blocks.append(Heading(index + 1, len(match.group(1)), match.group(2)))
    return index + 1


def _read_list(page: Page, lines: list[str], index: int) -> int:
    items = []
    end = index
    while end < len(lines) and (match := _BULLET.match(lines[end])):
        items.append(match.group(1).strip())
        end += 1
    page.blocks.append(BulletList(index + 1, tuple(items)))
    return end


def _read_paragraph(page: Page, lines: list[str], index: int) -> int:
    end = index
    while end < len(lines) and lines[end].strip() and not _starts_block(lines[end]):
        end += 1
    end = max(end, index + 1)
    page.blocks.append(Paragraph(index + 1, _join(lines[index:end])))
    return end


def _starts_block(line: str) -> bool:
    return bool(
        _FENCE.match(line)
        or _ADMONITION.match(line.strip())
        or _HEADING.match(line)
        or line.lstrip().startswith("|")
        or _BULLET.match(line)
    )


def _join(lines: list[str]) -> str:
    return " ".join(part.strip() for part in lines if part.strip())


def _read_table(page: Page, lines: list[str], index: int) -> int:
    end = index
    while end < len(lines) and lines[end].lstrip().startswith("|"):
        end += 1
    if end - index < 2:
        raise page.error(index + 1, "table has a header but no '|---|' separator line")
    columns = tuple(_split_row(lines[index]))
    if any(not column for column in columns):
        raise page.error(index + 1, "table header has an empty column name")
    separator = _split_row(lines[index + 1])
    if len(separator) != len(columns) or not all(_SEPARATOR_CELL.match(c) for c in separator):
        raise page.error(
            index + 2, f"table separator does not match the {len(columns)}-column header"
        )
    rows = tuple(
        _table_row(page, columns, lines[number], number + 1) for number in range(index + 2, end)
    )
    page.blocks.append(Table(index + 1, columns, rows))
    return end


def _table_row(page: Page, columns: tuple[str, ...], line: str, number: int) -> Row:
    cells = _split_row(line)
    # Generated pages sometimes carry a stray empty cell after the last column: harmless.
    while len(cells) > len(columns) and not cells[-1]:
        cells.pop()
    if len(cells) != len(columns):
        raise page.error(number, f"table row has {len(cells)} cells, the header has {len(columns)}")
    return Row(number, dict(zip(columns, cells, strict=True)))


def _split_row(line: str) -> list[str]:
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    cells = re.split(r"(?<!\\)\|", body)
    return [cell.strip().replace("\\|", "|") for cell in cells]
