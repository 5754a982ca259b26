"""What the spec documents for the operation's answers, and a one-exchange schema judgement.

The same four things Schemathesis' response checks look at (and the conformance report's
`schema.*` lines name): the status is documented, the content type is one documented for it, the
body validates against its schema, and the declared headers are there and valid. The spec is
OpenAPI 3.0 (`nullable`), so schemas are turned into JSON Schema once and compiled with
jsonschema_rs (a page of 100 members validates in well under a millisecond).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jsonschema_rs
import orjson

Finding = tuple[str, str]  # (check name, what is wrong)
NOT_JSON = object()  # the parsed body of an answer that is not JSON


def json_schema(schema: Any) -> Any:
    """An OpenAPI 3.0 schema as JSON Schema: `nullable: true` becomes a null type."""
    if isinstance(schema, list):
        return [json_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: json_schema(value) for key, value in schema.items() if key != "nullable"}
    if schema.get("nullable") is True:
        if "type" in out:
            out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    return out


@dataclass(frozen=True)
class _Header:
    required: bool
    validator: Any


@dataclass(frozen=True)
class _Documented:
    """One documented status: its media types, their body validators, its headers."""

    media: dict[str, Any]
    headers: dict[str, _Header]


class ResponseContract:
    """The operation's documented responses, compiled once."""

    def __init__(self, operation: dict[str, Any]) -> None:
        self.responses: dict[int, _Documented] = {}
        for code, response in operation.get("responses", {}).items():
            if not code.isdigit():
                continue
            media = {
                kind: _validator(content.get("schema", {}))
                for kind, content in response.get("content", {}).items()
            }
            headers = {
                name.lower(): _Header(bool(h.get("required")), _validator(h.get("schema", {})))
                for name, h in response.get("headers", {}).items()
            }
            self.responses[int(code)] = _Documented(media, headers)

    def judge(self, status: int, content_type: str | None, body: Any, header: _Lookup) -> list:
        """The schema findings for an answer (`body` parsed, or NOT_JSON), first problem each."""
        documented = self.responses.get(status)
        if documented is None:
            shown = ", ".join(map(str, sorted(self.responses)))
            return [
                ("schema.status_code_conformance", f"HTTP {status} is not documented ({shown})")
            ]
        findings: list[Finding] = []
        media = (content_type or "").split(";")[0].strip().lower()
        validator = documented.media.get(media)
        if documented.media and validator is None:
            findings.append(
                (
                    "schema.content_type_conformance",
                    f"Content-Type {content_type or 'missing'!r} for HTTP {status}, "
                    f"documented: {', '.join(documented.media)}",
                )
            )
        elif validator is not None:
            problem = _body_problem(validator, body)
            if problem is not None:
                findings.append(("schema.response_schema_conformance", problem))
        findings += _header_findings(status, documented.headers, header)
        return findings


_Lookup = Callable[[str], str | None]


def _validator(schema: Any) -> Any:
    return jsonschema_rs.Draft4Validator(json_schema(schema))


def _body_problem(validator: Any, body: Any) -> str | None:
    if body is NOT_JSON:
        return "the body is not JSON"
    error = next(iter(validator.iter_errors(body)), None)
    if error is None:
        return None
    where = "/".join(str(step) for step in error.instance_path) or "the body"
    return f"{where}: {' '.join(error.message.split())[:300]}"


def _header_findings(status: int, headers: dict[str, _Header], header: _Lookup) -> list[Finding]:
    findings: list[Finding] = []
    for name, declared in headers.items():
        value = header(name)
        if value is None:
            if declared.required:
                findings.append(
                    ("schema.response_headers_conformance", f"HTTP {status} without {name}")
                )
            continue
        if not declared.validator.is_valid(_header_value(value)):
            findings.append(
                (
                    "schema.response_headers_conformance",
                    f"{name}: {value[:100]!r} does not fit its documented schema",
                )
            )
    return findings


def _header_value(text: str) -> Any:
    """A header's text as the JSON value its schema speaks of (digits are an integer)."""
    stripped = text.strip()
    return int(stripped) if stripped.isascii() and stripped.isdigit() else stripped


def parse_body(body: bytes) -> Any:
    """The body as JSON, or NOT_JSON."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return NOT_JSON
