"""Settings: option > environment variable > default, and bad values fail by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from course_users.conformance import Settings, SettingsError
from course_users.conformance.settings import DEFAULT_MAX_EXAMPLES

REQUIRED = {"base_url": "http://127.0.0.1:8000", "token": "t", "course_id": "1"}


class TestPrecedence:
    def test_option_beats_environment(self):
        """A command-line value wins over the environment variable."""
        settings = Settings.from_sources({**REQUIRED, "seed": "7"}, {"CONFORMANCE_SEED": "9"})
        assert settings.seed == 7

    def test_environment_beats_default(self):
        """An environment variable wins over the default."""
        settings = Settings.from_sources(REQUIRED, {"CONFORMANCE_MAX_EXAMPLES": "3"})
        assert settings.max_examples == 3

    def test_default_applies_when_neither_is_given(self):
        """Without option or variable the documented default is used."""
        settings = Settings.from_sources(REQUIRED, {})
        assert settings.max_examples == DEFAULT_MAX_EXAMPLES
        assert settings.seed is None
        assert settings.forbidden_token is None

    def test_every_setting_reads_its_variable(self):
        """All ten settings can come from CONFORMANCE_* variables alone."""
        environ = {
            "CONFORMANCE_BASE_URL": "https://staging.example.com",
            "CONFORMANCE_TOKEN": "tok",
            "CONFORMANCE_COURSE_ID": "12",
            "CONFORMANCE_FORBIDDEN_TOKEN": "other",
            "CONFORMANCE_MISSING_COURSE_ID": "999",
            "CONFORMANCE_MAX_EXAMPLES": "5",
            "CONFORMANCE_SEED": "0",
            "CONFORMANCE_JUNIT_XML": "out/report.xml",
            "CONFORMANCE_REPORT_JSON": "out/report.json",
            "CONFORMANCE_PROFILE": "docs",
        }
        settings = Settings.from_sources({}, environ)
        assert settings == Settings(
            base_url="https://staging.example.com",
            token="tok",
            course_id="12",
            forbidden_token="other",
            missing_course_id="999",
            max_examples=5,
            seed=0,
            junit_xml=Path("out/report.xml"),
            report_json=Path("out/report.json"),
            profile="docs",
        )

    def test_profile_defaults_to_contract_and_option_beats_variable(self):
        """Without a profile every check runs; --profile beats CONFORMANCE_PROFILE."""
        assert Settings.from_sources(REQUIRED, {}).profile == "contract"
        chosen = Settings.from_sources(
            {**REQUIRED, "profile": "contract"}, {"CONFORMANCE_PROFILE": "docs"}
        )
        assert chosen.profile == "contract"

    def test_empty_variable_counts_as_unset(self):
        """`CONFORMANCE_SEED=` (empty, common in CI files) falls back to the default."""
        assert Settings.from_sources(REQUIRED, {"CONFORMANCE_SEED": ""}).seed is None


class TestBadValues:
    def test_missing_required_setting_names_option_and_variable(self):
        """A missing base URL names both ways to give it."""
        with pytest.raises(SettingsError, match=r"--base-url.*CONFORMANCE_BASE_URL"):
            Settings.from_sources({"token": "t", "course_id": "1"}, {})

    def test_bad_variable_value_names_the_variable(self):
        """A bad value from the environment names the variable and the value."""
        with pytest.raises(SettingsError) as caught:
            Settings.from_sources(REQUIRED, {"CONFORMANCE_MAX_EXAMPLES": "many"})
        assert str(caught.value) == "CONFORMANCE_MAX_EXAMPLES: 'many' is not a positive integer"

    def test_bad_option_value_names_the_option(self):
        """A bad value from the command line names the option."""
        with pytest.raises(SettingsError, match=r"^--seed: 'x' is not an integer$"):
            Settings.from_sources({**REQUIRED, "seed": "x"}, {})

    @pytest.mark.parametrize("value", ["0", "-3"])
    def test_max_examples_must_be_positive(self, value):
        """Zero or negative example budgets are refused."""
        with pytest.raises(SettingsError, match="--max-examples"):
            Settings.from_sources({**REQUIRED, "max_examples": value}, {})

    @pytest.mark.parametrize("value", ["ftp://x", "127.0.0.1:8000", "http://", "http://h/?a=1"])
    def test_base_url_must_be_an_http_url(self, value):
        """Only http(s) URLs with a host and no query are accepted as base URL."""
        with pytest.raises(SettingsError, match="--base-url"):
            Settings.from_sources({**REQUIRED, "base_url": value}, {})

    @pytest.mark.parametrize("field", ["course_id", "missing_course_id"])
    def test_course_ids_are_digits(self, field):
        """Course ids must be digits, as the path parameter's pattern says."""
        with pytest.raises(SettingsError, match=field.replace("_", "-")):
            Settings.from_sources({**REQUIRED, field: "abc"}, {})

    def test_token_without_whitespace(self):
        """A token with spaces cannot be a bearer token."""
        with pytest.raises(SettingsError, match="--token"):
            Settings.from_sources({**REQUIRED, "token": "two words"}, {})

    def test_bad_token_is_not_echoed(self):
        """A token that cannot be one is named by its variable, its value left out."""
        with pytest.raises(SettingsError) as caught:
            Settings.from_sources(REQUIRED, {"CONFORMANCE_FORBIDDEN_TOKEN": "s3cret value"})
        assert str(caught.value).startswith("CONFORMANCE_FORBIDDEN_TOKEN: (value not shown) ")
        assert "s3cret" not in str(caught.value)

    def test_unknown_profile_names_the_choices(self):
        """A profile other than docs or contract fails by name, listing both."""
        with pytest.raises(
            SettingsError,
            match=r"^CONFORMANCE_PROFILE: 'strict' is not a profile; use one of docs, contract$",
        ):
            Settings.from_sources(REQUIRED, {"CONFORMANCE_PROFILE": "strict"})

    def test_direct_construction_is_validated_too(self):
        """Library users building Settings directly get the same checks."""
        with pytest.raises(SettingsError, match="course_id"):
            Settings(base_url="http://h", token="t", course_id="x")
