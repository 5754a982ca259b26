"""benchmarks.store_bench: the benchmarks' one percentile, by nearest rank; the request profile."""

from __future__ import annotations

import math
import random

import pytest

from benchmarks.store_bench import app_profile, percentile


def nearest_rank(samples: list[float], percent: float) -> float:
    """The textbook definition: the smallest sample with at least `percent` % at or below it."""
    ordered = sorted(samples)
    return ordered[max(1, math.ceil(percent / 100 * len(ordered))) - 1]


class TestPercentile:
    def test_one_to_a_hundred(self):
        """Of 1..100, the p50 is 50 and the p99 is 99: a measured sample, never interpolated."""
        samples = [float(value) for value in range(100, 0, -1)]
        assert (percentile(samples, 50), percentile(samples, 99)) == (50.0, 99.0)

    def test_even_count_median_is_the_lower_middle(self):
        """Of four samples the p50 is the second, not the mean of the middle two."""
        assert percentile([40.0, 10.0, 30.0, 20.0], 50) == 20.0

    @pytest.mark.parametrize("seed", range(5))
    @pytest.mark.parametrize("percent", [1, 50, 90, 99, 100])
    def test_agrees_with_the_definition(self, seed, percent):
        """On random samples of random sizes it is the nearest-rank percentile."""
        rng = random.Random(seed)
        samples = [rng.uniform(0, 1000) for _ in range(rng.randint(1, 500))]
        assert percentile(samples, percent) == nearest_rank(samples, percent)


class TestAppProfile:
    def test_profiles_the_mock_serving_pages(self):
        """`--app --profile` reports call counts, with every profiled request in the handler."""
        report = app_profile(requests=300, top=200)
        assert "function calls" in report
        handler = next(line for line in report.splitlines() if "get_course_dashboard_users" in line)
        assert handler.split()[0] == "300"  # ncalls: every profiled request reached the handler
