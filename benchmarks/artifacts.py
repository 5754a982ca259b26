"""What the servers need before they start: the bundled spec, Prism, generated datasets.

Everything goes into ``benchmarks/.cache/`` (ignored by git through the repo's ``.cache/`` rule):
the npm tools (Prism; the contract's linters Spectral and Redocly CLI) are installed there, one
``npm install --prefix`` folder each; generated datasets are kept
under a name that includes the generator's source hash, so they are rebuilt when it changes.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from benchmarks.errors import ToolError
from course_users.conformance.servers import run_command


@dataclass(frozen=True)
class NpmTool:
    """An npm package installed into its own folder of the cache, pinned to a major version."""

    package: str
    major: str
    executable: str | None  # its command in node_modules/.bin, None for a library

    @property
    def spec(self) -> str:
        """What ``npm install`` is given: ``name@major``."""
        return f"{self.package}@{self.major}"


NPM_TOOLS = {
    "prism": NpmTool("@stoplight/prism-cli", "5", "prism"),
    "spectral": NpmTool("@stoplight/spectral-cli", "6", "spectral"),
    "redocly": NpmTool("@redocly/cli", "2", "redocly"),
}


@dataclass(frozen=True)
class Artifacts:
    """Builds (once) and locates the files the servers are started with."""

    repo: Path
    cache: Path

    def bundled_spec(self, override: Path | None = None) -> Path:
        """The resolved single-document spec, written by ``python -m openapi bundle``."""
        if override is not None:
            if not override.is_file():
                raise ToolError(f"--spec {override}: no such file")
            return override
        target = self.cache / "course_users.bundled.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "course_users.openapi", "bundle", "--out", str(target)]
        code, _, output = run_command(command, self.repo, timeout_s=120)
        if code != 0 or not target.is_file():
            raise ToolError(f"`python -m openapi bundle` failed ({code}): {_last_line(output)}")
        return target

    def prism(self) -> tuple[Path, str]:
        """Prism's executable (installed into the cache when missing) and its version."""
        return self.npm_tool("prism")

    def npm_tool(self, name: str) -> tuple[Path, str]:
        """The executable of ``NPM_TOOLS[name]`` (installed when missing) and its version."""
        tool = NPM_TOOLS[name]
        if tool.executable is None:
            raise ToolError(f"{tool.package} is a library: it has no command to run")
        _, version = self.npm_package(name)
        executable = self.cache / name / "node_modules" / ".bin" / tool.executable
        if not executable.exists():
            raise ToolError(f"{tool.package} has no {executable.name} command in {executable}")
        return executable, version

    def npm_package(self, name: str) -> tuple[Path, str]:
        """The folder of ``NPM_TOOLS[name]`` in node_modules (installed when missing), version."""
        tool = NPM_TOOLS[name]
        prefix = self.cache / name
        folder = prefix / "node_modules" / tool.package
        if _npm_version(folder, tool.major) is None:
            self._npm_install(prefix, tool)
        version = _npm_version(folder, tool.major)
        if version is None:
            raise ToolError(f"{tool.package} is not usable after `npm install` into {prefix}")
        return folder, version

    def _npm_install(self, prefix: Path, tool: NpmTool) -> None:
        npm = shutil.which("npm")
        if npm is None:
            raise ToolError(f"npm not found: install Node.js 18+ (with npm) to use {tool.package}")
        prefix.mkdir(parents=True, exist_ok=True)
        command = [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund"]
        command += ["--fetch-retries", "1"]  # a registry that refuses us should fail in seconds
        code, _, output = run_command(
            [*command, tool.spec], self.repo, timeout_s=240, env=_npm_environment()
        )
        if code != 0:
            raise ToolError(f"npm install {tool.spec} failed ({code}): {_last_line(output)}")

    def dataset(self, members: int, seed: int) -> tuple[Path, float | None]:
        """A generated one-course dataset file and its generation time (None: from the cache)."""
        folder = self.cache / "datasets"
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"course-{members}-seed{seed}-{self._generator_hash()}.json"
        if target.is_file():
            return target, None
        partial = target.with_suffix(".partial.json")
        command = [sys.executable, "-m", "course_users.fixtures", "generate", "--courses", "1"]
        command += ["--members", str(members), "--seed", str(seed), "--out", str(partial)]
        code, seconds, output = run_command(command, self.repo, timeout_s=900)
        if code != 0 or not partial.is_file():
            partial.unlink(missing_ok=True)
            raise ToolError(f"`python -m fixtures generate` failed ({code}): {_last_line(output)}")
        partial.rename(target)
        for stale in folder.glob(f"course-{members}-seed*.json"):
            if stale != target:
                stale.unlink()  # built by an older generator: only wastes disk now
        return target, round(seconds, 2)

    def _generator_hash(self) -> str:
        digest = hashlib.sha256()
        for source in sorted((self.repo / "fixtures").glob("*.py")):
            digest.update(source.read_bytes())
        return digest.hexdigest()[:12]


def _npm_environment() -> dict[str, str]:
    """The caller's environment, with Node trusting the system's certificate store too.

    Behind a TLS-inspecting proxy the proxy's root is in the system store (where pip and curl
    find it), not in Node's bundled list; without it npm retries for minutes, then fails.
    """
    options = os.environ.get("NODE_OPTIONS", "")
    if "--use-openssl-ca" not in options:
        options = f"{options} --use-openssl-ca".strip()
    return {**os.environ, "NODE_OPTIONS": options}


def _npm_version(folder: Path, major: str) -> str | None:
    try:
        version = json.loads((folder / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None
    return version if version.startswith(f"{major}.") else None


def _last_line(output: str) -> str:
    lines = [line for line in output.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"
