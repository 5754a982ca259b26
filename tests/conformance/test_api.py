"""The package's public API is small and pinned: the CLI and the tests share it."""

from __future__ import annotations

import course_users.conformance as conformance


class TestPublicApi:
    def test_all_is_pinned(self):
        """Exactly these names are public; changing them is a deliberate API change."""
        assert sorted(conformance.__all__) == [
            "CannotRun",
            "CheckResult",
            "ConformanceError",
            "Failure",
            "PreflightRejected",
            "Report",
            "ServerUnreachable",
            "Settings",
            "SettingsError",
            "Status",
            "all_check_names",
            "run_suite",
        ]

    def test_every_public_name_exists(self):
        """Each name in __all__ is importable from the package."""
        for name in conformance.__all__:
            assert getattr(conformance, name) is not None

    def test_cannot_run_errors_share_one_base(self):
        """The CLI turns every ConformanceError, and only those, into exit 2."""
        for error in (conformance.SettingsError, conformance.ServerUnreachable,
                      conformance.PreflightRejected):  # fmt: skip
            assert issubclass(error, conformance.ConformanceError)
