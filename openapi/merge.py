"""Merge the decisions' ``add`` fragments into the rendered spec, adding and never replacing."""

from __future__ import annotations

import copy
from typing import Any

from course_users.openapi.decisions import Addition, Decisions
from course_users.openapi.errors import DecisionsError, DriftError


def apply_additions(spec: dict[str, Any], decisions: Decisions) -> dict[str, Any]:
    """Merge every addition into ``spec`` (in place) and return it."""
    for addition in decisions.additions:
        place = f"{addition.decision}: add {addition.target}"
        node = _target(spec, addition, decisions)
        _merge(node, addition.value, place, decisions)
    return spec


def _operation(spec: dict[str, Any]) -> dict[str, Any]:
    (item,) = spec["paths"].values()
    (operation,) = item.values()
    return operation


def _target(spec: dict[str, Any], addition: Addition, decisions: Decisions) -> dict[str, Any]:
    kind, _, name = addition.target.partition(" ")
    operation = _operation(spec)
    if kind == "operation":
        return operation
    if kind == "document":
        return spec  # the top level: for keys whose value is a list, such as `tags`
    if kind == "parameter":
        found = [p for p in operation["parameters"] if p["name"] == name]
        return _found(found, addition, f"parameter {name!r} is not in the docs any more")
    if kind == "schema":
        found = [spec["components"]["schemas"].get(name)]
        return _found(found, addition, f"schema {name!r} is not in the docs any more")
    if kind == "property":
        schema, _, prop = name.partition(".")
        properties = spec["components"]["schemas"].get(schema, {}).get("properties", {})
        found = [properties.get(prop)]
        return _found(found, addition, f"property {name!r} is not in the docs any more")
    if kind == "response":
        response = operation["responses"].get(name, {})
        if "$ref" in response:
            response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
        return _found([response or None], addition, f"response {name!r} is not in the spec")
    if kind.startswith("/"):
        return _pointer(spec, addition, decisions)
    raise DecisionsError(decisions.path, addition.decision, f"unknown target {addition.target!r}")


def _found(found: list[Any], addition: Addition, message: str) -> dict[str, Any]:
    if len(found) != 1 or not isinstance(found[0], dict):
        raise DriftError(f"decision {addition.decision}: {message}")
    return found[0]


def _pointer(spec: dict[str, Any], addition: Addition, decisions: Decisions) -> dict[str, Any]:
    """Follow a JSON pointer; its last step may be created (e.g. a new component group)."""
    node: Any = spec
    parts = [p.replace("~1", "/").replace("~0", "~") for p in addition.target[1:].split("/")]
    for index, part in enumerate(parts):
        if not isinstance(node, dict):
            break
        if part not in node and index == len(parts) - 1:
            node[part] = {}
        node = node.get(part)
    if not isinstance(node, dict):
        message = f"target {addition.target!r} is not an object in the spec"
        raise DecisionsError(decisions.path, addition.decision, message)
    return node


def _merge(node: dict[str, Any], value: dict[str, Any], place: str, decisions: Decisions) -> None:
    for key, new in value.items():
        where = f"{place}.{key}"
        if key not in node:
            node[key] = copy.deepcopy(new)
        elif key == "description" and isinstance(node[key], str) and isinstance(new, str):
            # The docs' text stays first; the decision's explanation follows as a paragraph.
            node[key] = f"{node[key]}\n\n{new.strip()}"
        elif isinstance(node[key], dict) and isinstance(new, dict):
            _merge(node[key], new, where, decisions)
        elif node[key] != new:
            message = f"would replace {node[key]!r} (from the docs) by {new!r}; use an override"
            raise DecisionsError(decisions.path, where, message)
