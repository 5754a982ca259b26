"""Reading Docusaurus Markdown: blocks, tables with line numbers, the type notation, defaults."""

from __future__ import annotations

import pytest

from course_users.openapi import doctypes
from course_users.openapi.errors import DocsParseError
from course_users.openapi.facts import default_in
from course_users.openapi.markdown import CodeBlock, Heading, Table, parse_page


def _page(tmp_path, text: str):
    path = tmp_path / "page.md"
    path.write_text(text, encoding="utf-8")
    return parse_page(path)


class TestMarkdown:
    """The block splitter."""

    def test_shell_comment_in_fence_is_not_a_heading(self, tmp_path):
        """``# comment`` inside a (nested) code fence stays code."""
        page = _page(tmp_path, "````mdx\n```bash\n# not a heading\n```\n````\n## Real\n")
        assert [type(b) for b in page.blocks] == [CodeBlock, Heading]
        assert page.blocks[1].text == "Real"

    def test_table_rows_keep_line_numbers(self, tmp_path):
        """Each row knows its 1-based line in the file."""
        page = _page(tmp_path, "---\ntitle: T\n---\n\n| A | B |\n|---|---|\n| 1 | 2 |\n")
        (table,) = page.blocks
        assert isinstance(table, Table)
        assert (table.line, table.rows[0].line, table.rows[0].cells) == (5, 7, {"A": "1", "B": "2"})

    def test_indented_rows_and_stray_empty_cell_accepted(self, tmp_path):
        """Leading spaces and an extra empty trailing cell (as in the vendor pages) are harmless."""
        page = _page(tmp_path, "| A | B |\n|---|---|\n | 1 | 2 |   |\n")
        assert page.blocks[0].rows[0].cells == {"A": "1", "B": "2"}

    def test_short_row_is_an_error_at_its_line(self, tmp_path):
        """A row with too few cells names file and line."""
        with pytest.raises(DocsParseError) as error:
            _page(tmp_path, "| A | B |\n|---|---|\n| 1 | 2 |\n| 3 |\n")
        assert (
            str(error.value) == f"{tmp_path / 'page.md'}:4: table row has 1 cells, the header has 2"
        )

    def test_table_without_separator_is_an_error(self, tmp_path):
        """A header line not followed by ``|---|`` is refused."""
        with pytest.raises(DocsParseError, match=":2: table separator"):
            _page(tmp_path, "| A | B |\n| 1 | 2 |\n")

    def test_unclosed_front_matter_is_an_error(self, tmp_path):
        """Front matter must be closed."""
        with pytest.raises(DocsParseError, match=":1: front matter is not closed"):
            _page(tmp_path, "---\ntitle: x\n")

    def test_admonition_text_joined(self, tmp_path):
        """A ``:::info`` box's lines become one sentence."""
        page = _page(tmp_path, ":::info\n\nNeeds the\ncreator role.\n\n:::\n")
        assert page.blocks[0].text == "Needs the creator role."


class TestDocTypes:
    """The docs' type notation."""

    @pytest.mark.parametrize(
        "text",
        [
            "string",
            "string(uri)¦null",
            "list(string)¦string",
            "list([Course User Dashboard](/docs/apireference/v2/schemas/course_user_dashboard))",
            "[status](/docs/apireference/v2/schemas/course#enumerated-values)",
        ],
    )
    def test_round_trip(self, text):
        """Parsing then printing gives the same text."""
        assert str(doctypes.parse_type(text)) == text

    @pytest.mark.parametrize("text", ["int32", "list(string", "string¦", "string extra"])
    def test_rejects_unknown_notation(self, text):
        """Anything outside the grammar is a readable error."""
        with pytest.raises(ValueError, match="cannot read type"):
            doctypes.parse_type(text)

    def test_enum_link_reads_as_string(self):
        """A link to Enumerated Values is a string; its values are compared separately."""
        doctype = doctypes.parse_type("[status](/x#enumerated-values)")
        assert str(doctypes.without_enum_links(doctype)) == "string"
        assert doctypes.enum_link(doctype).label == "status"


class TestDefaults:
    """Defaults stated in description prose."""

    @pytest.mark.parametrize(
        ("description", "default"),
        [
            ('Filter; default: `["manager", "joined"]`', ["manager", "joined"]),
            ("The order. Default to `-joined_at`", "-joined_at"),
            ("Page size; default: `50`", 50),
            ("Number of results to return per page", None),
        ],
    )
    def test_default_in_description(self, description, default):
        """JSON values are decoded, other values kept as text, no default gives None."""
        assert default_in(description) == default
