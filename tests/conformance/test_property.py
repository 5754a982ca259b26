"""The property runner: shrinking to the smallest failure, counting cases, seeding."""

from __future__ import annotations

from hypothesis import strategies as st

from course_users.conformance import Settings, Status
from course_users.conformance.checks.base import Context, Mismatch, property_check
from course_users.conformance.client import ApiClient, Exchange


def context(seed=1, max_examples=50) -> Context:
    settings = Settings(
        base_url="http://127.0.0.1:9",
        token="t",
        course_id="1",
        seed=seed,
        max_examples=max_examples,
    )
    return Context(settings, ApiClient(settings.base_url, settings.token))


def fails_from_ten(value: int) -> None:
    if value >= 10:
        exchange = Exchange("GET", f"http://h/?limit={value}", {}, 200)
        raise Mismatch("a value below 10", str(value), exchange)


class TestPropertyCheck:
    def test_reports_the_shrunk_example(self):
        """The failure reported is the smallest failing example, 10."""
        result = property_check(context(), "t.x", st.integers(0, 10**6), fails_from_ten)
        assert result.status is Status.FAIL
        assert result.failure.got == "10"
        assert result.failure.curls()[0].endswith("'http://h/?limit=10'")

    def test_passing_property_counts_its_cases(self):
        """A passing property reports how many examples it tried, up to max_examples."""
        result = property_check(context(max_examples=20), "t.x", st.integers(0, 9), fails_from_ten)
        assert result.status is Status.PASS
        assert 1 <= result.cases <= 20

    def test_explicit_examples_run_first(self):
        """An explicit example that fails is reported even if generation would miss it."""
        result = property_check(
            context(max_examples=5), "t.x", st.integers(0, 9), fails_from_ten, explicit=[11]
        )
        assert result.status is Status.FAIL

    def test_same_seed_same_examples(self):
        """Two runs with one seed draw the same examples."""
        runs = []
        for _ in range(2):
            seen: list[int] = []
            property_check(context(seed=7), "t.x", st.integers(0, 10**9), seen.append)
            runs.append(seen)
        assert runs[0] == runs[1]

    def test_flaky_failure_is_still_reported(self):
        """A failure that does not reproduce on replay is still reported, not raised."""
        calls = {"n": 0}

        def flaky(value: int) -> None:
            calls["n"] += 1
            if calls["n"] == 3:
                raise Mismatch("stable answers", "a one-off failure")

        result = property_check(context(), "t.x", st.integers(), flaky)
        assert result.status is Status.FAIL
        assert result.failure.got == "a one-off failure"
