"""How Connexion reads and checks query parameters for us: its documented extension points.

- `StatusesURIParser` (`uri_parser_class`): Connexion splits every array query value on commas,
  which would cut the JSON-list form `["joined","manager"]` in pieces; `statuses` values are kept
  whole, one list item per repeated parameter.
- `OneLineParameterValidator` (`validator_map["parameter"]`): Connexion's validator deep-copies each
  parameter schema and builds a jsonschema validator per parameter per request, then reports
  jsonschema's multi-line message. Ours compiles each schema once and reports one line naming the
  parameter and the bad value.
"""

from __future__ import annotations

from typing import Any

from connexion.uri_parsing import OpenAPIURIParser
from connexion.validators import ParameterValidator
from jsonschema import Draft4Validator
from jsonschema.exceptions import ValidationError
from starlette.datastructures import Headers
from starlette.requests import Request

from fixtures.model import JOIN_STATUSES
from mockserver.querystring import query_values

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


# Compiled validators, keyed by the identity of the operation's parameter dicts (built once at
# startup and kept for the app's life; the dict itself is stored to keep the id meaningful).
_COMPILED: dict[int, tuple[dict, Draft4Validator]] = {}


def _validator_for(param: dict) -> Draft4Validator:
    """The parameter's compiled schema validator, built on first use."""
    found = _COMPILED.get(id(param))
    if found is None or found[0] is not param:
        schema = param.get("schema", param)
        found = (param, Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER))
        _COMPILED[id(param)] = found
    return found[1]


# Values already found valid, per parameter: validation is a pure function of (schema, value), and
# a UI or a load test repeats the same few values. A JSON-list `statuses` costs ~100 us to check
# (jsonschema builds an error for the enum branch of the anyOf before trying the pattern).
_VALID_VALUES: set[tuple[int, object]] = set()
_VALID_VALUES_MAX = 4096


def _cache_key(param: dict, value: Any) -> tuple[int, object] | None:
    """A hashable key for (parameter, value), or None for values not worth caching."""
    if isinstance(value, list):
        if not all(isinstance(item, str) for item in value):
            return None
        return (id(param), ("list", tuple(value)))
    if isinstance(value, str | int) and not isinstance(value, bool):
        return (id(param), (type(value).__name__, value))
    return None


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
    and resolves the query through its parser for each parameter it checks).
    """

    def validate(self, scope: dict) -> None:  # type: ignore[override]
        """Raise BadRequestProblem for the first invalid parameter, with a one-line detail."""
        self.validate_request(_ParsedRequest(scope, self.uri_parser))

    def validate_parameter(  # type: ignore[override]
        self, parameter_type: str, value: Any, param: dict, param_name: str | None = None
    ) -> str | None:
        """None when `value` is valid for `param`, else a one-line message naming it."""
        name = param.get("name", param_name)
        if value is None:
            if param.get("required"):
                return f"{name}: the {parameter_type} parameter is required"
            return None
        key = _cache_key(param, value)
        if key is not None and key in _VALID_VALUES:
            return None
        validator = _validator_for(param)
        error = next(iter(validator.iter_errors(value)), None)
        if error is not None:
            return describe(name, value, error)
        if key is not None:
            if len(_VALID_VALUES) >= _VALID_VALUES_MAX:
                _VALID_VALUES.clear()
            _VALID_VALUES.add(key)
        return None


def describe(name: str, value: Any, error: ValidationError) -> str:
    """One line naming the parameter, the offending value and what is wrong with it."""
    bad = error.instance
    keyword = error.validator
    if name in UNSPLIT_ARRAYS and error.path:
        return (
            f"{name}: {bad!r} is not one of {', '.join(JOIN_STATUSES)}, nor a JSON list of them "
            '(e.g. ["joined","manager"])'
        )
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
