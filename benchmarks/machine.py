"""The machine and software a run measured, so anyone can tell whether figures compare."""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import psutil

PACKAGES = (
    "uvicorn",
    "uvloop",
    "httptools",
    "starlette",
    "connexion",
    "orjson",
    "schemathesis",
    "hypothesis",
    "faker",
    "prance",
    "numpy",
)


def describe_machine(repo: Path, tool_versions: dict[str, str]) -> dict[str, object]:
    """nproc, CPU, memory, OS, Python, package and tool versions, git commit, date (UTC)."""
    return {
        "date_utc": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "nproc": len(os.sched_getaffinity(0)),
        # Other work on the machine skews every figure: record how busy it was.
        "loadavg_1_5_15": [round(value, 2) for value in os.getloadavg()],
        "cpu_model": _cpu_model(),
        "memory_gib": _memory_gib(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "packages": {name: _package_version(name) for name in PACKAGES},
        "tools": {"node": _command_version(["node", "--version"]), **tool_versions},
        "git_commit": _git_commit(repo),
    }


def _cpu_model() -> str:
    # psutil does not name the CPU; /proc/cpuinfo does on Linux.
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    return round(psutil.virtual_memory().total / 2**30, 1)


def _package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _command_version(command: list[str]) -> str:
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return "not available"
    lines = (completed.stdout or completed.stderr).strip().splitlines()
    return lines[0] if lines else "unknown"


def _git_commit(repo: Path) -> str:
    commit = _command_version(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"])
    dirty = subprocess.run(
        ["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    ).stdout.strip()
    return f"{commit} (uncommitted changes)" if dirty else commit
