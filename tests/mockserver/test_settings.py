"""Settings: CLI > environment > default, and each bad value failing by name."""

from __future__ import annotations

import pytest

from course_users.mockserver.api.scenarios import parse_prefer
from course_users.mockserver.errors import BadParameter, SettingsError
from course_users.mockserver.settings import Settings


class TestPrecedence:
    """Where each value comes from."""

    def test_defaults(self):
        """With nothing given, the documented defaults apply."""
        settings = Settings.load({}, {})
        assert (settings.host, settings.port, settings.max_limit) == ("127.0.0.1", 8000, 100)

    def test_environment_overrides_default(self):
        """MOCKSERVER_PORT beats the default."""
        assert Settings.load({}, {"MOCKSERVER_PORT": "9001"}).port == 9001

    def test_cli_overrides_environment(self):
        """--port beats MOCKSERVER_PORT."""
        assert Settings.load({"port": "9002"}, {"MOCKSERVER_PORT": "9001"}).port == 9002

    def test_round_trip_through_environment(self):
        """to_environ() rebuilds the same settings in a worker process."""
        settings = Settings.load({"latency": "5-10", "proxy_headers": "true", "max_limit": "7"}, {})
        assert Settings.load({}, settings.to_environ()) == settings


class TestBadValues:
    """A bad value fails naming the option or variable and the value."""

    @pytest.mark.parametrize(
        ("options", "named"),
        [
            ({"port": "abc"}, "--port: 'abc'"),
            ({"port": "70000"}, "--port: '70000'"),
            ({"max_limit": "0"}, "--max-limit: '0'"),
            ({"latency": "fast"}, "--latency: 'fast'"),
            ({"latency": "9-3"}, "--latency: '9-3'"),
            ({"error_rate": "1.5"}, "--error-rate: '1.5'"),
            ({"log_level": "loud"}, "--log-level: 'loud'"),
            ({"fixtures": "/nonexistent.yaml"}, "--fixtures: '/nonexistent.yaml'"),
            ({"workers": "0"}, "--workers: '0'"),
        ],
    )
    def test_cli_value(self, options, named):
        """Each bad CLI value raises a SettingsError starting with its option name."""
        with pytest.raises(SettingsError) as raised:
            Settings.load(options, {})
        assert str(raised.value).startswith(named)

    def test_environment_value_names_the_variable(self):
        """A bad environment value names MOCKSERVER_<NAME>."""
        with pytest.raises(SettingsError, match=r"^MOCKSERVER_ERROR_RATE: 'lots'"):
            Settings.load({}, {"MOCKSERVER_ERROR_RATE": "lots"})

    def test_members_and_fixtures_conflict(self, tmp_path):
        """--members and --fixtures cannot both be given."""
        path = tmp_path / "f.yaml"
        path.write_text("{}")
        with pytest.raises(SettingsError, match="--members"):
            Settings.load({"members": "10", "fixtures": str(path)}, {})


class TestPrefer:
    """The Prefer header grammar."""

    def test_code_and_delay(self):
        """code and delay combine, separated by a comma."""
        preference = parse_prefer("code=404, delay=250")
        assert (preference.code, preference.delay_ms) == (404, 250)

    @pytest.mark.parametrize("header", ["code=abc", "delay=-1", "delay=999999"])
    def test_bad_values_are_400s(self, header):
        """A non-numeric code or out-of-range delay is a BadParameter naming Prefer."""
        with pytest.raises(BadParameter, match=r"^Prefer:"):
            parse_prefer(header)
