"""The catalogue: one entry per registered check, each basis pointing at a real statement."""

from __future__ import annotations

from pathlib import Path

import pytest

from course_users.conformance import all_check_names, coverage
from course_users.conformance.catalogue import CATALOGUE, DOCS, QUOTES, Entry, in_profile
from course_users.openapi.decisions import load_decisions
from course_users.openapi.locations import DOCS_ENV, docs_dir


def all_refs() -> set[str]:
    return {ref for entry in CATALOGUE.values() for ref in entry.basis}


@pytest.fixture(scope="module")
def vendor_docs() -> Path:
    """The vendor docs directory, or skip: the project holds no copy of the pages."""
    path = docs_dir()
    if not (path / coverage.ENDPOINT).is_file():
        pytest.skip(f"vendor docs not found at {path} (set {DOCS_ENV} to the docs directory)")
    return path


class TestEntries:
    def test_every_registered_check_has_an_entry(self):
        """No check runs without saying what it enforces."""
        assert [name for name in all_check_names() if name not in CATALOGUE] == []

    def test_every_entry_is_a_registered_check(self):
        """No entry describes a check that does not exist (or was renamed)."""
        assert sorted(set(CATALOGUE) - set(all_check_names())) == []

    def test_descriptions_are_one_line_and_bases_not_empty(self):
        """Each entry has a one-line description and at least one basis entry."""
        for entry in CATALOGUE.values():
            assert entry.description and "\n" not in entry.description, entry.name
            assert entry.basis, entry.name
            assert len(set(entry.basis)) == len(entry.basis), entry.name

    def test_basis_uses_the_two_notations(self):
        """Every basis entry is `docs:<page>:<line>` or `decision:<id>`."""
        for ref in all_refs():
            kind, _, rest = ref.partition(":")
            assert kind in ("docs", "decision"), ref
            if kind == "docs":
                page, _, line = rest.rpartition(":")
                assert page.endswith(".md") and line.isdigit() and int(line) >= 1, ref

    def test_every_decision_exists(self):
        """Every `decision:` id is an id in openapi/decisions.yaml."""
        ids = {decision.id for decision in load_decisions().decisions}
        named = {ref.removeprefix("decision:") for ref in all_refs() if ref.startswith("decision:")}
        assert sorted(named - ids) == []

    def test_every_docs_line_has_a_quote(self):
        """Each `docs:` basis entry keeps a quote of its line, so the line can be re-checked."""
        docs_refs = {ref for ref in all_refs() if ref.startswith("docs:")}
        assert sorted(docs_refs - set(QUOTES)) == []


@pytest.mark.docs
class TestDocsLines:
    def test_every_docs_line_exists_and_says_its_quote(self, vendor_docs):
        """Every quoted docs line exists and still contains its quote."""
        wrong = []
        for ref, quote in QUOTES.items():
            page, _, line = ref.removeprefix("docs:").rpartition(":")
            path = vendor_docs / page
            lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
            if int(line) > len(lines) or quote not in lines[int(line) - 1]:
                wrong.append(ref)
        assert wrong == []


class TestProfiles:
    def test_docs_profile_is_the_checks_grounded_in_docs_alone(self):
        """A check is in the docs profile exactly when its basis has no decision."""
        for entry in CATALOGUE.values():
            docs_only = all(ref.startswith("docs:") for ref in entry.basis)
            assert (entry.profile == DOCS) == docs_only, entry.name
            assert in_profile(entry.name, "docs") == docs_only, entry.name
            assert in_profile(entry.name, "contract"), entry.name

    def test_schema_layer_is_never_docs_only(self):
        """The schema layer validates against the spec, which carries the decisions."""
        assert [n for n in CATALOGUE if n.startswith("schema.") and in_profile(n, "docs")] == []

    def test_profile_follows_the_basis(self):
        """One decision in the basis moves an entry out of the docs profile."""
        assert Entry("x.y", "d", ("docs:a.md:1",)).profile == "docs"
        assert Entry("x.y", "d", ("docs:a.md:1", "decision:page-size")).profile == "contract"


@pytest.mark.docs
class TestCoverage:
    def test_committed_table_is_what_the_generator_writes(self, vendor_docs):
        """docs/coverage.md is current: regenerate with `python -m conformance.coverage`."""
        assert coverage.COVERAGE_PATH.read_text(encoding="utf-8") == coverage.render(vendor_docs)

    def test_every_docs_basis_line_is_a_statement_of_the_table(self, vendor_docs):
        """No basis points at a docs line the coverage table does not list."""
        refs = {statement.ref for statement in coverage.statements(vendor_docs)}
        assert sorted(ref for ref in all_refs() if ref not in refs) == []

    def test_notes_name_real_statements_of_their_kind(self, vendor_docs):
        """Every note names a statement that is still what the note says it is."""
        refs = {statement.ref for statement in coverage.statements(vendor_docs)}
        for decision in coverage.NO_SERVER_BEHAVIOUR:
            assert coverage.verdict(f"decision:{decision}")[0] == "none", decision
        for ref, decision in coverage.OVERRIDDEN.items():
            assert ref in refs and f"decision:{decision}" in refs, ref
            assert coverage.verdict(ref)[0] == "overridden", ref
        for ref in coverage.GAP_NOTES:
            assert ref in refs and coverage.verdict(ref)[0] == "gap", ref

    def test_check_command_tells_stale_from_current(self, vendor_docs, capsys):
        """`python -m conformance.coverage --check` exits 0 on the committed table."""
        assert coverage.main(["--check"]) == 0
        assert "is current" in capsys.readouterr().out
