"""The HTTP layer: base URL normalisation, recorded exchanges and curl reproductions."""

from __future__ import annotations

import shlex

import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from course_users.conformance.client import ApiClient, Exchange, api_root


class TestApiRoot:
    @pytest.mark.parametrize(
        "base_url",
        [
            "http://127.0.0.1:8000",
            "http://127.0.0.1:8000/",
            "http://127.0.0.1:8000/api/v2",
            "http://127.0.0.1:8000/api/v2/",
        ],
    )
    def test_origin_and_api_root_forms_agree(self, base_url):
        """An origin and a URL already ending in /api/v2 give the same API root."""
        assert api_root(base_url) == "http://127.0.0.1:8000/api/v2"

    def test_path_prefix_is_kept(self):
        """A server mounted under a prefix keeps it before /api/v2."""
        assert api_root("https://h.example/community") == "https://h.example/community/api/v2"


class TestExchangeCurl:
    def test_curl_pastes_back_to_the_same_request(self):
        """The curl command splits into the headers and URL that were sent."""
        url = "http://h/api/v2/course/1/users/?statuses=%5B%22joined%22%5D&search=a+b"
        exchange = Exchange("GET", url, {"Authorization": "Bearer t'k"}, 200)
        words = shlex.split(exchange.curl())
        assert words[0] == "curl"
        assert words[words.index("-H") + 1] == "Authorization: Bearer t'k"
        assert words[-1] == url

    def test_summary_of_no_answer_says_why(self):
        """An exchange without an answer summarises the transport error."""
        assert Exchange("GET", "u", {}, None, error="ConnectError: refused").summary() == (
            "no answer (ConnectError: refused)"
        )


def _app() -> Starlette:
    async def users(request):
        if request.headers.get("authorization") != "Bearer good":
            return JSONResponse({"detail": "no"}, 401)
        return JSONResponse({"params": list(request.query_params.multi_items())})

    async def text(request):
        return PlainTextResponse("hello")

    return Starlette(
        routes=[Route("/api/v2/course/{id}/users/", users), Route("/api/v2/text", text)]
    )


class TestApiClient:
    def test_sends_token_and_parameters_in_order(self, serve_app):
        """Repeated parameters reach the server in order, with the bearer token."""
        with serve_app(_app()) as root, ApiClient(root, "good") as client:
            exchange = client.list_members("1", [("statuses", "joined"), ("statuses", '["x"]')])
        assert exchange.status == 200
        assert exchange.body == {"params": [["statuses", "joined"], ["statuses", '["x"]']]}
        assert client.requests == 1

    def test_token_none_sends_no_authorization(self, serve_app):
        """token=None leaves the Authorization header out."""
        with serve_app(_app()) as root, ApiClient(root, "good") as client:
            exchange = client.list_members("1", token=None)
        assert exchange.status == 401
        assert "Authorization" not in exchange.request_headers

    def test_non_json_body_is_kept_as_text(self, serve_app):
        """A body that is not JSON has body None and its text kept."""
        with serve_app(_app()) as root, ApiClient(root, "good") as client:
            exchange = client.get(client.root + "/text")
        assert exchange.body is None
        assert exchange.text == "hello"

    def test_refused_connection_is_an_exchange_without_status(self, closed_url):
        """No server: the exchange records the error instead of raising."""
        with ApiClient(closed_url, "t", timeout=2) as client:
            exchange = client.list_members("1")
        assert exchange.status is None
        assert "ConnectError" in (exchange.error or "")
