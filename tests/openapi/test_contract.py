"""`openapi.contract` states what the committed YAML says, and fails by name when it cannot."""

from __future__ import annotations

import copy
import dataclasses
import json
import re
from typing import Any

import pytest
import yaml

from course_users.openapi import SPEC_PATH, load_spec
from course_users.openapi.contract import CONTRACT, Contract, read
from course_users.openapi.errors import SpecShapeError

FIXTURE_SCHEMA = SPEC_PATH.parents[1] / "fixtures" / "fixture.schema.json"


def _yaml() -> dict[str, Any]:
    """The committed spec as plain YAML, read without the bundler the module uses."""
    return yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))


def _operation(document: dict[str, Any]) -> dict[str, Any]:
    return document["paths"]["/course/{id}/users/"]["get"]


def _parameter(document: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [p for p in _operation(document)["parameters"] if p["name"] == name]
    return found


class TestPinnedToTheYaml:
    """Each fact equals what the YAML says, read here by hand."""

    def test_statuses_are_the_join_status_enum_and_the_statuses_default(self):
        """The join statuses are the item's enum, in order; the defaults are the parameter's."""
        document = _yaml()
        item = document["components"]["schemas"]["CourseUserDashboard"]
        statuses = _parameter(document, "statuses")["schema"]
        assert CONTRACT.join_statuses == tuple(item["properties"]["join_status"]["enum"])
        assert CONTRACT.default_statuses == tuple(statuses["default"])
        assert CONTRACT.statuses.managing <= set(CONTRACT.join_statuses)

    def test_orderings_and_default_ordering_are_the_ordering_parameter(self):
        """The orderings are the enum of `ordering`, the default its default."""
        schema = _parameter(_yaml(), "ordering")["schema"]
        assert CONTRACT.orderings == tuple(schema["enum"])
        assert CONTRACT.default_ordering == schema["default"]
        assert set(CONTRACT.ordering_fields) == {o.lstrip("-") for o in schema["enum"]}

    def test_page_size_and_cap_are_the_limit_parameter(self):
        """The page size is limit's default; the cap its x-max-limit, which its text states."""
        limit = _parameter(_yaml(), "limit")
        assert CONTRACT.default_limit == limit["schema"]["default"]
        assert CONTRACT.max_limit == limit["x-max-limit"]
        assert "maximum" not in limit["schema"]  # a larger limit is valid: it is served capped
        assert f"capped at {CONTRACT.max_limit} items" in limit["description"]
        assert f"`limit={CONTRACT.max_limit}`" in limit["description"]

    def test_search_fields_are_named_by_the_search_parameter(self):
        """The search fields are x-search-fields: item properties the docs' sentence names."""
        document = _yaml()
        search = _parameter(document, "search")
        item = document["components"]["schemas"]["CourseUserDashboard"]["properties"]
        assert CONTRACT.search_fields == tuple(search["x-search-fields"])
        assert set(CONTRACT.search_fields) <= set(item)
        sentence = search["description"].split("\n", 1)[0]
        assert all(field in sentence for field in CONTRACT.search_fields)

    def test_managing_statuses_are_the_required_role(self):
        """The creator and manager statuses are the roles the operation's description requires."""
        description = _operation(_yaml())["description"]
        role = re.search(r"requires the course (\w+) or (\w+) role", description)
        assert role is not None
        assert set(role.groups()) == CONTRACT.statuses.managing

    def test_paths_errors_and_security_are_the_operation(self):
        """Base path, path, error codes and security scheme are the operation's."""
        document = _yaml()
        operation = _operation(document)
        ((scheme, _),) = operation["security"][0].items()
        errors = tuple(int(code) for code in operation["responses"] if not code.startswith("2"))
        assert CONTRACT.base_path == document["servers"][0]["url"]
        assert CONTRACT.path == "/course/{id}/users/"
        assert CONTRACT.operation_id == operation["operationId"]
        assert CONTRACT.error_codes == errors
        assert CONTRACT.security_scheme == scheme
        assert CONTRACT.auth_scheme == document["components"]["securitySchemes"][scheme]["scheme"]

    @pytest.mark.parametrize(
        ("text", "is_scheme", "names_scheme"),
        [
            ("bearer", True, True),
            ("BEARER", True, True),
            ('Bearer realm="api"', False, True),
            ("Basic", False, False),
            ("", False, False),
        ],
    )
    def test_the_auth_scheme_is_matched_ignoring_case(self, text, is_scheme, names_scheme):
        """`bearer` and `Bearer` are one scheme (RFC 9110 11.1); a challenge may carry more."""
        assert CONTRACT.is_auth_scheme(text) is is_scheme
        assert CONTRACT.names_auth_scheme(text) is names_scheme

    def test_the_challenge_is_the_auth_scheme_as_rfc_6750_writes_it(self):
        """A 401 says `WWW-Authenticate: Bearer`: the scheme, capitalised."""
        assert CONTRACT.challenge == "Bearer"
        assert CONTRACT.is_auth_scheme(CONTRACT.challenge)

    def test_the_fixture_schema_for_editors_lists_the_same_statuses(self):
        """fixture.schema.json (what editors check fixture files with) has the spec's statuses."""
        schema = json.loads(FIXTURE_SCHEMA.read_text(encoding="utf-8"))
        found = [
            node["join_status"]["enum"]
            for node in _walk(schema)
            if isinstance(node.get("join_status"), dict)
        ]
        assert found == [list(CONTRACT.join_statuses)]

    def test_facts_are_immutable(self):
        """The facts cannot be changed by a caller: a frozen dataclass of tuples."""
        with pytest.raises(dataclasses.FrozenInstanceError):
            CONTRACT.max_limit = 5  # type: ignore[misc]
        assert all(
            not isinstance(getattr(CONTRACT, f.name), list | dict | set)
            for f in dataclasses.fields(Contract)
        )


def _walk(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        return [node, *(found for value in node.values() for found in _walk(value))]
    if isinstance(node, list):
        return [found for value in node for found in _walk(value)]
    return []


def _altered(change) -> dict[str, Any]:
    spec = copy.deepcopy(load_spec())
    change(spec)
    return spec


def _params(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in spec["paths"]["/course/{id}/users/"]["get"]["parameters"]}


def _drop_requested(spec: dict[str, Any]) -> None:
    item = spec["components"]["schemas"]["CourseUserDashboard"]["properties"]["join_status"]
    item["enum"] = [s.replace("requested", "pending") for s in item["enum"]]
    (accepted,) = [o for o in _params(spec)["statuses"]["schema"]["items"]["anyOf"] if "enum" in o]
    accepted["enum"] = list(item["enum"])


class TestSpecWithoutAFact:
    """A spec that lacks a fact the code relies on fails by name, not with a KeyError."""

    def test_reads_an_altered_cap(self):
        """A different x-max-limit is the cap every package then uses."""
        spec = _altered(lambda s: _params(s)["limit"].update({"x-max-limit": 7}))
        assert read(spec).max_limit == 7

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            (lambda s: _params(s)["limit"].pop("x-max-limit"), "has no `x-max-limit`"),
            (lambda s: _params(s)["search"].pop("x-search-fields"), "has no `x-search-fields`"),
            (
                lambda s: s["paths"]["/course/{id}/users/"]["get"]["parameters"].pop(),
                "no `ordering` parameter",
            ),
            (
                lambda s: _params(s)["ordering"]["schema"].update({"default": "name"}),
                "`ordering` default ['name']",
            ),
            (
                lambda s: _params(s)["statuses"]["schema"]["items"]["anyOf"][0]["enum"].pop(),
                "`statuses` accepts",
            ),
            (_drop_requested, "lack ['requested']"),
        ],
        ids=["no cap", "no search fields", "no ordering", "bad default", "enums differ", "rename"],
    )
    def test_missing_fact_is_named(self, change, message):
        """SpecShapeError says which fact is missing or inconsistent."""
        with pytest.raises(SpecShapeError, match=re.escape(message)):
            read(_altered(change))
