"""The built wheel is the whole project: an installed copy works outside the clone.

The wheel is built once with pip (as `pip install .` would) and unpacked into a folder that is put
on PYTHONPATH of processes started in an empty directory, so the clone's own packages (and the
editable install pointing at them) are never what gets imported.
"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from course_users.conformance.selfcheck import ACCEPTANCE_ARGS
from tests.conftest import REPO, MockServer

PACKAGES = ("openapi", "mockserver", "conformance", "fixtures")
# The four folders install under one namespace, so that no top-level name of another
# distribution (`fixtures`, `openapi`) is overwritten.
NAMESPACE = "course_users"
CONSOLE_SCRIPTS = {
    "course-users-mock": "mockserver",
    "course-users-conformance": "conformance",
    "course-users-fixtures": "fixtures",
    "course-users-spec": "openapi",
}


def _source_files() -> set[str]:
    """Every file of the four packages in the clone, as paths relative to the repo root."""
    found = set()
    for package in PACKAGES:
        for path in (REPO / package).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                found.add(f"{NAMESPACE}/{path.relative_to(REPO).as_posix()}")
    return found


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, built by pip from a copy of the clone's files.

    A copy, because setuptools reuses the tree's `build/lib`: files left there by an earlier build
    (an old layout's packages) would ship in the wheel and hide what the project builds today.
    """
    source = tmp_path_factory.mktemp("source")
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO, capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, listed):
        if (REPO / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), "."]
    result = subprocess.run(command, cwd=source, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    (built,) = out.glob("*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel unpacked as a site directory (what `pip install` would lay down)."""
    site = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    return site


@pytest.fixture(scope="module")
def elsewhere(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty working directory outside the clone."""
    return tmp_path_factory.mktemp("elsewhere")


@pytest.fixture(scope="module")
def run_installed(installed: Path, elsewhere: Path) -> Callable[..., subprocess.CompletedProcess]:
    """Run `python <args>` from the empty directory with only the installed copy importable."""
    environment = {**os.environ, "PYTHONPATH": str(installed)}

    def run(*args: str | Path) -> subprocess.CompletedProcess:
        command = [sys.executable, *map(str, args)]
        return subprocess.run(
            command, cwd=elsewhere, env=environment, capture_output=True, text=True, timeout=120
        )

    return run


def test_the_wheel_carries_every_module_and_data_file_of_the_packages(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        shipped = set(archive.namelist())
    missing = sorted(_source_files() - shipped)
    assert not missing, f"not in {wheel.name}: {missing}"


def test_the_wheel_installs_one_top_level_name_of_its_own(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        tops = {name.split("/")[0] for name in archive.namelist()}
    assert {top for top in tops if not top.endswith(".dist-info")} == {NAMESPACE}


def test_the_wheel_declares_the_four_console_scripts(installed: Path) -> None:
    (entry_points,) = installed.glob("*.dist-info/entry_points.txt")
    parser = configparser.ConfigParser()
    parser.read(entry_points)
    scripts = dict(parser["console_scripts"])
    assert scripts == {
        name: f"{NAMESPACE}.{package}.__main__:main" for name, package in CONSOLE_SCRIPTS.items()
    }


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_runs_from_the_installed_copy(run_installed, installed, package) -> None:
    where = run_installed(
        "-c",
        f"import {NAMESPACE}.{package}.__main__ as m; assert callable(m.main); print(m.__file__)",
    )
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(installed)
    helped = run_installed("-m", f"{NAMESPACE}.{package}", "--help")
    assert helped.returncode == 0, helped.stderr
    assert "usage:" in helped.stdout


def test_the_installed_spec_and_default_fixtures_are_the_clone_s(run_installed, installed) -> None:
    checked = run_installed(
        "-m",
        "course_users.fixtures",
        "validate",
        installed / NAMESPACE / "fixtures" / "default.yaml",
    )
    assert checked.returncode == 0, checked.stderr
    shipped_spec = (installed / NAMESPACE / "openapi" / "course_users.yaml").read_bytes()
    assert shipped_spec == (REPO / "openapi" / "course_users.yaml").read_bytes()


def test_the_installed_mock_serves_and_passes_the_installed_conformance_suite(
    start_mock: Callable[..., MockServer], run_installed, installed, elsewhere
) -> None:
    server = start_mock(env={"PYTHONPATH": str(installed)}, cwd=elsewhere)
    assert str(installed / NAMESPACE / "fixtures" / "default.yaml") in server.log()
    page = httpx.get(
        server.url("course/1/users/?limit=5"), headers=server.auth("manager-token"), timeout=10
    )
    assert page.status_code == 200
    assert len(page.json()["results"]) == 5
    suite = run_installed(
        "-m", "course_users.conformance", "--base-url", server.base_url, *ACCEPTANCE_ARGS
    )
    assert suite.returncode == 0, suite.stdout[-2000:] + suite.stderr[-2000:]
