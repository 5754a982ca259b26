"""Read the vendor's Docusaurus pages into a ``Docs`` model.

The pages are generated, so their layout is regular: the endpoint page has a ``:::info`` role box,
an HTTP Request line, Parameters / Enumerated Values / Responses / Response Schema tables; schema
pages have Properties and Enumerated Values tables; the errors page has one table. Anything that
does not fit raises ``DocsParseError`` naming the file and line.
"""

from __future__ import annotations

import re
from pathlib import Path

from course_users.openapi import doctypes
from course_users.openapi.docs_model import (
    Docs,
    EndpointPage,
    EnumValue,
    ErrorCode,
    Parameter,
    Property,
    Response,
    SchemaPage,
    Source,
)
from course_users.openapi.errors import DocsError, DocsParseError
from course_users.openapi.markdown import (
    Admonition,
    BulletList,
    Heading,
    Page,
    Paragraph,
    Row,
    Table,
    parse_page,
)

ENDPOINT_PAGE = "course/get_course_dashboard_users"
ERRORS_PAGE = "errors/errors"
AUTH_PAGE = "authentication_intro"
# Site-relative prefix of links between pages of the API reference.
DOCS_ROUTE = "/docs/apireference/v2/"

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_REQUEST_LINE = re.compile(r"^`(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (/\S*)`$")
_STATUS_CODE = re.compile(r"^Status Code \*\*(\d{3})\*\*$")
_LABEL = re.compile(r"^\[([^\]]*)\]\([^)]*\)$")
_DOCS_LINK = re.compile(r"\[([^\]]+)\]\(" + re.escape(DOCS_ROUTE) + r"([^)#\s]+)(#[^)\s]*)?\)")
_LOCATIONS = ("path", "query", "header", "cookie")


def parse_docs(root: Path) -> Docs:
    """Parse the endpoint, errors and auth pages under ``root`` and every schema page they link."""
    if not root.is_dir():
        raise DocsError(f"docs directory not found: {root}")
    endpoint = _endpoint(_page(root, ENDPOINT_PAGE))
    docs = Docs(
        root=root,
        endpoint=endpoint,
        errors=_errors(_page(root, ERRORS_PAGE)),
        auth_methods=_auth_methods(_page(root, AUTH_PAGE)),
    )
    for route, source in _linked_routes(endpoint):
        docs.schemas[route] = _schema(_page(root, route, source), route)
    return docs


def _page(root: Path, route: str, linked_from: Source | None = None) -> Page:
    path = root / f"{route}.md"
    if not path.is_file():
        if linked_from is not None:
            message = f"linked page {route}.md does not exist"
            raise DocsParseError(linked_from.file, linked_from.line, message)
        raise DocsError(f"docs page not found: {path}")
    return parse_page(path)


def _linked_routes(endpoint: EndpointPage) -> list[tuple[str, Source]]:
    """Schema pages the endpoint links to, in first-mention order."""
    found: dict[str, Source] = {}
    texts = [(str(p.type), p.description, p.source) for p in endpoint.parameters]
    for properties in endpoint.response_schemas.values():
        texts += [(str(p.type), p.description, p.source) for p in properties]
    for type_text, description, source in texts:
        for match in _DOCS_LINK.finditer(f"{type_text} {description}"):
            found.setdefault(match.group(2), source)
    return list(found.items())


def _endpoint(page: Page) -> EndpointPage:
    intro = []
    role = None
    for block in page.blocks:
        if isinstance(block, Heading):
            break
        if isinstance(block, Paragraph):
            intro.append(block.text)
        elif isinstance(block, Admonition) and block.kind == "info":
            role = block.text
    method, path = _request_line(page)
    return EndpointPage(
        route=ENDPOINT_PAGE,
        title=_title(page),
        intro=" ".join(intro),
        role=role,
        method=method,
        path=path,
        parameters=_parameters(page),
        enums=_enums(page, "Parameter", _section_tables(page, "Parameters", "Enumerated Values")),
        responses=_responses(page),
        response_schemas=_response_schemas(page),
        source=Source(page.path, 1),
    )


def _title(page: Page) -> str:
    title = page.front_matter.get("title")
    if not title:
        raise page.error(1, "front matter has no 'title'")
    return title


def _request_line(page: Page) -> tuple[str, str]:
    heading = _find_heading(page, "HTTP Request")
    for block in _after(page, heading):
        if isinstance(block, Paragraph):
            match = _REQUEST_LINE.match(block.text)
            if not match:
                raise page.error(block.line, f"expected '`GET /path`', found {block.text!r}")
            return match.group(1), match.group(2)
    raise page.error(heading.line, "HTTP Request section has no request line")


def _find_heading(page: Page, text: str, required: bool = True) -> Heading | None:
    for block in page.blocks:
        if isinstance(block, Heading) and block.text.lower() == text.lower():
            return block
    if required:
        raise page.error(1, f"no '{text}' heading")
    return None


def _after(page: Page, heading: Heading) -> list:
    """Blocks after ``heading`` up to the next heading of the same or a higher level."""
    start = page.blocks.index(heading) + 1
    blocks = []
    for block in page.blocks[start:]:
        if isinstance(block, Heading) and block.level <= heading.level:
            break
        blocks.append(block)
    return blocks


def _section_tables(page: Page, parent: str, child: str | None = None) -> list[Table]:
    """Tables directly under heading ``parent`` (or its sub-heading ``child``)."""
    heading = _find_heading(page, parent, required=False)
    if heading is None:
        return []
    blocks = _after(page, heading)
    if child is not None:
        sub = next((b for b in blocks if isinstance(b, Heading) and b.text == child), None)
        if sub is None:
            return []
        blocks = _after(page, sub)
    tables = []
    for block in blocks:
        if isinstance(block, Heading):
            break
        if isinstance(block, Table):
            tables.append(block)
    return tables


def _require_columns(page: Page, table: Table, *columns: str) -> None:
    missing = [column for column in columns if column not in table.columns]
    if missing:
        raise page.error(table.line, f"table has no {', '.join(map(repr, missing))} column")


def _name(page: Page, row: Row, column: str) -> str:
    # Nested rows are marked with '»' (one per level); only top-level names are used here.
    name = row.get(column).lstrip("» ").strip()
    if not _NAME.match(name):
        raise page.error(row.line, f"{column} {row.get(column)!r} is not a name")
    return name


def _bool(page: Page, row: Row, column: str) -> bool:
    value = row.get(column)
    if value not in ("true", "false"):
        raise page.error(row.line, f"{column} must be 'true' or 'false', found {value!r}")
    return value == "true"


def _type(page: Page, row: Row) -> doctypes.DocType:
    try:
        return doctypes.parse_type(row.get("Type"))
    except ValueError as exc:
        raise page.error(row.line, str(exc)) from None


def _unique(page: Page, rows: list[Row], names: list[str], what: str) -> None:
    seen = set()
    for row, name in zip(rows, names, strict=True):
        if name in seen:
            raise page.error(row.line, f"{what} {name!r} is listed twice")
        seen.add(name)


def _parameters(page: Page) -> tuple[Parameter, ...]:
    tables = _section_tables(page, "Parameters")
    if not tables:
        return ()
    table = tables[0]
    _require_columns(page, table, "Name", "In", "Type", "Required", "Description")
    parameters = []
    for row in table.rows:
        location = row.get("In")
        if location not in _LOCATIONS:
            raise page.error(row.line, f"In must be one of {', '.join(_LOCATIONS)}")
        parameters.append(
            Parameter(
                name=_name(page, row, "Name"),
                location=location,
                type=_type(page, row),
                required=_bool(page, row, "Required"),
                description=row.get("Description"),
                source=Source(page.path, row.line),
            )
        )
    _unique(page, list(table.rows), [p.name for p in parameters], "parameter")
    return tuple(parameters)


def _enums(page: Page, key_column: str, tables: list[Table]) -> dict[str, tuple[EnumValue, ...]]:
    enums: dict[str, list[EnumValue]] = {}
    for table in tables:
        _require_columns(page, table, key_column, "Value", "Description")
        for row in table.rows:
            key = _name(page, row, key_column)
            enums.setdefault(key, []).append(EnumValue(row.get("Value"), row.get("Description")))
    return {key: tuple(values) for key, values in enums.items()}


def _responses(page: Page) -> tuple[Response, ...]:
    tables = _section_tables(page, "Responses")
    if not tables:
        raise page.error(1, "no Responses table")
    table = tables[0]
    _require_columns(page, table, "Status", "Meaning", "Description", "Schema")
    responses = []
    for row in table.rows:
        status = row.get("Status")
        if not re.fullmatch(r"\d{3}", status):
            raise page.error(row.line, f"Status {status!r} is not an HTTP status code")
        label = _LABEL.match(row.get("Meaning"))
        meaning = label.group(1) if label else row.get("Meaning")
        source = Source(page.path, row.line)
        responses.append(
            Response(status, meaning, row.get("Description"), row.get("Schema"), source)
        )
    return tuple(responses)


def _response_schemas(page: Page) -> dict[str, tuple[Property, ...]]:
    heading = _find_heading(page, "Response Schema", required=False)
    if heading is None:
        return {}
    schemas: dict[str, tuple[Property, ...]] = {}
    status = None
    for block in _after(page, heading):
        if isinstance(block, Paragraph) and (match := _STATUS_CODE.match(block.text)):
            status = match.group(1)
        elif isinstance(block, Table):
            if status is None:
                raise page.error(block.line, "response schema table without 'Status Code **N**'")
            schemas[status] = _properties(page, block)
            status = None
    return schemas


def _properties(page: Page, table: Table) -> tuple[Property, ...]:
    _require_columns(page, table, "Name", "Type", "Required", "Restrictions", "Description")
    properties = tuple(
        Property(
            name=_name(page, row, "Name"),
            type=_type(page, row),
            required=_bool(page, row, "Required"),
            restrictions=row.get("Restrictions"),
            description=row.get("Description"),
            source=Source(page.path, row.line),
        )
        for row in table.rows
    )
    _unique(page, list(table.rows), [p.name for p in properties], "property")
    return properties


def _schema(page: Page, route: str) -> SchemaPage:
    tables = _section_tables(page, "Properties")
    if not tables:
        raise page.error(1, "no Properties table")
    return SchemaPage(
        route=route,
        title=_title(page),
        properties=_properties(page, tables[0]),
        enums=_enums(page, "Property", _section_tables(page, "Enumerated Values")),
        source=Source(page.path, 1),
    )


def _errors(page: Page) -> tuple[ErrorCode, ...]:
    table = next((b for b in page.blocks if isinstance(b, Table)), None)
    if table is None:
        raise page.error(1, "no error code table")
    _require_columns(page, table, "Error Code", "Meaning")
    errors = []
    for row in table.rows:
        code = row.get("Error Code")
        if not re.fullmatch(r"\d{3}", code):
            raise page.error(row.line, f"Error Code {code!r} is not an HTTP status code")
        errors.append(ErrorCode(code, row.get("Meaning"), Source(page.path, row.line)))
    _unique(page, list(table.rows), [e.code for e in errors], "error code")
    return tuple(errors)


def _auth_methods(page: Page) -> tuple[str, ...]:
    bullets = next((b for b in page.blocks if isinstance(b, BulletList)), None)
    if bullets is None:
        raise page.error(1, "no list of authentication methods")
    return bullets.items
