"""How Connexion reads and checks query parameters for us: its documented extension points.

- `StatusesURIParser` (`uri_parser_class`): Connexion splits every array query value on commas,
  which would cut the JSON-list form `["joined","manager"]` in pieces; `statuses` values are kept
  whole, one list item per repeated parameter.
- `OneLineParameterValidator` (`validator_map["parameter"]`): Connexion's validator deep-copies each
  parameter schema and builds a jsonschema validator per parameter per request, then reports
  jsonschema's multi-line message. Ours compiles each schema once and reports one line naming the
  parameter and the bad value; a query string and path already found valid are not checked again.
- `ValidationMiddleware` (in the `middlewares` list, where Connexion's RequestValidationMiddleware
  was): Connexion's builds a URI parser and a parameter validator for every request, and parses
  the Content-Type header even for an operation that takes no body, where it can decide nothing.
  Ours builds both once per operation and goes straight on for body-less operations; operations
  with a request body are validated by Connexion's own code, unchanged.
"""

from __future__ import annotations

from typing import Any

from connexion.middleware.request_validation import (
    RequestValidationAPI,
    RequestValidationMiddleware,
    RequestValidationOperation,
)
from connexion.operations import AbstractOperation
from connexion.uri_parsing import OpenAPIURIParser
from connexion.validators import ParameterValidator
from jsonschema import Draft4Validator
from jsonschema.exceptions import ValidationError
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from course_users.mockserver.api.params import not_a_status
from course_users.mockserver.api.querystring import query_values

UNSPLIT_ARRAYS = frozenset({"statuses"})


class StatusesURIParser(OpenAPIURIParser):
    """The default OpenAPI parser, except that `statuses` values are never split on commas."""

    def _resolve_param_duplicates(self, values, param_defn, _in):  # type: ignore[override]
        if param_defn.get("name") in UNSPLIT_ARRAYS:
            return list(values)
        return OpenAPIURIParser._resolve_param_duplicates(values, param_defn, _in)

    def _split(self, value, param_defn, _in):  # type: ignore[override]
        if param_defn.get("name") in UNSPLIT_ARRAYS:
            return value
        return OpenAPIURIParser._split(value, param_defn, _in)


class _CompiledParameter:
    """One parameter's compiled schema, and the values already found valid for it.

    Validation is a pure function of (schema, value), and a UI or a load test repeats the same
    few values; a JSON-list `statuses` costs ~100 us to check (jsonschema builds an error for the
    enum branch of the anyOf before trying the pattern), a remembered one nothing.
    """

    MAX_REMEMBERED = 4096
    # Only short values are remembered, so the set is bounded in bytes, not only in entries: a
    # valid `id` or JSON-list `statuses` can be any length (issue #11).
    MAX_REMEMBERED_CHARS = 256

    def __init__(self, param: dict) -> None:
        self.param = param  # kept so the id used as key stays this dict's
        schema = param.get("schema", param)
        self.validator = Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)
        self.valid: set[object] = set()

    def first_error(self, value: Any) -> ValidationError | None:
        """The first schema error for `value`, or None when it is valid."""
        key = _hashable(value)
        if key is not None and key in self.valid:
            return None
        error = next(iter(self.validator.iter_errors(value)), None)
        if error is None and key is not None:
            if len(self.valid) >= self.MAX_REMEMBERED:
                self.valid.clear()
            self.valid.add(key)
        return error


def _hashable(value: Any) -> object | None:
    """A hashable stand-in for a short parameter value, or None for values not worth remembering."""
    limit = _CompiledParameter.MAX_REMEMBERED_CHARS
    if isinstance(value, list):
        if all(isinstance(v, str) for v in value) and sum(map(len, value)) <= limit:
            return ("list", tuple(value))
        return None
    if isinstance(value, str) and len(value) <= limit:
        return ("str", value)
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() <= limit:
        return ("int", value)
    return None


# Keyed by the identity of the operation's parameter dicts, built once at startup and kept for
# the app's life; each entry holds its dict, so a reused id is detected, not trusted.
_COMPILED: dict[int, _CompiledParameter] = {}


def _compiled(param: dict) -> _CompiledParameter:
    """The parameter's compiled form, built on first use."""
    found = _COMPILED.get(id(param))
    if found is None or found.param is not param:
        found = _CompiledParameter(param)
        _COMPILED[id(param)] = found
    return found


class _ParsedRequest:
    """What ParameterValidator.validate_request reads, parsed once from the ASGI scope."""

    def __init__(self, scope: dict, uri_parser: OpenAPIURIParser) -> None:
        self._scope = scope
        found = {key: list(values) for key, values in query_values(scope).items()}
        self.query_params = uri_parser.resolve_query(found)
        self.path_params = uri_parser.resolve_path(dict(scope.get("path_params") or {}))

    @property
    def headers(self) -> Headers:
        return Headers(scope=self._scope)

    @property
    def cookies(self) -> dict[str, str]:
        return Request(self._scope).cookies


class OneLineParameterValidator(ParameterValidator):
    """Connexion's parameter validator with compiled schemas and one-line messages.

    `validate` parses the query string once per request (Connexion's builds a Starlette request
    and resolves the query through its parser for each parameter it checks). When the operation
    has no header or cookie parameters, validity is a function of the raw query string and the
    path parameters alone, so a request equal to one already found valid is not checked again:
    a UI or a load test repeats the same few requests.
    """

    MAX_REMEMBERED = 4096
    MAX_REMEMBERED_CHARS = 512  # a remembered request is bounded in bytes too (issue #11)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.remembers = not (self.parameters.get("header") or self.parameters.get("cookie"))
        self.valid_requests: set[tuple[bytes, tuple]] = set()

    def validate(self, scope: dict) -> None:  # type: ignore[override]
        """Raise BadRequestProblem for the first invalid parameter, with a one-line detail."""
        key = self._request_key(scope)
        if key is not None and key in self.valid_requests:
            return
        self.validate_request(_ParsedRequest(scope, self.uri_parser))
        if key is not None:
            if len(self.valid_requests) >= self.MAX_REMEMBERED:
                self.valid_requests.clear()
            self.valid_requests.add(key)

    def _request_key(self, scope: dict) -> tuple[bytes, tuple] | None:
        """What the validity of this request depends on, or None when it is not worth keeping."""
        if not self.remembers:
            return None
        query = scope.get("query_string", b"")
        path_params = tuple((scope.get("path_params") or {}).items())
        size = len(query) + sum(len(str(value)) for _, value in path_params)
        return (query, path_params) if size <= self.MAX_REMEMBERED_CHARS else None

    def validate_parameter(  # type: ignore[override]
        self, parameter_type: str, value: Any, param: dict, param_name: str | None = None
    ) -> str | None:
        """None when `value` is valid for `param`, else a one-line message naming it."""
        name = param.get("name", param_name)
        if value is None:
            if param.get("required"):
                return f"{name}: the {parameter_type} parameter is required"
            return None
        error = _compiled(param).first_error(value)
        return None if error is None else describe(name, value, error)


def describe(name: str, value: Any, error: ValidationError) -> str:
    """One line naming the parameter, the offending value and what is wrong with it."""
    bad = error.instance
    keyword = error.validator
    if name in UNSPLIT_ARRAYS and error.path:
        return f"{name}: {bad!r} {not_a_status()}"
    if keyword == "type":
        return f"{name}: {bad!r} is not {_article(error.validator_value)}"
    if keyword == "enum":
        return f"{name}: {bad!r} is not one of {', '.join(map(str, error.validator_value))}"
    if keyword == "minimum":
        return f"{name}: {bad!r} is less than the minimum of {error.validator_value}"
    if keyword == "pattern" and name == "id":
        return f"{name}: {bad!r} is not a course id (digits only)"
    return f"{name}: {error.message}".replace("\n", " ")


def _article(type_name: object) -> str:
    """'an integer', 'a string', ... for a JSON Schema type name."""
    text = str(type_name)
    return f"an {text}" if text[:1] in "aeiou" else f"a {text}"


class _ValidationOperation(RequestValidationOperation):
    """Connexion's request validation for one operation, with its parser and validator built once.

    Both are pure functions of the operation's parameters (the validator only reads them and
    its parser), so building them per request, as Connexion does, buys nothing.
    """

    def __init__(self, next_app: ASGIApp, *, operation: AbstractOperation, **kwargs: Any) -> None:
        super().__init__(next_app, operation=operation, **kwargs)
        uri_parser = operation._uri_parser_class(operation.parameters, operation.body_definition())
        self.parameter_validator = self._validator_map["parameter"](
            operation.parameters,
            uri_parser=uri_parser,
            strict_validation=self.strict_validation,
            security_query_params=self.security_query_params,
        )
        # Without a request body Connexion's content-type and body checks accept anything.
        self.takes_body = bool(operation.request_body)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.takes_body:
            await super().__call__(scope, receive, send)
            return
        self.parameter_validator.validate(scope)
        await self.next_app(scope, receive, send)


class _ValidationAPI(RequestValidationAPI):
    def make_operation(self, operation: AbstractOperation) -> RequestValidationOperation:
        return _ValidationOperation(
            self.next_app,
            operation=operation,
            strict_validation=self.strict_validation,
            validator_map=self.validator_map,
        )


class ValidationMiddleware(RequestValidationMiddleware):
    """Connexion's RequestValidationMiddleware with per-operation parsers and validators."""

    api_cls = _ValidationAPI  # type: ignore[assignment]
