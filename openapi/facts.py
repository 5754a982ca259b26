"""Facts: what the docs state, flattened to ``key -> value`` in the docs' own vocabulary.

Both sides of the drift check are reduced to facts: ``from_docs`` reads them off the parsed pages,
``spec_facts.from_spec`` reads the same keys back from a spec. Keys::

    operation, summary, description, role, auth_methods
    parameters                          names, in docs order
    parameter.<name>.<attr>             attr: in, type, required, description, enum, default
    responses                           success status codes
    response.<code>.description
    response.<code>.properties          names of the response schema's fields
    response.<code>.property.<name>.<attr>
    schema.<page>.title / .properties / .property.<name>.<attr>
                                        attr: type, required, restrictions, description, enum
    errors                              error status codes of the errors page
    error.<code>.meaning

Values are JSON-like: strings, booleans, lists of strings, ``None`` when the docs say nothing.
"""

from __future__ import annotations

import json
import re
from typing import Any

from course_users.openapi import doctypes
from course_users.openapi.docs_model import Docs, EnumValue, Property, Source
from course_users.openapi.docs_parser import DOCS_ROUTE
from course_users.openapi.errors import DocsParseError

Facts = dict[str, Any]

_DEFAULT = re.compile(r"[Dd]efault(?: value)?(?: to)?:?\s*`([^`]*)`")
_ENUM_LINK = re.compile(r"\[([^\]]+)\]\(([^)#\s]+)#enumerated-values\)")


def from_docs(docs: Docs) -> Facts:
    """Flatten the parsed docs into facts."""
    endpoint = docs.endpoint
    facts: Facts = {
        "operation": f"{endpoint.method} {endpoint.path}",
        "summary": endpoint.title,
        "description": endpoint.intro,
        "role": endpoint.role,
        "auth_methods": list(docs.auth_methods),
        "parameters": [p.name for p in endpoint.parameters],
    }
    for parameter in endpoint.parameters:
        prefix = f"parameter.{parameter.name}."
        facts[prefix + "in"] = parameter.location
        facts[prefix + "type"] = str(doctypes.without_enum_links(parameter.type))
        facts[prefix + "required"] = parameter.required
        facts[prefix + "description"] = parameter.description
        values = endpoint.enums.get(parameter.name) or _linked_enum(
            docs, parameter.name, parameter.description, parameter.source
        )
        facts[prefix + "enum"] = _values(values)
        facts[prefix + "default"] = default_in(parameter.description)
    facts["responses"] = [r.status for r in endpoint.responses]
    for response in endpoint.responses:
        facts[f"response.{response.status}.description"] = response.description
    for status, properties in endpoint.response_schemas.items():
        facts.update(_properties(docs, f"response.{status}.", properties))
    for route in _schema_routes(endpoint.response_schemas.values()):
        facts.update(_schema(docs, route))
    facts["errors"] = [e.code for e in docs.errors]
    for error in docs.errors:
        facts[f"error.{error.code}.meaning"] = error.meaning
    return facts


def default_in(description: str) -> Any:
    """The default a description states (``default: `x```, ``Default to `x```), else None."""
    match = _DEFAULT.search(description)
    if match is None:
        return None
    try:
        return json.loads(match.group(1))
    except ValueError:
        return match.group(1)


def page_name(route: str) -> str:
    """The short name of a docs route used in fact keys: ``schemas/course`` -> ``course``."""
    return route.rstrip("/").rsplit("/", 1)[-1]


def _values(values: tuple[EnumValue, ...] | None) -> list[str] | None:
    return [v.value for v in values] if values else None


def _linked_enum(
    docs: Docs, name: str, description: str, source: Source
) -> tuple[EnumValue, ...] | None:
    match = _ENUM_LINK.search(description)
    if match is None:
        return None
    return _enum_of(docs, match.group(2), (match.group(1), name), source)


def _enum_of(docs: Docs, url: str, keys: tuple[str, ...], source: Source) -> tuple[EnumValue, ...]:
    route = url.split("#", 1)[0].removeprefix(DOCS_ROUTE)
    page = docs.schemas.get(route)
    if page is None:
        raise DocsParseError(source.file, source.line, f"link {url!r} is not a schema page")
    for key in keys:
        if key in page.enums:
            return page.enums[key]
    listed = " or ".join(map(repr, keys))
    raise DocsParseError(
        source.file, source.line, f"{route}.md has no enumerated values for {listed}"
    )


def _properties(docs: Docs, prefix: str, properties: tuple[Property, ...]) -> Facts:
    facts: Facts = {prefix + "properties": [p.name for p in properties]}
    for prop in properties:
        key = f"{prefix}property.{prop.name}."
        facts[key + "type"] = str(doctypes.without_enum_links(prop.type))
        facts[key + "required"] = prop.required
        facts[key + "restrictions"] = prop.restrictions
        facts[key + "description"] = prop.description
        link = doctypes.enum_link(prop.type)
        values = _enum_of(docs, link.url, (link.label, prop.name), prop.source) if link else None
        facts[key + "enum"] = _values(values)
    return facts


def _schema_routes(groups: Any) -> list[str]:
    """Schema pages that response fields refer to (not enum links), in first-mention order."""
    routes: list[str] = []
    for properties in groups:
        for prop in properties:
            for link in _links(prop.type):
                route = link.url.removeprefix(DOCS_ROUTE)
                if not link.is_enum and route not in routes:
                    routes.append(route)
    return routes


def _links(doctype: doctypes.DocType) -> list[doctypes.Link]:
    match doctype:
        case doctypes.Link():
            return [doctype]
        case doctypes.ListOf(item):
            return _links(item)
        case doctypes.Union(options):
            return [link for option in options for link in _links(option)]
    return []


def _schema(docs: Docs, route: str) -> Facts:
    page = docs.schemas[route]
    prefix = f"schema.{page_name(route)}."
    facts: Facts = {prefix + "title": page.title}
    facts.update(_properties(docs, prefix, page.properties))
    return facts
