"""The endpoint over HTTP against one real mock on the default fixtures, checked with an oracle."""

from __future__ import annotations

import json

import httpx
import pytest

ALL = ["creator", "manager", "joined", "invited", "requested"]
ORDERINGS = ["joined_at", "-joined_at", "last_active_at", "-last_active_at"]


@pytest.fixture(scope="module")
def users_url(mock_server) -> str:
    """The URL of course 1's member list."""
    return mock_server.url("course/1/users/")


class TestStatuses:
    """The three wire forms of `statuses`, their union, and their errors."""

    def test_absent_selects_managers_and_joined(self, users_url, walk, oracle):
        """No statuses parameter means ["manager", "joined"]."""
        assert walk(users_url) == oracle.ids(1)

    @pytest.mark.parametrize("status", ALL)
    def test_single_value_selects_that_status(self, users_url, walk, oracle, status):
        """statuses=<status> selects exactly that status."""
        assert walk(users_url, {"statuses": status}) == oracle.ids(1, [status])

    def test_json_list_selects_the_union(self, users_url, walk, oracle):
        """statuses=["invited","requested"] (the vendor SDK's form) selects both."""
        ids = walk(users_url, {"statuses": '["invited", "requested"]'})
        assert ids == oracle.ids(1, ["invited", "requested"])

    def test_repeated_values_select_the_union(self, users_url, get_page, oracle):
        """statuses=creator&statuses=invited selects both."""
        body = get_page(
            users_url, [("statuses", "creator"), ("statuses", "invited"), ("limit", 100)]
        )
        assert body["count"] == len(oracle.ids(1, ["creator", "invited"]))

    def test_mixed_forms_select_the_union(self, users_url, get_page, oracle):
        """A JSON list and a single value together select the union of both."""
        params = [("statuses", '["manager"]'), ("statuses", "requested"), ("limit", 100)]
        body = get_page(users_url, params)
        assert [i["id"] for i in body["results"]] == oracle.ids(1, ["manager", "requested"])[:100]

    def test_empty_json_list_matches_nothing(self, users_url, get_page):
        """statuses=[] gives an empty page with count 0."""
        body = get_page(users_url, {"statuses": "[]"})
        assert (body["count"], body["results"], body["next"]) == (0, [], None)

    def test_every_item_has_a_selected_status(self, users_url, get_page):
        """Items carry the join_status that was filtered on."""
        body = get_page(users_url, {"statuses": '["invited"]', "limit": 100})
        assert body["results"] and {i["join_status"] for i in body["results"]} == {"invited"}

    @pytest.mark.parametrize(
        ("value", "named"),
        [
            ("bogus", "'bogus'"),
            ("joined,manager", "'joined,manager'"),
            ('["joined", "bogus"]', "bogus"),
            ('["joined"', '["joined"'),
            ("", "''"),
        ],
    )
    def test_bad_value_is_400_naming_it(self, users_url, get_error, value, named):
        """An unknown status, the comma form or malformed JSON is a 400 naming the value."""
        response = get_error(users_url, {"statuses": value})
        assert response.status_code == 400
        assert response.json()["detail"].startswith("statuses:")
        assert named in response.json()["detail"]


class TestSearch:
    """Search: icontains on username or real_name, every term must match."""

    @pytest.mark.parametrize(
        "search",
        ["rossi", "ROSSI", "JOSÉ", "josé", "jose", "王", "anna maria", "anna,medici", "  "],
    )
    def test_matches_the_contract_rule(self, users_url, walk, oracle, search):
        """Each search (accents, CJK, several terms, commas, blank) matches the oracle."""
        assert walk(users_url, {"search": search, "statuses": json.dumps(ALL)}) == oracle.ids(
            1, ALL, search
        )

    def test_accented_upper_case_finds_accented_name(self, users_url, get_page):
        """'JOSÉ' finds José Álvarez: upper-casing, no accent folding."""
        body = get_page(users_url, {"search": "JOSÉ"})
        assert [i["real_name"] for i in body["results"]] == ["José Álvarez"]

    def test_unaccented_term_does_not_find_accented_name(self, users_url, get_page):
        """'ludenscheidt' does not find Zoë Müller-Lüdenscheidt; 'LÜDENSCHEIDT' does."""
        assert get_page(users_url, {"search": "ludenscheidt"})["count"] == 0
        assert get_page(users_url, {"search": "LÜDENSCHEIDT"})["count"] == 1

    def test_terms_may_match_different_fields(self, users_url, get_page, oracle):
        """'juergen' (only in the username) and 'Jürgen' (only in the real name) both match."""
        user = oracle.dataset.users[2]  # juergen_weiss, Jürgen Weiß
        assert "JUERGEN" not in user.real_name.upper() and "JÜRGEN" not in user.username.upper()
        body = get_page(users_url, {"search": "juergen Jürgen"})
        assert [item["id"] for item in body["results"]] == [2]


class TestOrdering:
    """The four orderings, ties by id ascending, null last_active_at at the edges."""

    @pytest.mark.parametrize("ordering", ORDERINGS)
    def test_order_matches_the_contract(self, users_url, walk, oracle, ordering):
        """Every member of every status comes in the contract's order."""
        params = {"ordering": ordering, "statuses": json.dumps(ALL)}
        assert walk(users_url, params) == oracle.ids(1, ALL, ordering=ordering)

    def test_default_is_newest_joined_first(self, users_url, get_page, oracle):
        """No ordering means -joined_at."""
        body = get_page(users_url, {"limit": 100})
        assert [i["id"] for i in body["results"]] == oracle.ids(1)[:100]

    def test_joined_at_ties_come_in_id_order_both_ways(self, users_url, walk):
        """The bulk-enrolled members 15, 16, 17 share joined_at and stay in id order."""
        for ordering in ("joined_at", "-joined_at"):
            ids = walk(users_url, {"ordering": ordering, "search": "a"})
            tied = [i for i in ids if i in (15, 16, 17)]
            assert tied == [15, 16, 17] and ids.index(17) - ids.index(15) == 2

    def test_null_last_active_is_last_ascending_first_descending(self, users_url, get_page):
        """Never-active members end the ascending order and start the descending one."""
        statuses = json.dumps(ALL)
        count = get_page(users_url, {"statuses": statuses})["count"]
        first = get_page(users_url, {"statuses": statuses, "ordering": "-last_active_at"})
        last = get_page(
            users_url,
            {"statuses": statuses, "ordering": "last_active_at", "offset": count - 1},
        )
        assert first["results"][0]["last_active_at"] is None
        assert last["results"][0]["last_active_at"] is None

    def test_unknown_ordering_is_400(self, users_url, get_error):
        """An ordering outside the four values is a 400 naming it."""
        response = get_error(users_url, {"ordering": "username"})
        assert response.status_code == 400 and "'username'" in response.json()["detail"]


class TestPaging:
    """limit/offset and the next/previous links, like DRF's LimitOffsetPagination."""

    @pytest.mark.parametrize("limit", [1, 7, 20, 100])
    def test_walking_next_links_visits_every_member_once(self, users_url, walk, oracle, limit):
        """Following next from the first page yields each member exactly once, in order."""
        ids = walk(users_url, {"statuses": json.dumps(ALL)}, limit=limit)
        assert ids == oracle.ids(1, ALL) and len(set(ids)) == len(ids)

    def test_walking_previous_links_returns_to_the_start(self, users_url, get_page):
        """From the last page, previous links lead back through every page to the first."""
        first = get_page(users_url, {"limit": 30})
        offset = (first["count"] - 1) // 30 * 30
        body = get_page(users_url, {"limit": 30, "offset": offset})
        pages = 1
        while body["previous"]:
            body = get_page(body["previous"])
            pages += 1
        assert body == first and pages == offset // 30 + 1

    def test_previous_link_drops_offset_at_first_page(self, users_url, get_page):
        """previous from offset 5 with limit 10 has no offset at all."""
        body = get_page(users_url, {"limit": 10, "offset": 5, "search": "a b"})
        assert body["previous"].endswith("?limit=10&search=a+b")

    def test_links_keep_other_parameters_and_sort_them(self, users_url, get_page):
        """next keeps statuses (JSON and repeated), search and ordering, sorted like DRF."""
        params = [("statuses", '["joined"]'), ("statuses", "manager"), ("limit", 2)]
        body = get_page(users_url, [*params, ("ordering", "joined_at"), ("offset", 2)])
        link = httpx.URL(body["next"])
        assert link.params.get_list("statuses") == ['["joined"]', "manager"]
        keys = [key for key, _ in link.params.multi_items()]
        assert keys == ["limit", "offset", "ordering", "statuses", "statuses"]
        assert (link.params["limit"], link.params["offset"]) == ("2", "4")
        assert str(link).startswith(users_url)

    def test_first_page_has_no_previous_and_last_has_no_next(self, users_url, get_page):
        """previous is null at offset 0 and next is null on the last page."""
        first = get_page(users_url, {"limit": 5})
        last = get_page(users_url, {"limit": 5, "offset": first["count"] - 5})
        assert first["previous"] is None and last["next"] is None

    def test_limit_is_capped_at_100(self, users_url, get_page):
        """limit=1000 serves 100 items and the links carry limit=100."""
        body = get_page(users_url, {"limit": 1000, "statuses": json.dumps(ALL)})
        assert len(body["results"]) == 100
        assert httpx.URL(body["next"]).params["limit"] == "100"

    def test_default_limit_is_20(self, users_url, get_page):
        """No limit serves 20 items."""
        assert len(get_page(users_url)["results"]) == 20

    def test_offset_past_the_end_is_an_empty_page(self, users_url, get_page):
        """An offset past the end answers 200, no results, the same count."""
        count = get_page(users_url)["count"]
        body = get_page(users_url, {"offset": count + 50})
        assert (body["count"], body["results"], body["next"]) == (count, [], None)
        assert httpx.URL(body["previous"]).params["offset"] == str(count + 30)

    @pytest.mark.parametrize(
        ("params", "named"),
        [
            ({"limit": "abc"}, "limit: 'abc'"),
            ({"limit": "0"}, "limit: 0"),
            ({"limit": "-3"}, "limit: -3"),
            ({"limit": "1.5"}, "limit: '1.5'"),
            ({"offset": "-1"}, "offset: -1"),
            ({"offset": "x"}, "offset: 'x'"),
        ],
    )
    def test_invalid_limit_or_offset_is_400(self, users_url, get_error, params, named):
        """Non-integers, limit < 1 and offset < 0 are 400s naming the parameter and value."""
        response = get_error(users_url, params)
        assert response.status_code == 400 and response.json()["detail"].startswith(named)


class TestAuthErrors:
    """401, then 404, then 403; each with a one-line JSON detail."""

    @pytest.mark.parametrize(
        "headers",
        [
            {},
            {"Authorization": "Bearer"},
            {"Authorization": "Token creator-token"},
            {"Authorization": "Bearer a b"},
            {"Authorization": "Bearer nobody-token"},
        ],
    )
    def test_missing_malformed_or_unknown_token_is_401(self, users_url, get_error, headers):
        """Every unusable Authorization header is a 401 with WWW-Authenticate: Bearer."""
        response = get_error(users_url, token=None, headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"

    def test_401_comes_before_404(self, mock_server, get_error):
        """A bad token on a missing course is still 401."""
        response = get_error(mock_server.url("course/999999/users/"), token="nobody")
        assert response.status_code == 401

    def test_unknown_course_is_404(self, mock_server, get_error):
        """Course 999999 does not exist."""
        response = get_error(mock_server.url("course/999999/users/"))
        assert response.status_code == 404 and "999999" in response.json()["detail"]

    def test_404_comes_before_403(self, mock_server, get_error):
        """A token without rights on a missing course gets 404, not 403."""
        response = get_error(mock_server.url("course/999999/users/"), token="outsider-token")
        assert response.status_code == 404

    @pytest.mark.parametrize("token", ["member-token", "outsider-token"])
    def test_non_manager_is_403(self, users_url, get_error, token):
        """A plain member and a user outside the course are forbidden."""
        assert get_error(users_url, token=token).status_code == 403

    def test_manager_may_list(self, users_url, get_page):
        """A manager of the course gets the list."""
        assert get_page(users_url, token="manager-token")["count"] > 0

    def test_creator_of_other_course_only_sees_own(self, mock_server, get_page, oracle):
        """The creator lists course 3, which has only the creator (not in the default filter)."""
        body = get_page(mock_server.url("course/3/users/"), {"statuses": "creator"})
        assert [i["id"] for i in body["results"]] == oracle.ids(3, ["creator"])

    def test_non_numeric_course_id_is_400(self, mock_server, get_error):
        """The path id must be digits."""
        response = get_error(mock_server.url("course/abc/users/"))
        assert response.status_code == 400 and response.json()["detail"].startswith("id:")

    def test_unknown_path_is_404_json(self, mock_server, get_error):
        """A URL the mock does not serve is a JSON 404 pointing at the endpoint."""
        assert get_error(mock_server.url("courses/")).status_code == 404

    def test_other_method_is_405_json(self, http, users_url):
        """POST is not allowed, with a JSON detail."""
        response = http.post(users_url, headers={"Authorization": "Bearer creator-token"})
        assert response.status_code == 405 and "detail" in response.json()


class TestDeveloperComforts:
    """CORS, Prefer scenarios, Swagger UI and the spec."""

    def test_cors_preflight_allows_authorization_from_localhost(self, http, users_url):
        """A preflight from a local dev server may send Authorization."""
        response = http.options(
            users_url,
            headers={
                "Origin": "http://localhost:5173",
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "authorization",
            },
        )
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == "http://localhost:5173"
        assert "authorization" in response.headers["access-control-allow-headers"].lower()

    def test_cors_headers_on_errors_too(self, http, users_url):
        """A 401 seen from a local origin carries CORS headers so the UI can read it."""
        response = http.get(users_url, headers={"Origin": "http://127.0.0.1:3000"})
        assert response.status_code == 401
        assert response.headers["access-control-allow-origin"] == "http://127.0.0.1:3000"

    def test_foreign_origin_gets_no_cors(self, http, users_url):
        """Origins other than localhost are not allowed."""
        response = http.get(users_url, headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in response.headers

    @pytest.mark.parametrize("code", [401, 403, 404, 429, 500, 503])
    def test_prefer_code_returns_the_documented_example(self, http, users_url, code):
        """Prefer: code=N answers N with the spec's example body, whatever the token."""
        response = http.get(users_url, headers={"Prefer": f"code={code}"})
        assert response.status_code == code
        assert set(response.json()) == {"detail"}
        if code == 401:
            assert response.headers["www-authenticate"] == "Bearer"

    def test_prefer_code_200_serves_the_real_answer(self, users_url, get_page, oracle):
        """Prefer: code=200 is the computed page, not the spec's example."""
        body = get_page(users_url, {"limit": 3}, headers={"Prefer": "code=200"})
        assert [item["id"] for item in body["results"]] == oracle.ids(1)[:3]

    def test_prefer_undocumented_code_is_400(self, users_url, get_error):
        """Prefer: code=418 names the documented codes instead."""
        response = get_error(users_url, headers={"Prefer": "code=418"})
        assert response.status_code == 400 and "418" in response.json()["detail"]

    def test_prefer_delay_waits(self, http, users_url, get_page):
        """Prefer: delay=400 makes the answer take at least 400 ms."""
        response = http.get(
            users_url, headers={"Prefer": "delay=400", "Authorization": "Bearer creator-token"}
        )
        assert response.status_code == 200
        assert response.elapsed.total_seconds() >= 0.4

    def test_prefer_code_and_delay_combine(self, http, users_url):
        """Prefer: code=503, delay=300 waits then answers 503."""
        response = http.get(users_url, headers={"Prefer": "code=503, delay=300"})
        assert response.status_code == 503 and response.elapsed.total_seconds() >= 0.3

    def test_swagger_ui_and_spec_are_served(self, http, mock_server):
        """The UI page and the bundled spec answer under /api/v2/."""
        ui = http.get(mock_server.url("ui/"))
        assert ui.status_code == 200 and "swagger-ui" in ui.text
        assert http.get(mock_server.url("ui/swagger-ui-bundle.js")).status_code == 200
        spec = http.get(mock_server.url("openapi.json")).json()
        assert (
            spec["paths"]["/course/{id}/users/"]["get"]["operationId"] == "getCourseDashboardUsers"
        )
