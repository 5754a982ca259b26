"""Read facts (see ``facts``) back from a spec: what the committed spec says, in docs vocabulary."""

from __future__ import annotations

import re
from typing import Any

from course_users.openapi import doctypes
from course_users.openapi.decisions import Settings
from course_users.openapi.docs_parser import DOCS_ROUTE
from course_users.openapi.errors import SpecShapeError
from course_users.openapi.facts import Facts, page_name
from course_users.openapi.render import AUTH_PREFIX, RESTRICTIONS, ROLE_PREFIX


def from_spec(spec: dict[str, Any], settings: Settings) -> Facts:
    """Return the facts ``spec`` states; ``spec`` is the unresolved document (``$ref`` kept)."""
    reader = _Reader(spec, settings)
    path, method, operation = reader.operation()
    paragraphs = _paragraphs(operation.get("description", ""))
    role = next((p for p in paragraphs if p.startswith(ROLE_PREFIX)), None)
    facts: Facts = {
        "operation": f"{method.upper()} {reader.server()}{path}",
        "summary": operation.get("summary"),
        "description": paragraphs[0] if paragraphs else None,
        "role": role.removeprefix(ROLE_PREFIX) if role else None,
        "auth_methods": reader.auth_methods(),
    }
    parameters = operation.get("parameters", [])
    facts["parameters"] = [p.get("name") for p in parameters]
    for parameter in parameters:
        facts.update(reader.parameter(parameter))
    responses = operation.get("responses", {})
    success = [code for code in responses if not code.startswith(("4", "5"))]
    facts["responses"] = success
    for code in success:
        facts.update(reader.success(code, responses[code]))
    for schema in spec.get("components", {}).get("schemas", {}).values():
        url = schema.get("externalDocs", {}).get("url", "")
        if url.startswith(settings.docs_site_url + DOCS_ROUTE):
            facts.update(reader.object(f"schema.{page_name(url)}.", schema, title=True))
    errors = [code for code in responses if code.startswith(("4", "5"))]
    facts["errors"] = errors
    for code in errors:
        facts[f"error.{code}.meaning"] = _first(reader.deref(responses[code]).get("description"))
    return facts


def _paragraphs(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split("\n\n") if p.strip()]


def _first(text: str | None) -> str | None:
    paragraphs = _paragraphs(text)
    return paragraphs[0] if paragraphs else None


class _Reader:
    """Walks one spec document, resolving local ``$ref`` on demand."""

    def __init__(self, spec: dict[str, Any], settings: Settings) -> None:
        self.spec = spec
        self.settings = settings

    def deref(self, node: dict[str, Any]) -> dict[str, Any]:
        """Follow a local ``$ref`` (``#/a/b``), possibly repeatedly."""
        seen = set()
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if not ref.startswith("#/") or ref in seen:
                raise SpecShapeError(f"cannot follow $ref {ref!r}")
            seen.add(ref)
            node = self.spec
            for part in ref[2:].split("/"):
                node = node.get(part.replace("~1", "/").replace("~0", "~"), {})
        return node

    def operation(self) -> tuple[str, str, dict[str, Any]]:
        """The spec's single operation."""
        found = [
            (path, method, operation)
            for path, item in self.spec.get("paths", {}).items()
            for method, operation in item.items()
            if method in ("get", "put", "post", "delete", "patch", "head", "options")
        ]
        if len(found) != 1:
            raise SpecShapeError(f"expected exactly one operation, found {len(found)}")
        return found[0]

    def server(self) -> str:
        """The first server URL (the docs path includes it)."""
        servers = self.spec.get("servers") or [{"url": ""}]
        return servers[0].get("url", "")

    def auth_methods(self) -> list[str] | None:
        """Methods listed in the security scheme's description."""
        schemes = self.spec.get("components", {}).get("securitySchemes", {})
        text = _first(schemes.get(self.settings.security_scheme, {}).get("description"))
        if not text or not text.startswith(AUTH_PREFIX):
            return None
        return text.removeprefix(AUTH_PREFIX).removesuffix(".").split(", ")

    def relative(self, text: str | None) -> str | None:
        """Undo ``render.absolute_links``."""
        if text is None:
            return None
        return text.replace(f"]({self.settings.docs_site_url}/docs/", "](/docs/")

    def parameter(self, parameter: dict[str, Any]) -> Facts:
        """Facts of one parameter."""
        parameter = self.deref(parameter)
        schema = self.deref(parameter.get("schema", {}))
        key = f"parameter.{parameter.get('name')}."
        return {
            key + "in": parameter.get("in"),
            key + "type": self.doctype(schema, parameter=True),
            key + "required": parameter.get("required", False),
            key + "description": self.relative(_first(parameter.get("description"))),
            key + "enum": self.enum(schema),
            key + "default": schema.get("default"),
        }

    def success(self, code: str, response: dict[str, Any]) -> Facts:
        """Facts of a success response and of its schema's fields."""
        response = self.deref(response)
        facts: Facts = {f"response.{code}.description": _first(response.get("description"))}
        content = response.get("content", {}).get(self.settings.media_type)
        if content and "schema" in content:
            facts.update(self.object(f"response.{code}.", self.deref(content["schema"])))
        return facts

    def object(self, prefix: str, schema: dict[str, Any], title: bool = False) -> Facts:
        """Facts of an object schema's properties."""
        facts: Facts = {prefix + "title": schema.get("title")} if title else {}
        properties = schema.get("properties", {})
        facts[prefix + "properties"] = list(properties)
        required = schema.get("required", [])
        for name, prop in properties.items():
            key = f"{prefix}property.{name}."
            restrictions = [word for word, kw in RESTRICTIONS.items() if kw and prop.get(kw)]
            facts[key + "type"] = self.doctype(prop)
            facts[key + "required"] = name in required
            facts[key + "restrictions"] = restrictions[0] if restrictions else "none"
            facts[key + "description"] = self.relative(_first(prop.get("description")))
            facts[key + "enum"] = self.enum(prop)
        return facts

    def enum(self, schema: dict[str, Any]) -> list[str] | None:
        """Enumerated values of a schema, of its items, or of an ``anyOf`` member of its items."""
        schema = self.deref(schema)
        if "enum" in schema:
            return list(schema["enum"])
        items = self.deref(schema.get("items", {}))
        if "enum" in items:
            return list(items["enum"])
        for member in items.get("anyOf", []):
            if "enum" in member:
                return list(member["enum"])
        return None

    def doctype(self, schema: dict[str, Any], parameter: bool = False) -> str:
        """The docs type notation for a schema (inverse of ``render._schema``)."""
        return str(self._doctype(schema, parameter))

    def _doctype(self, schema: dict[str, Any], parameter: bool) -> doctypes.DocType:
        if "$ref" in schema:
            target = self.deref(schema)
            url = target.get("externalDocs", {}).get("url", schema["$ref"])
            prefix = self.settings.docs_site_url
            return doctypes.Link(target.get("title", ""), url.removeprefix(prefix))
        if schema.get("nullable"):
            inner = {k: v for k, v in schema.items() if k != "nullable"}
            return doctypes.Union((self._doctype(inner, parameter), doctypes.Null()))
        if schema.get("type") == "array":
            items = schema.get("items", {})
            if parameter and "anyOf" in items:
                single = self._doctype(items["anyOf"][0], False)
                return doctypes.Union((doctypes.ListOf(single), single))
            return doctypes.ListOf(self._doctype(items, False))
        name = schema.get("type", "object")
        if not re.fullmatch(r"[a-z]+", str(name)):
            raise SpecShapeError(f"cannot read schema type {name!r}")
        return doctypes.Base(name, schema.get("format"))
