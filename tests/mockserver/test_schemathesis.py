"""Schemathesis against the live mock: positive and negative data, every default check.

Schemathesis's own pytest plugin (`schemathesis.pytest.from_fixture`) breaks on pytest 9
("'Function' object has no attribute '_nodeid'"), so the test drives the operation's Hypothesis
strategies directly: same generation, same checks (`call_and_validate`).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

AUTH = {"Authorization": "Bearer creator-token"}
MAX_EXAMPLES = 60  # per mode: reaches every parameter's edge cases in a few seconds
PATH = "/course/{id}/users/"


@pytest.fixture(scope="module")
def operation(mock_server):
    """The GET operation of the spec as the running mock serves it."""
    schema = schemathesis.openapi.from_url(mock_server.url("openapi.json"))
    # Like DRF, the API ignores query parameters it does not know (a cache-buster such as `_=123`
    # must not fail), so requests whose only fault is an extra parameter are not negative data.
    schema.config.generation.update(allow_extra_parameters=False)
    return schema[PATH]["GET"]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_mock_conforms_to_its_spec(operation, mode):
    """Every generated request gets a response the spec allows (all default checks)."""

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,  # the same examples on every run: CI failures reproduce locally
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case):
        case.call_and_validate(headers=AUTH)

    check()
