"""``python -m openapi check-docs``: exit 0 on the real docs, 1 on drift, 2 on a broken page."""

from __future__ import annotations

import re

import pytest
import yaml

from course_users.openapi import SPEC_PATH

ENDPOINT = "course/get_course_dashboard_users.md"
ITEM = "schemas/course_user_dashboard.md"
COURSE = "schemas/course.md"
ERRORS = "errors/errors.md"
ROLE = "This operation requires the course creator or manager role."


def _row(page: str, start: str) -> str:
    """The whole line of the vendor page starting with ``start`` (plus its newline)."""
    from course_users.openapi.locations import docs_dir

    path = docs_dir() / page
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True) if path.is_file() else []
    return next((line for line in lines if line.startswith(start)), start)


SEARCH_ROW = _row(ENDPOINT, "| search ")
ORDERING_ROW = "| » ordering | last_active_at | Order by last_active_at datetime |"
ITEM_STATUS_ROW = "| join_status | requested |"
COURSE_STATUS_ROW = "| join_status | requested  |"


# (name, {page: [(old, new)]}, the drift line(s) check-docs must print)
ALTERATIONS = [
    (
        "renamed-item-property",
        {ITEM: [("| real_name            |", "| full_name            |")]},
        "DRIFT: schema course_user_dashboard property renamed: real_name -> full_name",
    ),
    (
        "renamed-envelope-property",
        {ENDPOINT: [("| » count    |", "| » total    |")]},
        "DRIFT: response 200 property renamed: count -> total",
    ),
    (
        "removed-item-property",
        {ITEM: [(_row(ITEM, "| user_completion_rate |"), "")]},
        "DRIFT: schema course_user_dashboard property removed: user_completion_rate",
    ),
    (
        "dropped-parameter",
        {ENDPOINT: [(SEARCH_ROW, "")]},
        "DRIFT: parameter removed: search",
    ),
    (
        "added-parameter",
        {
            ENDPOINT: [
                (SEARCH_ROW, "| page | query | integer | false | Page number |\n" + SEARCH_ROW)
            ]
        },
        "DRIFT: parameter added: page",
    ),
    (
        "added-ordering-value",
        {ENDPOINT: [(ORDERING_ROW, ORDERING_ROW + "\n| » ordering | username | By name |")]},
        "DRIFT: parameter ordering: enum value added: username",
    ),
    (
        "added-item-status",
        {ITEM: [(ITEM_STATUS_ROW, "| join_status | banned | Banned |\n" + ITEM_STATUS_ROW)]},
        "DRIFT: schema course_user_dashboard property join_status: enum value added: banned",
    ),
    (
        "added-course-status",
        {COURSE: [(COURSE_STATUS_ROW, "| join_status | banned | Banned |\n" + COURSE_STATUS_ROW)]},
        "DRIFT: parameter statuses: enum value added: banned",
    ),
    (
        "changed-role-sentence",
        {ENDPOINT: [(ROLE, "This operation requires the course creator role.")]},
        f'DRIFT: role text changed: "{ROLE}" -> "This operation requires the course creator role."',
    ),
    (
        "removed-role-box",
        {ENDPOINT: [(f":::info\n\n{ROLE}\n\n:::", "")]},
        f'DRIFT: role text changed: "{ROLE}" -> null',
    ),
    (
        "changed-parameter-type",
        {ENDPOINT: [("| limit    | query | integer ", "| limit    | query | string  ")]},
        'DRIFT: parameter limit: type changed: "integer" -> "string"',
    ),
    (
        "changed-default",
        {ENDPOINT: [("Default to `-joined_at`", "Default to `joined_at`")]},
        [
            'DRIFT: parameter ordering: description changed: "The order of the users. Default to '
            '`-joined_at`" -> "The order of the users. Default to `joined_at`"',
            'DRIFT: parameter ordering: default changed: "-joined_at" -> "joined_at"',
        ],
    ),
    (
        "docs-now-state-limit-default",
        {ENDPOINT: [("Number of results to return per page", "Page size; default: `50`")]},
        [
            'DRIFT: parameter limit: description changed: "Number of results to return per page" '
            '-> "Page size; default: `50`"',
            "DRIFT: parameter limit: default changed: null -> 50",
        ],
    ),
    (
        "changed-property-type",
        {
            ITEM: [
                (
                    "| joined_at            | string(date-time)",
                    "| joined_at            | string(date)     ",
                )
            ]
        },
        "DRIFT: schema course_user_dashboard property joined_at: type changed: "
        '"string(date-time)" -> "string(date)"',
    ),
    (
        "added-error-code",
        {
            ERRORS: [
                (" | 410        | Gone                  |", " | 409 | Conflict |\n | 410 | Gone |")
            ]
        },
        "DRIFT: error code added: 409",
    ),
    (
        "removed-error-code",
        {ERRORS: [(" | 429        | Too Many Requests     |\n", "")]},
        "DRIFT: error code removed: 429",
    ),
    (
        "changed-path",
        {ENDPOINT: [("`GET /api/v2/course/{id}/users/`", "`GET /api/v2/course/{id}/members/`")]},
        'DRIFT: operation changed: "GET /api/v2/course/{id}/users/" -> '
        '"GET /api/v2/course/{id}/members/"',
    ),
]


class TestRealDocs:
    """On the unaltered docs only recorded decisions differ."""

    def test_exit_zero_and_declared_differences_listed(self, run_cli, vendor_docs):
        """Exit 0; each override is printed as declared with its decision id."""
        result = run_cli("check-docs", vendor_docs)
        assert result.code == 0, result.out + result.err
        lines = result.out.splitlines()
        assert not [line for line in lines if line.startswith("DRIFT")]
        assert "declared (ordering-descending): parameter ordering: enum: " in result.out
        assert "declared (error-codes): errors: " in result.out
        assert re.fullmatch(r"\d+ declared difference\(s\), 0 undeclared \(drift\)", lines[-1])

    def test_docs_dir_from_environment(self, run_cli, vendor_docs):
        """Without an argument the docs come from $COURSE_USERS_DOCS_DIR."""
        result = run_cli("check-docs", env={"COURSE_USERS_DOCS_DIR": str(vendor_docs)})
        assert result.code == 0, result.err


class TestAlteredDocs:
    """Each kind of docs change is reported by name on its own line, with exit 1."""

    @pytest.mark.parametrize(
        ("edits", "expected"),
        [(edits, expected) for _, edits, expected in ALTERATIONS],
        ids=[name for name, _, _ in ALTERATIONS],
    )
    def test_alteration_reported(self, run_cli, altered_docs, edits, expected):
        """The alteration gives exactly the expected drift line and exit 1."""
        result = run_cli("check-docs", altered_docs(edits))
        assert result.code == 1, result.out + result.err
        expected = [expected] if isinstance(expected, str) else expected
        drift = [line for line in result.out.splitlines() if line.startswith("DRIFT")]
        assert drift == expected
        assert result.out.splitlines()[-1].endswith(f", {len(expected)} undeclared (drift)")

    def test_several_alterations_each_on_own_line(self, run_cli, altered_docs):
        """Four alterations at once give four drift lines."""
        edits: dict[str, list[tuple[str, str]]] = {}
        for name in (
            "renamed-item-property",
            "dropped-parameter",
            "added-ordering-value",
            "changed-role-sentence",
        ):
            _, page_edits, _ = next(a for a in ALTERATIONS if a[0] == name)
            for page, replacements in page_edits.items():
                edits.setdefault(page, []).extend(replacements)
        result = run_cli("check-docs", altered_docs(edits))
        drift = [line for line in result.out.splitlines() if line.startswith("DRIFT")]
        assert result.code == 1
        assert len(drift) == 4


class TestEditedSpec:
    """A spec edited by hand away from a decision is drift too."""

    def test_spec_contradicting_override_reported(self, run_cli, vendor_docs, tmp_path):
        """Dropping the descending orderings from the spec contradicts ordering-descending."""
        spec = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
        ordering = spec["paths"]["/course/{id}/users/"]["get"]["parameters"][5]
        assert ordering["name"] == "ordering"
        ordering["schema"]["enum"] = ["joined_at", "last_active_at", "-joined_at"]
        edited = tmp_path / "spec.yaml"
        edited.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
        result = run_cli("check-docs", vendor_docs, "--spec", edited)
        assert result.code == 1
        assert "DRIFT: parameter ordering: enum: spec says " in result.out
        assert "but decision ordering-descending says" in result.out


# (name, {page: [(old, new)]}, page, line text expected at the reported line, message part)
UNPARSEABLE = [
    (
        "row-missing-cell",
        {
            ENDPOINT: [
                ("| offset   | query | integer             | false    |", "| offset   | query |")
            ]
        },
        ENDPOINT,
        "| offset   | query |",
        "table row has",
    ),
    (
        "unknown-type",
        {ITEM: [("| id                   | integer ", "| id                   | int32   ")]},
        ITEM,
        "| id                   | int32   ",
        "cannot read type",
    ),
    (
        "required-not-boolean",
        {ENDPOINT: [("| string              | true     |", "| string              | yes      |")]},
        ENDPOINT,
        "| yes      |",
        "Required must be 'true' or 'false'",
    ),
    (
        "unclosed-fence",
        {ENDPOINT: [("</Tabs>\n````", "</Tabs>\n")]},
        ENDPOINT,
        "````mdx-code-block",
        "never closed",
    ),
    (
        "missing-responses-columns",
        {ENDPOINT: [("| Status | Meaning ", "| Code   | Meaning ")]},
        ENDPOINT,
        "| Code   | Meaning ",
        "no 'Status' column",
    ),
]


class TestUnparseablePage:
    """A page that does not parse gives exit 2 and one line with its file and line."""

    @pytest.mark.parametrize(
        ("edits", "page", "line_text", "message"),
        [case[1:] for case in UNPARSEABLE],
        ids=[case[0] for case in UNPARSEABLE],
    )
    def test_exit_two_with_file_and_line(
        self, run_cli, altered_docs, edits, page, line_text, message
    ):
        """stderr is one line ``openapi: error: <file>:<line>: <message>`` at the broken line."""
        docs = altered_docs(edits)
        result = run_cli("check-docs", docs)
        assert result.code == 2, result.out + result.err
        assert "Traceback" not in result.err
        (line,) = result.err.splitlines()
        match = re.match(r"openapi: error: (.+?):(\d+): (.*)$", line)
        assert match, line
        assert match.group(1) == str(docs / page)
        lines = (docs / page).read_text(encoding="utf-8").splitlines()
        assert line_text in lines[int(match.group(2)) - 1]
        assert message in match.group(3)

    def test_missing_docs_directory(self, run_cli, tmp_path):
        """A docs directory that does not exist is exit 2 with its path."""
        result = run_cli("check-docs", tmp_path / "nowhere")
        assert result.code == 2
        assert (
            result.err.strip()
            == f"openapi: error: docs directory not found: {tmp_path / 'nowhere'}"
        )

    def test_missing_page(self, run_cli, altered_docs):
        """A missing page is exit 2 naming it."""
        docs = altered_docs({})
        (docs / ERRORS).unlink()
        result = run_cli("check-docs", docs)
        assert result.code == 2
        assert str(docs / ERRORS) in result.err
