"""The bundled spec loads in every tool we use: validator, prance, Connexion, Schemathesis."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate

from course_users.openapi import SPEC_PATH, load_spec

OPERATION = ("/course/{id}/users/", "get")
STATUSES = ["creator", "manager", "joined", "invited", "requested"]


@pytest.fixture(scope="module")
def bundled(run_cli, tmp_path_factory) -> Path:
    """The single resolved document written by ``python -m openapi bundle``."""
    out = tmp_path_factory.mktemp("bundle") / "course_users.json"
    result = run_cli("bundle", "--out", out)
    assert result.code == 0, result.err
    return out


@pytest.fixture(scope="module")
def bundled_spec(bundled: Path) -> dict:
    """The bundled document, parsed."""
    return json.loads(bundled.read_text(encoding="utf-8"))


def _refs(node) -> list[str]:
    if isinstance(node, dict):
        return [node["$ref"]] if "$ref" in node else [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


class TestBundle:
    """``python -m openapi bundle`` and ``load_spec()``."""

    def test_bundle_inlines_every_ref(self, bundled_spec):
        """The bundled document has no $ref left, so any tool can load it alone."""
        assert _refs(yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8")))
        assert _refs(bundled_spec) == []

    def test_bundle_equals_load_spec(self, bundled_spec):
        """The bundle and ``load_spec()`` are the same document."""
        assert bundled_spec == load_spec()

    def test_bundle_as_yaml_by_suffix(self, run_cli, tmp_path):
        """A .yaml output path gives YAML with the same content."""
        out = tmp_path / "bundle.yaml"
        assert run_cli("bundle", "--out", out).code == 0
        assert yaml.safe_load(out.read_text(encoding="utf-8")) == load_spec()

    def test_load_spec_returns_independent_copies(self):
        """Mutating one result of ``load_spec()`` does not leak into the next."""
        first = load_spec()
        first["paths"].clear()
        assert load_spec()["paths"]

    def test_shared_interface(self, bundled_spec):
        """Server, path, operationId and security are the ones every package codes against."""
        operation = bundled_spec["paths"][OPERATION[0]][OPERATION[1]]
        assert bundled_spec["openapi"] == "3.0.3"
        assert bundled_spec["servers"] == [{"url": "/api/v2"}]
        assert operation["operationId"] == "getCourseDashboardUsers"
        assert operation["security"] == [{"bearerAuth": []}]
        scheme = bundled_spec["components"]["securitySchemes"]["bearerAuth"]
        assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")


class TestOpenApiSpecValidator:
    """openapi-spec-validator accepts the spec."""

    def test_bundled_spec_is_valid(self, bundled_spec):
        """The resolved single document validates as OpenAPI 3.0."""
        validate(bundled_spec)

    def test_root_document_is_valid(self):
        """The committed root document, with its $refs, validates too."""
        validate(yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8")))


class TestPrance:
    """prance parses, validates and resolves the bundled spec."""

    def test_resolving_parser_accepts_bundle(self, bundled):
        """prance's ResolvingParser (strict, openapi-spec-validator backend) reads the bundle."""
        from prance import ResolvingParser

        parser = ResolvingParser(str(bundled), backend="openapi-spec-validator", strict=True)
        assert parser.specification["info"]["title"]


@pytest.fixture(scope="module")
def client(bundled_spec):
    """A Connexion test client of the app built from the bundle."""
    return _connexion_client(bundled_spec)


@pytest.fixture(scope="module")
def operation(bundled):
    """The operation as Schemathesis sees it, loaded from the bundle file."""
    import schemathesis

    schema = schemathesis.openapi.from_path(str(bundled))
    return schema["/course/{id}/users/"]["GET"]


def _connexion_client(spec: dict):
    """A Connexion AsyncApp serving ``spec`` with a handler that echoes its arguments."""
    import connexion
    from connexion.resolver import Resolver
    from connexion.security import BearerSecurityHandler

    class AnyToken(BearerSecurityHandler):
        """Accept every bearer token: only the spec's parameter handling is under test."""

        @classmethod
        def _get_function(cls, *args, **kwargs):
            return lambda token: {"sub": token}

    def handler(**arguments):
        echo = {key: arguments.get(key) for key in ("id", "limit", "offset", "statuses")}
        return echo, 200, {"Content-Type": "application/json"}

    class EchoResolver(Resolver):
        """Route the operation to the echo handler."""

        def resolve_function_from_operation_id(self, operation_id):
            assert operation_id == "getCourseDashboardUsers"
            return handler

    app = connexion.AsyncApp(__name__, security_map={"bearer": AnyToken})
    app.add_api(spec, resolver=EchoResolver())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return app.test_client()


class TestConnexion:
    """Connexion 3 builds an API from the bundled spec and validates requests with it."""

    def get(self, client, query: str):
        """GET course 1's members with a bearer token and the raw query string."""
        url = "/api/v2/course/1/users/" + (f"?{query}" if query else "")
        return client.get(url, headers={"Authorization": "Bearer t"})

    def test_defaults_applied(self, client):
        """Without parameters the handler gets the spec's defaults."""
        body = self.get(client, "").json()
        assert body == {"id": "1", "limit": 20, "offset": 0, "statuses": ["manager", "joined"]}

    def test_repeated_statuses_reach_handler_as_list(self, client):
        """``statuses=joined&statuses=manager`` validates and arrives as two items."""
        assert self.get(client, "statuses=joined&statuses=manager").json()["statuses"] == [
            "joined",
            "manager",
        ]

    def test_single_status_and_json_list_validate(self, client):
        """A single status and a JSON list (no comma, so Connexion does not split it) are valid."""
        assert self.get(client, "statuses=invited").status_code == 200
        assert self.get(client, 'statuses=["joined"]').status_code == 200
        assert self.get(client, "statuses=[]").status_code == 200

    @pytest.mark.parametrize(
        "query", ["limit=0", "offset=-1", "ordering=name", "statuses=owner", "limit=abc"]
    )
    def test_invalid_parameters_rejected(self, client, query):
        """Values outside the schema get 400 from Connexion's validation."""
        assert self.get(client, query).status_code == 400

    def test_non_digit_id_rejected(self, client):
        """The id pattern rejects non-digits."""
        response = client.get("/api/v2/course/abc/users/", headers={"Authorization": "Bearer t"})
        assert response.status_code == 400


class TestSchemathesis:
    """Schemathesis 4 loads the bundle and generates every documented ``statuses`` form."""

    def test_from_dict_accepts_load_spec(self):
        """``schemathesis.openapi.from_dict(load_spec())`` finds the one operation."""
        import schemathesis

        schema = schemathesis.openapi.from_dict(load_spec())
        assert [result.ok().label for result in schema.get_all_operations()] == [
            "GET /course/{id}/users/"
        ]

    def test_generates_all_three_statuses_forms(self, operation):
        """Generated requests include a plain status, a JSON list and a repeated parameter."""
        seen: set[str] = set()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=200,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        def collect(case):
            values = (case.query or {}).get("statuses")
            if values is None:
                return
            values = [values] if isinstance(values, str) else list(values)
            for value in values:
                json_list = value.strip(" \t\n\r").startswith("[")
                seen.add("json-list" if json_list else "single")
                if json_list:
                    assert set(json.loads(value)) <= set(STATUSES)
                else:
                    assert value in STATUSES
            if len(values) > 1:
                seen.add("repeated")

        collect()
        assert seen == {"single", "json-list", "repeated"}
