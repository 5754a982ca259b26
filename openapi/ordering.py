"""Put the keys of every OpenAPI object in one conventional order, so the YAML reads top-down.

Only object keywords are ordered; user-named maps (paths, properties, examples) and example
values keep their order, which comes from the docs and the decisions file.
"""

from __future__ import annotations

from typing import Any

_TOP = ("openapi", "info", "servers", "tags", "security", "paths", "components")
_INFO = ("title", "version", "description")
_OPERATION = (
    "operationId", "summary", "description", "tags", "externalDocs", "security",
    "parameters", "requestBody", "responses",
)  # fmt: skip
_PARAMETER = (
    "name", "in", "description", "required", "deprecated", "style", "explode",
    "allowReserved", "schema", "example", "examples",
)  # fmt: skip
_SCHEMA = (
    "$ref", "title", "type", "format", "nullable", "enum", "pattern", "minimum", "maximum",
    "minLength", "maxLength", "minItems", "maxItems", "default", "items", "anyOf", "oneOf",
    "allOf", "required", "properties", "additionalProperties", "readOnly", "writeOnly",
    "description", "externalDocs", "example",
)  # fmt: skip
_RESPONSE = ("$ref", "description", "headers", "content")
_MEDIA = ("schema", "example", "examples")
_HEADER = ("description", "required", "schema", "example")
_SECURITY_SCHEME = ("type", "scheme", "bearerFormat", "description")
_COMPONENTS = ("securitySchemes", "parameters", "schemas", "responses")


def canonical(spec: dict[str, Any]) -> dict[str, Any]:
    """Return ``spec`` with every object's keys in conventional order."""
    spec = _reorder(spec, _TOP)
    if isinstance(spec.get("info"), dict):
        spec["info"] = _reorder(spec["info"], _INFO)
    for path, item in spec.get("paths", {}).items():
        spec["paths"][path] = {method: _operation(op) for method, op in item.items()}
    components = _reorder(spec.get("components", {}), _COMPONENTS)
    for name, scheme in components.get("securitySchemes", {}).items():
        components["securitySchemes"][name] = _reorder(scheme, _SECURITY_SCHEME)
    for name, schema in components.get("schemas", {}).items():
        components["schemas"][name] = _schema(schema)
    for name, response in components.get("responses", {}).items():
        components["responses"][name] = _response(response)
    if components:
        spec["components"] = components
    return spec


def _reorder(node: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    first = {key: node[key] for key in order if key in node}
    return {**first, **{key: value for key, value in node.items() if key not in first}}


def _operation(operation: dict[str, Any]) -> dict[str, Any]:
    operation = _reorder(operation, _OPERATION)
    operation["parameters"] = [_parameter(p) for p in operation.get("parameters", [])]
    operation["responses"] = {
        code: _response(response) for code, response in operation.get("responses", {}).items()
    }
    return operation


def _parameter(parameter: dict[str, Any]) -> dict[str, Any]:
    parameter = _reorder(parameter, _PARAMETER)
    if "schema" in parameter:
        parameter["schema"] = _schema(parameter["schema"])
    return parameter


def _response(response: dict[str, Any]) -> dict[str, Any]:
    response = _reorder(response, _RESPONSE)
    for name, header in response.get("headers", {}).items():
        header = _reorder(header, _HEADER)
        if "schema" in header:
            header["schema"] = _schema(header["schema"])
        response["headers"][name] = header
    for media_type, media in response.get("content", {}).items():
        media = _reorder(media, _MEDIA)
        if "schema" in media:
            media["schema"] = _schema(media["schema"])
        response["content"][media_type] = media
    return response


def _schema(schema: dict[str, Any]) -> dict[str, Any]:
    schema = _reorder(schema, _SCHEMA)
    if isinstance(schema.get("items"), dict):
        schema["items"] = _schema(schema["items"])
    for keyword in ("anyOf", "oneOf", "allOf"):
        if keyword in schema:
            schema[keyword] = [_schema(member) for member in schema[keyword]]
    if "properties" in schema:
        schema["properties"] = {k: _schema(v) for k, v in schema["properties"].items()}
    if isinstance(schema.get("additionalProperties"), dict):
        schema["additionalProperties"] = _schema(schema["additionalProperties"])
    return schema
