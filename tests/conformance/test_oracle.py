"""The oracle on hand-made servers: a failing listing skips what depends on it, by name."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from course_users.conformance import Settings, Status, run_suite

MEMBER = {
    "id": 1, "username": "a", "real_name": "A", "avatar": None, "join_status": "joined",
    "user_completion_rate": 0, "last_active_at": None, "joined_at": "2023-01-01T00:00:00Z",
}  # fmt: skip


def _app() -> Starlette:
    """Lists one member, but answers 500 whenever a statuses filter is given."""

    async def users(request):
        if "statuses" in request.query_params:
            return JSONResponse({"detail": "A server error occurred."}, 500)
        return JSONResponse({"count": 1, "next": None, "previous": None, "results": [MEMBER]})

    return Starlette(routes=[Route("/api/v2/course/{id}/users/", users)])


class TestOracleUnavailable:
    def test_oracle_check_fails_and_dependent_checks_skip(self, serve_app):
        """A 500 while collecting fails oracle.listing_consistent and skips oracle checks."""
        with serve_app(_app()) as root:
            settings = Settings(
                base_url=root, token="t", course_id="1", seed=1, max_examples=2,
                checks=("oracle", "paging.count_matches_oracle"),
            )  # fmt: skip
            report = run_suite(settings)
        oracle = report.result("oracle.listing_consistent")
        assert oracle.status is Status.FAIL
        assert "HTTP 500" in oracle.failure.got
        assert "statuses=creator" in oracle.failure.curls()[0]
        skipped = report.result("paging.count_matches_oracle")
        assert skipped.status is Status.SKIP
        assert "no oracle" in skipped.reason
        assert report.exit_code == 1


class TestOracleRepr:
    def test_strategies_on_a_big_oracle_print_short(self):
        """Hypothesis prints strategies in failures; one built on the oracle stays short."""
        from hypothesis.vendor.pretty import pretty

        from course_users.conformance.checks import strategies
        from course_users.conformance.oracle import Oracle

        oracle = Oracle(members={i: {**MEMBER, "id": i, "username": f"u{i}"} for i in range(2000)})
        assert len(pretty(strategies.search(oracle))) < 200
        assert repr(oracle) == "Oracle(2000 members, 0 anomalies)"
