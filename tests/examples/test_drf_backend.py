"""The conformance suite against the DRF example on real PostgreSQL, over real HTTP.

Three groups: the acceptance command on the default dataset (several seeds, every check must
PASS and none SKIP); one deliberate fault at a time, each caught by the check named for it; and
the hand-written search table on a libc and an ICU database.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from course_users.conformance.__main__ import EXIT_FAIL, EXIT_PASS
from course_users.conformance.selfcheck import ACCEPTANCE_ARGS
from course_users.fixtures import JOIN_STATUSES
from tests.examples.drf import REPO, BackendUnavailable, manage
from tests.examples.search_data import SEARCH_COURSE, SEARCH_TOKEN

REPORT_LINE = re.compile(r"^(PASS|FAIL|SKIP)\s+(\S+)", re.MULTILINE)
ALL_STATUSES = json.dumps(list(JOIN_STATUSES), separators=(",", ":"))
SUITE_TIMEOUT_S = 900

# Every fault of examples/drf_backend/faults.py and the one check that must catch it.
FAULTS: dict[str, str] = {
    "ordering-ignored": "ordering.monotonic",
    "ties-by-id-descending": "ordering.ties_by_id_ascending",
    "nulls-in-the-middle": "ordering.nulls_contiguous",
    "default-ordering-ascending": "ordering.default_is_-joined_at",
    "invited-leaks-into-joined": "filtering.statuses_match_oracle",
    "default-statuses-all": "filtering.default_statuses",
    "json-list-ignored": "filtering.statuses_forms_agree",
    "comma-form-accepted": "filtering.comma_form_400",
    "search-username-only": "filtering.search_matches_rule",
    "search-old-split": "filtering.search_matches_rule",
    "next-drops-filters": "paging.walk_visits_each_once",
    "count-excludes-you": "paging.count_matches_oracle",
    "max-limit-not-applied": "paging.limit_capped_100",
    "previous-not-clamped": "paging.previous_leads_back",
    "offset-past-end-shows-last-page": "paging.offset_past_end_empty",
    "stock-limit-offset": "schema.negative_data_rejection",
    "errors-as-field-lists": "auth.error_body_has_detail_no_members",
    "role-checked-before-course": "auth.checks_in_order",
    "any-member-allowed": "auth.forbidden_403",
    "course-get-not-404": "auth.missing_course_404",
    "headers-dropped-on-errors": "auth.www_authenticate",
}
FAULT_SEED = 1


def run_suite(origin: str, *args: str) -> tuple[int, dict[str, str], str]:
    """`python -m conformance` with the acceptance arguments: (exit status, verdicts, output)."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "course_users.conformance",
            "--base-url",
            origin,
            *ACCEPTANCE_ARGS,
            *args,
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=SUITE_TIMEOUT_S,
    )
    output = done.stdout + done.stderr
    verdicts = {name: verdict for verdict, name in REPORT_LINE.findall(done.stdout)}
    return done.returncode, verdicts, output


class TestAcceptance:
    """The README's acceptance command against the DRF example on the default dataset."""

    @pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
    @pytest.mark.timeout(SUITE_TIMEOUT_S)
    def test_every_check_passes(self, drf_origin: str, seed: int) -> None:
        """With each seed the suite exits 0 and every check is PASS, none FAIL or SKIP."""
        status, verdicts, output = run_suite(drf_origin, "--seed", str(seed))
        assert verdicts, f"no report lines in the suite's output:\n{output}"
        not_passed = {name: v for name, v in verdicts.items() if v != "PASS"}
        assert not not_passed, f"checks not passing: {not_passed}\n{output}"
        assert status == EXIT_PASS, output


class TestFaults:
    """Each deliberate fault of the example is caught by the check named for it."""

    def test_every_fault_is_tested(self) -> None:
        """The fault table here names exactly the faults the example defines."""
        done = manage({"DRF_EXAMPLE_FAULT": "no-such-fault"}, "check")
        assert done.returncode != 0
        listed = done.stderr.strip().rsplit("one of: ", 1)[-1].split(", ")
        assert sorted(listed) == sorted(FAULTS), done.stderr

    def test_unknown_fault_is_one_line(self) -> None:
        """An unknown fault name stops manage.py with one line naming the variable, no traceback."""
        done = manage({"DRF_EXAMPLE_FAULT": "no-such-fault"}, "check")
        assert done.returncode == 2
        assert done.stderr.count("\n") == 1, done.stderr
        assert "DRF_EXAMPLE_FAULT='no-such-fault'" in done.stderr

    @pytest.mark.parametrize(("fault", "check"), FAULTS.items(), ids=list(FAULTS))
    def test_fault_fails_its_check(
        self, default_db: dict[str, str], start_backend: Callable[..., Any], fault: str, check: str
    ) -> None:
        """The suite restricted to the fault's check exits 1 with that check FAIL."""
        try:
            with start_backend(default_db, fault) as origin:
                status, verdicts, output = run_suite(
                    origin, "--check", check, "--seed", str(FAULT_SEED)
                )
        except BackendUnavailable as exc:
            pytest.fail(f"DRF example with fault {fault} unavailable: {exc}", pytrace=False)
        assert verdicts.get(check) == "FAIL", output
        assert status == EXIT_FAIL, output


class TestSearchTable:
    """tests/data/search_table.yaml on real PostgreSQL, libc and ICU providers."""

    @pytest.mark.parametrize("provider", ["libc", "icu"])
    def test_search_rows(
        self,
        search_dbs: dict[str, dict[str, str]],
        search_table: dict[str, Any],
        start_backend: Callable[..., Any],
        provider: str,
    ) -> None:
        """Every row's search lists exactly its ids for this provider, or is a 400."""
        try:
            with start_backend(search_dbs[provider]) as origin:
                wrong = table_mismatches(origin, search_table["searches"], provider)
        except BackendUnavailable as exc:
            pytest.fail(f"DRF example unavailable: {exc}", pytrace=False)
        assert not wrong, "\n".join(wrong)


def table_mismatches(origin: str, rows: list[dict[str, Any]], provider: str) -> list[str]:
    """One line per row whose answer differs from its `provider` column (or its 400)."""
    url = f"{origin}/api/v2/course/{SEARCH_COURSE}/users/"
    wrong = []
    with httpx.Client(headers={"Authorization": f"Bearer {SEARCH_TOKEN}"}, timeout=30) as client:
        for row in rows:
            expected = 400 if row.get("status") == 400 else sorted(row[provider])
            got = search_answer(client, url, row["search"])
            if got != expected:
                wrong.append(f"search={row['search']!r}: expected {expected}, got {got}")
    return wrong


def search_answer(client: httpx.Client, url: str, value: str) -> list[int] | int:
    """The sorted ids listed for `search=value` over all five statuses, or the error status."""
    response = client.get(url, params={"statuses": ALL_STATUSES, "search": value, "limit": "100"})
    if response.status_code != 200:
        return response.status_code
    return sorted(member["id"] for member in response.json()["results"])
