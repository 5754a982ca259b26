"""The suite against the real mock: green when healthy, red on each injected backend bug.

Each test-only fault (`tests.faults`, a proxy in front of the mock) is one realistic bug; the test
asserts that the check named for it fails (other checks may fail too: a paging bug also corrupts
what filtering sees). Fault runs use a
small example budget and only the check's group, to keep the whole module within a few minutes.
"""

from __future__ import annotations

import pytest

from course_users.conformance import Status, run_suite
from tests.faults import FAULTS

# fault -> the check that must catch it
FAULT_CHECKS: dict[str, str] = {
    "ordering-ignored": "ordering.monotonic",
    "ordering-reversed": "ordering.monotonic",
    "wrong-default-statuses": "filtering.default_statuses",
    "json-statuses-ignored": "filtering.statuses_forms_agree",
    "repeated-statuses-last-wins": "filtering.statuses_forms_agree",
    "offset-off-by-one": "paging.walk_visits_each_once",
    "limit-ignored": "paging.page_size_le_limit",
    "count-wrong": "paging.count_matches_oracle",
    "search-case-sensitive": "filtering.search_matches_rule",
    "search-username-only": "filtering.search_matches_rule",
    "search-any-term": "filtering.search_matches_rule",
    "unstable-ties": "ordering.ties_stable_across_pages",
    "nulls-in-middle": "ordering.nulls_contiguous",
    "next-missing": "paging.next_null_exactly_at_end",
    "next-wrong-offset": "paging.walk_visits_each_once",
    "previous-wrong": "paging.previous_leads_back",
    "past-end-404": "paging.offset_past_end_empty",
    "forbidden-not-enforced": "auth.forbidden_403",
    "auth-not-enforced": "auth.missing_token_401",
    "www-authenticate-missing": "auth.www_authenticate",
    "missing-course-500": "auth.missing_course_404",
}


class TestHealthyMock:
    @pytest.mark.parametrize("seed", [1, 2, 3])
    def test_acceptance_run_passes(self, healthy_url, settings_for, seed):
        """The issue's acceptance arguments, default budget: every check passes.

        How long it takes is the benchmarks' business: a wall-clock bound here fails on a busy
        runner, not on a slow suite.
        """
        report = run_suite(settings_for(healthy_url, seed=seed))
        assert report.passed, report.render()
        assert all(result.status is Status.PASS for result in report.results), report.render()

    def test_base_url_with_api_root_works_too(self, healthy_url, settings_for):
        """A base URL already ending in /api/v2/ reaches the same endpoint."""
        report = run_suite(settings_for(healthy_url + "/api/v2/", seed=1, checks=("auth",)))
        assert report.passed, report.render()


class TestFaults:
    def test_every_fault_has_a_check(self):
        """Each fault the proxies can inject is mapped to the check that must catch it."""
        assert set(FAULT_CHECKS) == set(FAULTS)

    @pytest.mark.parametrize(("fault", "check"), sorted(FAULT_CHECKS.items()))
    def test_fault_is_caught_by_its_check(self, fault_urls, settings_for, fault, check):
        """The injected bug fails the check named for it, with a curl to reproduce it."""
        group = check.split(".")[0]
        settings = settings_for(fault_urls[fault], seed=5, max_examples=10, checks=(group,))
        report = run_suite(settings)
        assert check in report.failed_names(), report.render()
        assert report.result(check).failure.curls(), report.render()

    def test_schema_layer_catches_server_errors(self, fault_urls, settings_for):
        """Schemathesis' not_a_server_error sees the 500 a missing course gets."""
        settings = settings_for(
            fault_urls["missing-course-500"], seed=5, max_examples=10, checks=("schema",)
        )
        report = run_suite(settings)
        assert report.failed_names() == ["schema.not_a_server_error"], report.render()
        assert report.result("schema.not_a_server_error").failure.curls()[0].startswith("curl ")
