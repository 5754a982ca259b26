"""Turn facts (docs vocabulary, overrides applied) into the skeleton of the OpenAPI document.

The skeleton holds everything the docs state; ``merge`` then adds the decisions' fragments.
``spec_facts.from_spec`` is the inverse: reading facts back from a rendered spec gives the
facts it was rendered from (a test checks the round trip).
"""

from __future__ import annotations

import copy
import re
from typing import Any

from course_users.openapi import doctypes
from course_users.openapi.decisions import Settings
from course_users.openapi.docs_parser import DOCS_ROUTE, ENDPOINT_PAGE
from course_users.openapi.facts import Facts, page_name

OPENAPI_VERSION = "3.0.3"
# The role sentence is one paragraph of the operation description, found again by this prefix.
ROLE_PREFIX = "**Required role:** "
AUTH_PREFIX = "Authentication methods: "
# JSON's own whitespace: what a JSON parser skips between tokens (not Unicode \s).
_JSON_SPACE = "[ \\t\\n\\r]*"
# The docs' Restrictions column and the schema keyword that says the same.
RESTRICTIONS = {"none": None, "read-only": "readOnly", "write-only": "writeOnly"}


class RenderError(ValueError):
    """A fact cannot be expressed in OpenAPI 3.0 (e.g. an unsupported docs type)."""


def render(facts: Facts, settings: Settings) -> dict[str, Any]:
    """Build the spec skeleton from ``facts``."""
    method, full_path = facts["operation"].split(" ", 1)
    path = full_path.removeprefix(settings.server_url)
    if path == full_path:
        raise RenderError(f"path {full_path} does not start with {settings.server_url}")
    components: dict[str, Any] = {
        "securitySchemes": {settings.security_scheme: _security_scheme(facts)},
        "schemas": {},
        "responses": {},
    }
    operation = {
        "summary": facts["summary"],
        "description": _operation_description(facts),
        "externalDocs": {"url": docs_url(settings, ENDPOINT_PAGE)},
        "parameters": [_parameter(facts, settings, name) for name in facts["parameters"]],
        "responses": _responses(facts, settings, components),
    }
    return {
        "openapi": OPENAPI_VERSION,
        "info": {},
        "servers": [{"url": settings.server_url}],
        "paths": {path: {method.lower(): operation}},
        "components": components,
    }


def docs_url(settings: Settings, route: str) -> str:
    """Absolute URL of a docs page route, e.g. ``schemas/course``."""
    return f"{settings.docs_site_url}{DOCS_ROUTE}{route}"


def absolute_links(text: str, settings: Settings) -> str:
    """Make the docs' site-relative links absolute so they work in Swagger UI."""
    return text.replace("](/docs/", f"]({settings.docs_site_url}/docs/")


def component_name(title: str) -> str:
    """Component name for a docs title: ``Course User Dashboard`` -> ``CourseUserDashboard``."""
    return "".join(word[:1].upper() + word[1:] for word in re.split(r"[^A-Za-z0-9]+", title))


def _security_scheme(facts: Facts) -> dict[str, Any]:
    return {"description": AUTH_PREFIX + ", ".join(facts["auth_methods"]) + "."}


def _operation_description(facts: Facts) -> str:
    paragraphs = [facts["description"]]
    if facts["role"]:
        paragraphs.append(ROLE_PREFIX + facts["role"])
    return "\n\n".join(paragraphs)


def _parameter(facts: Facts, settings: Settings, name: str) -> dict[str, Any]:
    key = f"parameter.{name}."
    doctype = doctypes.parse_type(facts[key + "type"])
    schema = _schema(doctype, facts[key + "enum"], facts, settings, parameter=True)
    if facts[key + "default"] is not None:
        schema["default"] = facts[key + "default"]
    return {
        "name": name,
        "in": facts[key + "in"],
        "description": absolute_links(facts[key + "description"], settings),
        "required": facts[key + "required"],
        "schema": schema,
    }


def _schema(
    doctype: doctypes.DocType,
    enum: list[str] | None,
    facts: Facts,
    settings: Settings,
    parameter: bool = False,
) -> dict[str, Any]:
    match doctype:
        case doctypes.Union(options) if len(options) == 2 and doctypes.Null() in options:
            other = next(o for o in options if o != doctypes.Null())
            return {**_schema(other, enum, facts, settings), "nullable": True}
        case doctypes.Union((doctypes.ListOf(item), single)) if parameter and item == single:
            return _list_or_single(single, enum, facts, settings)
        case doctypes.ListOf(item):
            return {"type": "array", "items": _schema(item, enum, facts, settings)}
        case doctypes.Link(label, url) if not doctype.is_enum:
            title = facts.get(f"schema.{page_name(url)}.title", label)
            return {"$ref": f"#/components/schemas/{component_name(title)}"}
        case doctypes.Base(name, fmt):
            schema: dict[str, Any] = {"type": name}
            if fmt:
                schema["format"] = fmt
            if enum:
                schema["enum"] = list(enum)
            return schema
    raise RenderError(f"cannot express docs type {doctype} in OpenAPI 3.0")


def _list_or_single(
    single: doctypes.DocType, enum: list[str] | None, facts: Facts, settings: Settings
) -> dict[str, Any]:
    """``list(x)¦x`` in a query: each value is one ``x`` or a JSON-encoded list of them.

    Repeated parameters (form style, exploded) make the wire list; every item may itself be a
    JSON list, which is how the vendor SDK sends several values in one parameter.
    """
    if not enum:
        raise RenderError(f"list({single})¦{single} needs enumerated values to be modelled")
    item = _schema(single, enum, facts, settings)
    choice = "(" + "|".join(re.escape(value) for value in enum) + ")"
    quoted = f'"{choice}"{_JSON_SPACE}'
    pattern = f"^{_JSON_SPACE}\\[{_JSON_SPACE}({quoted}(,{_JSON_SPACE}{quoted})*)?\\]{_JSON_SPACE}$"
    json_list = {"type": "string", "pattern": pattern}
    return {"type": "array", "items": {"type": "string", "anyOf": [item, json_list]}}


def _responses(facts: Facts, settings: Settings, components: dict[str, Any]) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status in facts["responses"]:
        response: dict[str, Any] = {"description": facts[f"response.{status}.description"]}
        if f"response.{status}.properties" in facts:
            ref = f"#/components/schemas/{settings.envelope_schema}"
            components["schemas"][settings.envelope_schema] = _object(
                facts, settings, f"response.{status}."
            )
            response["content"] = {settings.media_type: {"schema": {"$ref": ref}}}
        responses[status] = response
    for name in _schema_pages(facts):
        prefix = f"schema.{name}."
        schema = {"title": facts[prefix + "title"], **_object(facts, settings, prefix)}
        schema["externalDocs"] = {"url": docs_url(settings, f"schemas/{name}")}
        components["schemas"][component_name(facts[prefix + "title"])] = schema
    for code in facts["errors"]:
        name = component_name(facts[f"error.{code}.meaning"])
        components["responses"][name] = {
            "description": facts[f"error.{code}.meaning"],
            "content": copy.deepcopy(settings.error_content),
        }
        responses[code] = {"$ref": f"#/components/responses/{name}"}
    return responses


def _schema_pages(facts: Facts) -> list[str]:
    return [
        key.split(".")[1]
        for key in facts
        if key.startswith("schema.") and key.endswith(".title") and key.count(".") == 2
    ]


def _object(facts: Facts, settings: Settings, prefix: str) -> dict[str, Any]:
    names = facts[prefix + "properties"]
    properties = {}
    for name in names:
        key = f"{prefix}property.{name}."
        doctype = doctypes.parse_type(facts[key + "type"])
        schema = _schema(doctype, facts[key + "enum"], facts, settings)
        restrictions = facts[key + "restrictions"]
        if restrictions not in RESTRICTIONS:
            raise RenderError(f"{key}restrictions: cannot express {restrictions!r}")
        if RESTRICTIONS[restrictions]:
            schema[RESTRICTIONS[restrictions]] = True
        schema["description"] = absolute_links(facts[key + "description"], settings)
        properties[name] = schema
    result: dict[str, Any] = {"type": "object"}
    required = [name for name in names if facts[f"{prefix}property.{name}.required"]]
    if required:
        result["required"] = required
    result["properties"] = properties
    return result
