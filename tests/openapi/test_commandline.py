"""The tools' one option engine: precedence, casting, secrets, repeats and the error line."""

from __future__ import annotations

import io

import pytest

from course_users.openapi.commandline import (
    EXIT_CANNOT_RUN,
    InvalidValue,
    Option,
    OptionError,
    Options,
    Parser,
    each,
    error_line,
    fail,
    integer,
    one_of,
)

OPTIONS = Options(
    "TOOL_",
    Option("port", integer(0, 65535), "port", default=8000),
    Option("token", str, "a credential", secret=True, required=True),
    Option("verbose", lambda raw: raw == "true", "more output", switch=True),
    Option("section", each(one_of(("a", "b"))), "sections", repeat=True),
    Option("docs", str, "shared variable", env="SHARED_DOCS"),
)
TOKEN = {"token": "t"}


class TestPrecedence:
    """Command line > environment variable > default, option by option."""

    def test_default_when_neither_is_given(self):
        """Without option or variable the option's default applies."""
        assert OPTIONS.resolve(TOKEN, {})["port"] == 8000

    def test_environment_beats_default(self):
        """TOOL_PORT beats the default."""
        assert OPTIONS.resolve(TOKEN, {"TOOL_PORT": "9"})["port"] == 9

    def test_command_line_beats_environment(self):
        """--port beats TOOL_PORT."""
        assert OPTIONS.resolve({**TOKEN, "port": "7"}, {"TOOL_PORT": "9"})["port"] == 7

    def test_empty_variable_is_unset(self):
        """`TOOL_PORT=` falls back to the default."""
        assert OPTIONS.resolve(TOKEN, {"TOOL_PORT": " "})["port"] == 8000

    def test_explicit_variable_name(self):
        """An option shared by tools reads its own variable, not the prefix's."""
        assert OPTIONS.resolve(TOKEN, {"SHARED_DOCS": "d", "TOOL_DOCS": "x"})["docs"] == "d"


class TestBadValues:
    """A bad value names where it came from, and never repeats a secret."""

    def test_bad_variable_names_the_variable(self):
        """The message starts with the variable and quotes the value."""
        with pytest.raises(OptionError, match=r"^TOOL_PORT: 'x' is not an integer$"):
            OPTIONS.resolve(TOKEN, {"TOOL_PORT": "x"})

    def test_bad_option_names_the_flag(self):
        """The message starts with the flag."""
        with pytest.raises(OptionError, match=r"^--port: '70000' must be between 0 and 65535$"):
            OPTIONS.resolve({**TOKEN, "port": "70000"}, {})

    def test_secret_is_not_echoed(self):
        """A bad credential's value is left out of the message."""
        secret = Options("T_", Option("token", _refuse, secret=True))
        with pytest.raises(OptionError) as raised:
            secret.resolve({"token": "hunter2"}, {})
        assert "hunter2" not in str(raised.value) and "(value not shown)" in str(raised.value)

    def test_missing_required_names_both_ways(self):
        """A required option names its flag and its variable."""
        expected = r"^--token: missing; pass --token or set TOOL_TOKEN$"
        with pytest.raises(OptionError, match=expected):
            OPTIONS.resolve({}, {})

    def test_list_item_is_quoted_alone(self):
        """In a comma-separated list, the bad item is the one quoted."""
        with pytest.raises(OptionError, match=r"^TOOL_SECTION: 'c' is not one of a, b$"):
            OPTIONS.resolve(TOKEN, {"TOOL_SECTION": "a,c"})


class TestParser:
    """The argparse side: text values, switches, repeats and one-line usage errors."""

    def parse(self, *argv: str) -> dict[str, object]:
        parser = Parser("tool", prog="tool")
        OPTIONS.add_to(parser)
        return vars(parser.parse_args(argv))

    def test_repeated_option_arrives_comma_joined(self):
        """--section a --section b reaches the caster as TOOL_SECTION would hold it."""
        given = self.parse("--section", "a", "--section", "b")
        assert OPTIONS.resolve({**given, **TOKEN}, {})["section"] == ("a", "b")

    def test_switch_is_a_bare_flag(self):
        """--verbose takes no value and reads as true."""
        assert OPTIONS.resolve({**self.parse("--verbose"), **TOKEN}, {})["verbose"] is True

    def test_usage_error_is_one_line_and_exit_2(self, capsys):
        """An unknown option is `<tool>: error: ...` on one line, exit 2, no usage dump."""
        with pytest.raises(SystemExit) as raised:
            self.parse("--bogus")
        assert raised.value.code == EXIT_CANNOT_RUN
        assert capsys.readouterr().err == "tool: error: unrecognized arguments: --bogus\n"

    def test_help_names_the_variable(self, capsys):
        """Each option's help line says which variable also sets it."""
        with pytest.raises(SystemExit):
            self.parse("--help")
        assert "[env TOOL_PORT]" in capsys.readouterr().out


class TestErrorLine:
    """The one error format."""

    def test_format_and_status(self):
        """`fail` prints `<tool>: error: <message>` and returns the status it was given."""
        stream = io.StringIO()
        assert fail("tool", "it broke", 1, stream) == 1
        assert stream.getvalue() == "tool: error: it broke\n"

    def test_message_stays_on_one_line(self):
        """A message with a newline in it is still one line."""
        assert error_line("tool", "first\nsecond") == "tool: error: first second"


def _refuse(raw: str) -> str:
    raise InvalidValue("is refused")
