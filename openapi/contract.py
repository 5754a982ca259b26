"""The contract's facts, read once per process from the bundled spec: the one place to learn them.

The mock, the conformance suite, the fixtures and the benchmarks import what the operation
accepts and defaults to from here (`CONTRACT`); none of them writes a status, an ordering, the page
size or the cap itself, so a change to `decisions.yaml` (and `python -m openapi generate`) reaches
every package. `tests/openapi/test_contract.py` pins these values to the YAML;
`tests/test_single_source.py` fails, naming file:line, when one is written down again elsewhere.

The code gives some statuses a meaning the spec states only in prose (the creator and the managers
may read the listing; the creator is one per course; invited and requested members have not joined
yet). Those names are looked up here, in `Statuses`, and loading fails if the spec drops one.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from typing import Any

from course_users.openapi.bundle import load_spec
from course_users.openapi.errors import SpecShapeError

MAX_LIMIT_KEY = "x-max-limit"  # on the `limit` parameter: the schema cannot hold the cap
SEARCH_FIELDS_KEY = "x-search-fields"  # on the `search` parameter


@dataclasses.dataclass(frozen=True, slots=True)
class Statuses:
    """The join statuses the code gives a meaning to, each checked to be one the spec lists."""

    creator: str
    manager: str
    joined: str
    invited: str
    requested: str

    @property
    def managing(self) -> frozenset[str]:
        """The statuses whose holders may read the listing ("creator or manager role")."""
        return frozenset({self.creator, self.manager})

    @property
    def pending(self) -> frozenset[str]:
        """The statuses of members who have not joined yet."""
        return frozenset({self.invited, self.requested})


@dataclasses.dataclass(frozen=True, slots=True)
class Contract:
    """What the spec says GET {base_path}{path} accepts, defaults to and answers."""

    base_path: str  # the server URL, e.g. /api/v2
    path: str  # the operation's path below it, e.g. /course/{id}/users/
    operation_id: str
    join_statuses: tuple[str, ...]  # in the spec's order
    statuses: Statuses
    default_statuses: tuple[str, ...]
    orderings: tuple[str, ...]  # in the spec's order, e.g. joined_at, -joined_at, ...
    default_ordering: str
    default_limit: int
    max_limit: int  # the page cap: a larger limit is valid and served as this many
    search_fields: tuple[str, ...]  # the item fields a search term is looked for in
    error_codes: tuple[int, ...]  # the 4xx/5xx statuses the operation documents
    security_scheme: str  # the name of the operation's security scheme, e.g. bearerAuth
    auth_scheme: str  # that scheme's HTTP authentication scheme, e.g. bearer

    @property
    def challenge(self) -> str:
        """The `WWW-Authenticate` value of a 401: the auth scheme as RFC 6750 writes it."""
        return self.auth_scheme.capitalize()

    def is_auth_scheme(self, text: str) -> bool:
        """Whether `text` names the operation's auth scheme (scheme names ignore case, RFC 9110)."""
        return text.lower() == self.auth_scheme.lower()

    def names_auth_scheme(self, header: str) -> bool:
        """Whether a `WWW-Authenticate` or `Authorization` value starts with the auth scheme."""
        return header.lower().startswith(self.auth_scheme.lower())

    @property
    def ordering_fields(self) -> tuple[str, ...]:
        """The fields the orderings sort by, once each, in the spec's order."""
        return tuple(dict.fromkeys(ordering.lstrip("-") for ordering in self.orderings))


def read(spec: Mapping[str, Any]) -> Contract:
    """The facts of a resolved spec (every `$ref` inlined); SpecShapeError if one is missing."""
    path, operation = _operation(spec)
    parameters = {p["name"]: p for p in operation.get("parameters", [])}
    statuses = _parameter(parameters, "statuses")
    ordering = _parameter(parameters, "ordering")
    limit = _parameter(parameters, "limit")
    search = _parameter(parameters, "search")
    join_statuses = _status_enum(spec, statuses)
    orderings = tuple(ordering["schema"]["enum"])
    (security,) = _single(operation.get("security", []), "security requirement")
    (scheme_name,) = _single(list(security), "security scheme")
    return Contract(
        base_path=_single(spec.get("servers", []), "server")[0]["url"].rstrip("/"),
        path=path,
        operation_id=operation["operationId"],
        join_statuses=join_statuses,
        statuses=_named(join_statuses),
        default_statuses=_within(tuple(statuses["schema"]["default"]), join_statuses, "statuses"),
        orderings=orderings,
        default_ordering=_within((ordering["schema"]["default"],), orderings, "ordering")[0],
        default_limit=int(limit["schema"]["default"]),
        max_limit=int(_key(limit, MAX_LIMIT_KEY)),
        search_fields=tuple(_key(search, SEARCH_FIELDS_KEY)),
        error_codes=tuple(int(code) for code in operation["responses"] if code[0] in "45"),
        security_scheme=scheme_name,
        auth_scheme=spec["components"]["securitySchemes"][scheme_name]["scheme"],
    )


@functools.cache
def _bundled() -> Contract:
    return read(load_spec())


def _operation(spec: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    ((path, item),) = _single(list(spec.get("paths", {}).items()), "path")
    return path, item["get"]


def _single(items: list[Any], what: str) -> list[Any]:
    if len(items) != 1:
        raise SpecShapeError(f"the spec has {len(items)} {what}s where the contract reads one")
    return items


def _parameter(parameters: Mapping[str, Any], name: str) -> dict[str, Any]:
    if name not in parameters:
        raise SpecShapeError(f"the operation has no `{name}` parameter")
    return parameters[name]


def _key(node: Mapping[str, Any], key: str) -> Any:
    if key not in node:
        raise SpecShapeError(f"the `{node.get('name')}` parameter has no `{key}`")
    return node[key]


def _status_enum(spec: Mapping[str, Any], statuses: Mapping[str, Any]) -> tuple[str, ...]:
    """The `join_status` enum of the result items, which the `statuses` values must list too."""
    schemas = spec["components"]["schemas"]
    item = next(s for s in schemas.values() if "join_status" in s.get("properties", {}))
    enum = tuple(item["properties"]["join_status"]["enum"])
    accepted = [
        tuple(option["enum"]) for option in statuses["schema"]["items"]["anyOf"] if "enum" in option
    ]
    if accepted != [enum]:
        raise SpecShapeError(f"`statuses` accepts {accepted}, the items' join_status is {enum}")
    return enum


def _within(values: tuple[str, ...], allowed: tuple[str, ...], name: str) -> tuple[str, ...]:
    unknown = [value for value in values if value not in allowed]
    if unknown:
        raise SpecShapeError(f"the `{name}` default {unknown} is not among {list(allowed)}")
    return values


def _named(join_statuses: tuple[str, ...]) -> Statuses:
    # Each field of `Statuses` is named after the status it holds: the one place the names the
    # code relies on are written.
    names = [field.name for field in dataclasses.fields(Statuses)]
    missing = [name for name in names if name not in join_statuses]
    if missing:
        raise SpecShapeError(f"the spec's join statuses {list(join_statuses)} lack {missing}")
    return Statuses(*names)


def __getattr__(name: str) -> Contract:
    # `CONTRACT` is read on first use, not at import: `openapi` tools that never need it (the
    # generator, the drift check) do not pay prance's parse of the spec.
    if name == "CONTRACT":
        return _bundled()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
