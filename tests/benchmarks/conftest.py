"""Fixtures for the benchmarks' tests: wrk itself, installed the way the project installs tools.

wrk comes from PATH; when missing, the Debian package is installed with apt-get (CI machines are
fresh and we are root there), as tests/examples/postgres.py does for PostgreSQL. Where neither
works, the tests that drive real wrk are skipped with the reason; the parsing tests still run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
INSTALL_TIMEOUT_S = 900  # a deadline for a loaded machine's apt-get, not an expectation
# Waits out another apt-get on a shared machine instead of failing on its lock.
APT_INSTALL = ["apt-get", "install", "-y", "-o", "DPkg::Lock::Timeout=300", "wrk"]


def _install_wrk() -> str | None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for commands in ([APT_INSTALL], [["apt-get", "update"], APT_INSTALL]):
        for command in commands:
            subprocess.run(command, capture_output=True, env=env, timeout=INSTALL_TIMEOUT_S)
        if found := shutil.which("wrk"):
            return found
    return None


@pytest.fixture(scope="session")
def wrk() -> str:
    """The wrk executable: from PATH, else installed with apt-get; skips where neither works."""
    found = shutil.which("wrk")
    if found is None and os.geteuid() == 0 and shutil.which("apt-get"):
        found = _install_wrk()
    if found is None:
        pytest.skip("wrk is not installed and apt-get as root is not available")
    return found


@pytest.fixture
def wrk_output():
    """The text of a real wrk run kept in tests/benchmarks/data (wrk's summary and our line)."""
    return lambda name: (DATA / name).read_text(encoding="utf-8")
