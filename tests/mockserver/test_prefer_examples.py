"""`Prefer: example=NAME` serves that named example of a documented response, as Prism does."""

from __future__ import annotations

import pytest

from course_users.openapi import load_spec

PATH = "/course/{id}/users/"


def documented_example(code: str, name: str) -> object:
    """The named example's value for response `code`, read from the resolved contract."""
    media = load_spec()["paths"][PATH]["get"]["responses"][code]["content"]["application/json"]
    return media["examples"][name]["value"]


@pytest.fixture(scope="module")
def users_url(mock_server) -> str:
    """Course 1's member list on the shared mock."""
    return mock_server.url("course/1/users/")


class TestPreferExample:
    """Choosing a documented example by name, alone or with `code=`."""

    @pytest.mark.parametrize("name", ["firstPage", "pastTheEnd"])
    def test_named_example_of_the_200(self, http, users_url, page_schema_validator, name):
        """`example=NAME` answers 200 with that example's body, whatever the token."""
        response = http.get(users_url, headers={"Prefer": f"example={name}"})
        assert response.status_code == 200
        assert response.json() == documented_example("200", name)
        page_schema_validator.validate(response.json())

    def test_combines_with_code_and_delay(self, http, users_url):
        """`code=200, example=pastTheEnd, delay=1` is the same example."""
        prefer = "code=200, example=pastTheEnd, delay=1"
        response = http.get(users_url, headers={"Prefer": prefer})
        assert response.status_code == 200
        assert response.json() == documented_example("200", "pastTheEnd")

    def test_unknown_name_is_400_naming_the_known_ones(self, users_url, get_error):
        """An example the 200 does not document is a one-line 400 listing firstPage, pastTheEnd."""
        response = get_error(users_url, headers={"Prefer": "example=lastPage"})
        assert response.status_code == 400
        detail = response.json()["detail"]
        assert "example=lastPage" in detail and "firstPage, pastTheEnd" in detail

    def test_response_without_named_examples_says_none(self, users_url, get_error):
        """`code=404, example=firstPage` is a 400: the 404 has no named examples."""
        response = get_error(users_url, headers={"Prefer": "code=404, example=firstPage"})
        assert response.status_code == 400
        assert "404 response (known: none)" in response.json()["detail"]

    def test_malformed_name_is_400(self, users_url, get_error):
        """A name outside letters, digits and `_.-` is refused without echoing it whole."""
        response = get_error(users_url, headers={"Prefer": "example=<" + "x" * 500 + ">"})
        assert response.status_code == 400
        assert len(response.json()["detail"]) < 200

    def test_without_example_code_200_is_still_computed(self, get_page, users_url):
        """`code=200` alone keeps serving the real page, not an example."""
        body = get_page(users_url, {"limit": 3}, headers={"Prefer": "code=200"})
        assert body != documented_example("200", "firstPage") and len(body["results"]) == 3
