"""`python -m conformance.selfcheck` (the make/tox target) starts a mock and checks it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


class TestSelfcheck:
    def test_checks_a_fresh_mock_and_exits_0(self):
        """The self-check starts the mock, passes extra arguments on, and exits 0 on a pass."""
        done = subprocess.run(
            [sys.executable, "-m", "course_users.conformance.selfcheck",
             "--check", "auth", "--seed", "2"],
            cwd=REPO, capture_output=True, text=True, timeout=180,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        assert "PASS  auth.checks_in_order" in done.stdout
        assert "seed 2" in done.stdout

    def test_mock_that_cannot_start_is_a_one_line_error(self, capsys, monkeypatch):
        """A port already taken makes the mock exit; the self-check says so and exits 2."""
        import socket

        from course_users.conformance import selfcheck

        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            monkeypatch.setattr(selfcheck, "free_port", lambda: taken.getsockname()[1])
            assert selfcheck.run(["--check", "auth"]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1
        assert err[0].startswith("conformance.selfcheck: error: the mock exited with")
