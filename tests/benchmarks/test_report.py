"""benchmarks.report and benchmarks.targets: the committed results render as committed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import report, targets
from benchmarks.cli import incomplete

REPO = Path(__file__).resolve().parents[2]

RESULTS = REPO / "benchmarks" / "results"


@pytest.fixture(scope="module")
def latest() -> dict:
    """The results JSON of the last full run, committed with its Markdown twin."""
    return json.loads((RESULTS / "latest.json").read_text(encoding="utf-8"))


class TestRender:
    def test_the_committed_run_renders_byte_for_byte(self, latest):
        """latest.md is render(latest.json): the tables in the docs come from the JSON as is."""
        assert report.render(latest) + "\n" == (RESULTS / "latest.md").read_text(encoding="utf-8")

    def test_a_section_that_could_not_run_says_why(self, latest):
        """A failed section is one 'could not run' line under its title, the others still render."""
        run = {**latest, "sections": {"soak": {"error": "wrk failed (1): boom"}}}
        text = report.render(run)
        title = "## Soak: mock, 2 workers, default dataset"
        assert f"{title}\n\ncould not run: wrk failed (1): boom" in text
        assert "## Targets" in text

    def test_a_server_that_could_not_start_keeps_its_row(self, latest):
        """In the compare table a server that did not start is a row with its reason."""
        compare = latest["sections"]["compare"]
        servers = {**compare["servers"], "prism-static": {"error": "npm not found"}}
        table = report.compare_section({**compare, "servers": servers})
        row = next(line for line in table.splitlines() if line.startswith("| prism-static "))
        assert row.rstrip(" |").endswith("could not run: npm not found")


class TestTable:
    def test_columns_are_padded_to_the_widest_cell(self):
        """Every line of a table has the same width, so it reads on a terminal too."""
        text = report.table(["a", "long header"], [[1, "x"], ["wide cell", 2.5]])
        lines = text.splitlines()
        assert lines[0] == "| a         | long header |"
        assert lines[1] == "|-----------|-------------|"
        assert len({len(line) for line in lines}) == 1

    def test_sharing_rows_name_mode_workers_and_a_run_that_failed(self):
        """Each store mode has a 1w, a 2w and a ratio row; a worker count that failed says why."""
        run = {"rss_mib": 300.0, "pss_mib": 200.0, "uss_mib": 190.0, "errors": 0}
        section = {
            "members": 20_000,
            "dataset": "course-20000.json",
            "restart": {"cold": {"first_200_s": 3.0}, "cached": {"error": "did not start"}},
            "memory": {
                "cached": {"1w": run, "2w": {**run, "pss_mib": 250.0}, "rss_ratio_2w_1w": 1.0,
                           "pss_ratio_2w_1w": 1.25},
                "no_cache": {"1w": run, "2w": {"error": "boom"}, "rss_ratio_2w_1w": None,
                             "pss_ratio_2w_1w": None},
            },
        }  # fmt: skip
        lines = report.sharing_section(section).splitlines()
        assert any("cached" in line and "could not run: did not start" in line for line in lines)
        assert any(line.startswith("| cached   | 2w / 1w | 1.00x   | 1.25x ") for line in lines)
        assert any("2w" in line and "could not run: boom" in line for line in lines)


class TestTargets:
    def test_the_committed_verdicts_follow_from_the_sections(self, latest):
        """Judging the committed sections again gives the committed verdicts."""
        assert targets.evaluate(latest["sections"]) == latest["targets"]

    def test_nothing_measured_is_not_measured_not_failed(self):
        """With no section run, every target is NOT MEASURED (or '-'), never NOT MET."""
        statuses = {target["status"] for target in targets.evaluate({})}
        assert statuses <= {targets.NOT_MEASURED, "-"}

    def test_a_ratio_below_its_minimum_is_not_met(self):
        """mock / Prism static at 1.2x misses the 1.5x target."""
        ratio = {"value": 1.2, "numerator": "mock-2w", "denominator": "prism-static"}
        compare = {"ratios": {"mock_vs_prism_static": ratio}}
        verdict = targets.evaluate({"compare": compare})[0]
        assert (verdict["status"], verdict["measured"]) == (
            targets.NOT_MET, "1.20x (mock-2w / prism-static)",
        )  # fmt: skip

    def test_issue_15s_per_core_targets_judge_one_quiet_worker_against_quiet_prism(self):
        """1 worker at 1.8x Prism static misses 2x; 0.3x the ceiling meets 0.25 but not 0.5."""
        ratios = {
            "mock_1w_quiet_vs_prism_static_quiet": {
                "value": 1.8, "numerator": "mock-1w-quiet", "denominator": "prism-static-quiet"},
            "mock_vs_ceiling_1w": {
                "value": 0.3, "numerator": "mock-1w-quiet", "denominator": "ceiling-1w"},
        }  # fmt: skip
        verdicts = {
            v["target"]: v["status"] for v in targets.evaluate({"compare": {"ratios": ratios}})
        }
        assert verdicts["mock 1 worker, quiet >= 2x Prism static, quiet"] == targets.NOT_MET
        assert verdicts["mock/ceiling >= 0.5, 1 worker"] == targets.NOT_MET
        assert verdicts["mock/ceiling >= 0.25, 1 worker"] == targets.MET

    def test_the_million_member_p99_is_judged_at_the_recommended_workers_too(self):
        """Every kind within 25 ms at 2 workers meets the target even if 1 worker misses it."""

        def kinds(p99: float) -> dict:
            return {"page": {"p99_ms": 9.0, "total_errors": 0},
                    "search_fresh": {"p99_ms": p99, "total_errors": 0}}  # fmt: skip

        size = {"kinds": kinds(181.0), "recommended": {"workers": 2, "kinds": kinds(21.5)}}
        judged = targets.evaluate({"scale": {"sizes": {targets.MILLION: size}}})
        at = {
            v["target"].split("connections")[1]: v
            for v in judged
            if "1,000,000 members, 32" in v["target"]
        }
        assert at[""]["status"] == targets.NOT_MET
        (two,) = (v for key, v in at.items() if "2 workers" in key)
        assert (two["status"], two["measured"]) == (
            targets.MET,
            "worst p99 21.5 ms (search_fresh), 0 errors",
        )

    def test_sharing_targets_are_judged_at_a_million_members_only(self):
        """PSS 1.25x and a 3.2 s cached restart at 1M meet both; at 20,000 neither is judged."""

        def sharing(members: int) -> list[dict]:
            section = {
                "members": members,
                "memory": {"cached": {"pss_ratio_2w_1w": 1.25}},
                "restart": {"cached": {"first_200_s": 3.2}},
            }
            return [t for t in targets.evaluate({"sharing": section}) if "restart" in t["target"]
                    or "PSS" in t["target"]]  # fmt: skip

        assert [(t["status"], t["measured"]) for t in sharing(1_000_000)] == [
            (targets.MET, "1.25x"), (targets.MET, "3.2 s"),
        ]  # fmt: skip
        assert {t["status"] for t in sharing(20_000)} == {targets.NOT_MEASURED}


class TestIncomplete:
    def test_the_committed_run_was_complete(self, latest):
        """Every section and server of the committed run ran."""
        assert incomplete(latest["sections"]) == []

    def test_failed_parts_are_named_by_section(self, latest):
        """A failed server or size is named section.part; a failed section by its name."""
        compare = {**latest["sections"]["compare"]}
        compare["servers"] = {**compare["servers"], "mock-1w": {"error": "exited"}}
        sections = {"compare": compare, "soak": {"error": "wrk failed"}}
        assert incomplete(sections) == ["compare.mock-1w", "soak"]
