"""The decisions file: every decision has a one-line reason; a malformed file fails precisely."""

from __future__ import annotations

import pytest
import yaml

from course_users.openapi.decisions import DECISIONS_PATH, load_decisions
from course_users.openapi.errors import DecisionsError
from course_users.openapi.generate import generate_text


def _write(tmp_path, data) -> object:
    path = tmp_path / "decisions.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def real() -> dict:
    """The committed decisions file, parsed."""
    return yaml.safe_load(DECISIONS_PATH.read_text(encoding="utf-8"))


class TestCommittedDecisions:
    """The committed file is complete and reviewed."""

    def test_every_decision_has_id_and_one_line_reason(self):
        """Each entry has a unique id and a non-empty single-line reason."""
        decisions = load_decisions().decisions
        assert len({d.id for d in decisions}) == len(decisions) > 20
        assert all(d.reason and "\n" not in d.reason for d in decisions)

    def test_open_points_from_the_brief_are_decided(self):
        """Defaults, caps, nullability, required fields, error bodies and examples are covered."""
        ids = {d.id for d in load_decisions().decisions}
        assert {
            "page-size",
            "offset-start",
            "ordering-descending",
            "ordering-ties",
            "ordering-nulls",
            "statuses-wire-forms",
            "fields-always-present",
            "envelope-always-complete",
            "last-active-nullable",
            "avatar-url",
            "error-body",
            "error-codes",
            "page-examples",
        } <= ids


class TestMalformedDecisions:
    """Each kind of broken decisions file names the place that is wrong."""

    def test_missing_reason(self, tmp_path, real):
        """A decision without a reason is refused by index and id."""
        del real["decisions"][3]["reason"]
        with pytest.raises(DecisionsError, match=r"decisions\[3\] \(operation-id\): 'reason'"):
            load_decisions(_write(tmp_path, real))

    def test_multi_line_reason(self, tmp_path, real):
        """A reason must be one line."""
        real["decisions"][0]["reason"] = "first line\nsecond line"
        with pytest.raises(DecisionsError, match="one non-empty line"):
            load_decisions(_write(tmp_path, real))

    def test_duplicate_id(self, tmp_path, real):
        """Two decisions with one id are refused."""
        real["decisions"][1]["id"] = real["decisions"][0]["id"]
        with pytest.raises(DecisionsError, match="id is used twice"):
            load_decisions(_write(tmp_path, real))

    def test_unknown_key(self, tmp_path, real):
        """A misspelt key is refused with the allowed ones."""
        real["decisions"][0]["overide"] = {}
        with pytest.raises(DecisionsError, match=r"unknown keys \['overide'\]"):
            load_decisions(_write(tmp_path, real))

    def test_override_without_difference(self, tmp_path, real):
        """An override whose docs and spec values are equal is refused."""
        real["decisions"].append(
            {"id": "noop", "reason": "r", "override": {"role": {"docs": "a", "spec": "a"}}}
        )
        with pytest.raises(DecisionsError, match="nothing to override"):
            load_decisions(_write(tmp_path, real))

    def test_missing_setting(self, tmp_path, real):
        """Removing the decision that sets server_url is refused by name."""
        real["decisions"] = [d for d in real["decisions"] if d["id"] != "server-url"]
        with pytest.raises(DecisionsError, match=r"missing settings \['server_url'\]"):
            load_decisions(_write(tmp_path, real))

    def test_setting_of_wrong_type(self, tmp_path, real):
        """A setting with the wrong type is refused by name."""
        server = next(d for d in real["decisions"] if d["id"] == "server-url")
        server["setting"]["server_url"] = 2
        with pytest.raises(DecisionsError, match="setting server_url: must be a string"):
            load_decisions(_write(tmp_path, real))

    def test_yaml_syntax_error_has_line(self, tmp_path):
        """Invalid YAML is reported with its line."""
        path = tmp_path / "decisions.yaml"
        path.write_text("decisions:\n- id: x\n  reason: [unclosed\n", encoding="utf-8")
        with pytest.raises(DecisionsError, match=r"decisions.yaml: line \d+: not valid YAML"):
            load_decisions(path)

    def test_addition_may_not_replace_docs(self, tmp_path, real, vendor_docs):
        """An add that would change a docs value must be an override instead."""
        real["decisions"].append(
            {"id": "sneaky", "reason": "r", "add": {"parameter limit": {"required": True}}}
        )
        with pytest.raises(DecisionsError, match=r"would replace False .* use an override"):
            generate_text(vendor_docs, _write(tmp_path, real))

    def test_cli_prints_one_line_and_exits_two(self, run_cli, tmp_path, real, vendor_docs):
        """The CLI turns a decisions error into one line on stderr and exit 2."""
        del real["decisions"][0]["reason"]
        path = _write(tmp_path, real)
        result = run_cli("check-docs", vendor_docs, "--decisions", path)
        assert result.code == 2
        assert result.err.startswith("openapi: error: decisions.yaml: decisions[0] (docs-site): ")
        assert len(result.err.splitlines()) == 1


class TestDecisionsTable:
    """``python -m openapi decisions`` prints the README table."""

    def test_table_lists_every_decision(self, run_cli):
        """One row per decision, with its id and reason."""
        result = run_cli("decisions")
        assert result.code == 0
        rows = result.out.splitlines()[2:]
        decisions = load_decisions().decisions
        assert len(rows) == len(decisions)
        for row, decision in zip(rows, decisions, strict=True):
            assert row.startswith(f"| `{decision.id}` | ")
            assert decision.reason.replace("|", "\\|") in row
