"""Every example in the spec (Swagger UI and Prism show them) validates against its schema."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from jsonschema import FormatChecker
from openapi_schema_validator import OAS30ReadValidator, OAS30Validator, oas30_format_checker

from course_users.openapi import load_spec

OPERATION = ("/course/{id}/users/", "get")


def _format_checker() -> FormatChecker:
    """OAS 3.0 formats plus ``uri`` (the installed checker skips it without rfc3987)."""
    checker = copy.deepcopy(oas30_format_checker)

    @checker.checks("uri")
    def is_absolute_uri(value: object) -> bool:
        if not isinstance(value, str):
            return True
        parts = urlsplit(value)
        return bool(parts.scheme and parts.netloc) and " " not in value

    return checker


FORMATS = _format_checker()


def _media_examples(where: str, media: dict) -> Iterator[tuple[str, dict, object]]:
    if "example" in media:
        yield f"{where} example", media["schema"], media["example"]
    for name, example in media.get("examples", {}).items():
        yield f"{where} examples.{name}", media["schema"], example["value"]


def _schema_examples(where: str, schema: dict) -> Iterator[tuple[str, dict, object]]:
    if "example" in schema:
        yield f"{where} example", schema, schema["example"]
    for name, prop in schema.get("properties", {}).items():
        yield from _schema_examples(f"{where}.{name}", prop)
    if isinstance(schema.get("items"), dict):
        yield from _schema_examples(f"{where}[]", schema["items"])


def response_examples(spec: dict) -> Iterator[tuple[str, dict, object]]:
    """(place, schema, value) for every example of a response body, header or schema."""
    operation = spec["paths"][OPERATION[0]][OPERATION[1]]
    for code, response in operation["responses"].items():
        for media_type, media in response.get("content", {}).items():
            yield from _media_examples(f"response {code} {media_type}", media)
        for name, header in response.get("headers", {}).items():
            if "example" in header:
                yield f"response {code} header {name}", header["schema"], header["example"]
    for name, schema in spec["components"]["schemas"].items():
        yield from _schema_examples(f"schema {name}", schema)


def parameter_examples(spec: dict) -> Iterator[tuple[str, dict, object]]:
    """(place, schema, value) for every parameter example."""
    for parameter in spec["paths"][OPERATION[0]][OPERATION[1]]["parameters"]:
        where = f"parameter {parameter['name']}"
        if "example" in parameter:
            yield f"{where} example", parameter["schema"], parameter["example"]
        for name, example in parameter.get("examples", {}).items():
            yield f"{where} examples.{name}", parameter["schema"], example["value"]


SPEC = load_spec()
RESPONSE_EXAMPLES = list(response_examples(SPEC))
PARAMETER_EXAMPLES = list(parameter_examples(SPEC))


class TestResponseExamples:
    """Examples of bodies, headers and schemas validate in the read (response) context."""

    def test_every_error_and_the_page_have_examples(self):
        """The 200 and each error response carry an example, so mocks never invent bodies."""
        places = {
            place.split(" ")[1]
            for place, _, _ in RESPONSE_EXAMPLES
            if place.startswith("response ")
        }
        assert places == {"200", "400", "401", "403", "404", "406", "429", "500", "503"}

    @pytest.mark.parametrize(
        ("place", "schema", "value"), RESPONSE_EXAMPLES, ids=[e[0] for e in RESPONSE_EXAMPLES]
    )
    def test_example_validates(self, place, schema, value):
        """The example is an instance of its schema, formats included."""
        OAS30ReadValidator(schema, format_checker=FORMATS).validate(value)

    def test_broken_page_example_is_rejected(self):
        """The same validation rejects a page whose item breaks the contract (no vacuous pass)."""
        place, schema, value = next(e for e in RESPONSE_EXAMPLES if "firstPage" in e[0])
        broken = copy.deepcopy(value)
        broken["results"][0]["user_completion_rate"] = 101
        broken["results"][1]["avatar"] = "not a url"
        errors = list(OAS30ReadValidator(schema, format_checker=FORMATS).iter_errors(broken))
        assert len(errors) == 2, place


class TestParameterExamples:
    """Parameter examples validate against the parameter schemas."""

    def test_statuses_examples_cover_the_three_wire_forms(self):
        """statuses has an example of each documented form."""
        names = {p.split("examples.")[1] for p, _, _ in PARAMETER_EXAMPLES if "statuses" in p}
        assert names == {"single", "jsonList", "repeated"}

    @pytest.mark.parametrize(
        ("place", "schema", "value"), PARAMETER_EXAMPLES, ids=[e[0] for e in PARAMETER_EXAMPLES]
    )
    def test_example_validates(self, place, schema, value):
        """The example is an instance of its schema."""
        OAS30Validator(schema, format_checker=FORMATS).validate(value)

    @pytest.mark.parametrize(
        "value", [["joined,manager"], ["owner"], ['["joined",]'], ["['joined']"]]
    )
    def test_statuses_schema_rejects_undocumented_forms(self, value):
        """Comma lists, unknown statuses and non-JSON lists do not match the statuses schema."""
        schema = next(s for p, s, _ in PARAMETER_EXAMPLES if p.startswith("parameter statuses"))
        assert list(OAS30Validator(schema).iter_errors(value))

    @pytest.mark.parametrize("value", [["[]"], [' [ "joined" , "manager" ] '], ["requested"]])
    def test_statuses_schema_accepts_documented_forms(self, value):
        """Empty JSON lists, JSON whitespace and plain statuses match the statuses schema."""
        schema = next(s for p, s, _ in PARAMETER_EXAMPLES if p.startswith("parameter statuses"))
        OAS30Validator(schema).validate(value)
