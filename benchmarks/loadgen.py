"""Load generation: wrk, with a Lua script rotating the query paths. The one load generator.

    generator, note = select_load_generator()          # wrk from PATH, or WrkNotInstalled
    result = generator.run(LoadSpec(port, paths, duration_s=10, connections=32, threads=2))
    result.rps, result.p99_ms, result.total_errors

wrk is required, not installed here: `make bench` installs the Debian package when it is
missing; without it every entry point stops with one line saying how to install it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchmarks.errors import ToolError
from benchmarks.queries import AUTH_HEADER

WRK_MARKER = "BENCH_RESULT "
INSTALL_HINT = "install it: `make bench` does (apt-get install wrk), or your package manager"
# `--loadgen` values; both mean wrk (auto stays for the commands people already have).
LOADGEN_CHOICES = ("auto", "wrk")


class WrkNotInstalled(ToolError):
    """wrk is not on PATH; the message says how to install it."""


@dataclass(frozen=True)
class LoadSpec:
    """What to send: paths rotated round-robin, to 127.0.0.1:port, for a fixed time."""

    port: int
    paths: list[str]
    duration_s: float
    connections: int
    threads: int
    timeout_s: float = 10.0
    host: str = "127.0.0.1"


@dataclass
class LoadResult:
    """What came back: throughput, latency percentiles (ms) and every kind of error."""

    requests: int
    duration_s: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: dict[str, int] = field(default_factory=dict)
    # Filled in by the caller (benchmarks.usage): server / load generator / other CPU, % of a core.
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def total_errors(self) -> int:
        """Non-2xx responses plus socket errors (connect, read, write, timeout)."""
        return sum(self.errors.values())

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form, with the error total."""
        return {**asdict(self), "total_errors": self.total_errors}


LUA_TEMPLATE = """
local paths = {PATHS}
local requests = {}
local counter = 0
local started = 0

function setup(thread)
  thread:set("thread_index", started)
  started = started + 1
end

function init(args)
  wrk.headers["{HEADER}"] = "{VALUE}"
  for i, path in ipairs(paths) do
    requests[i] = wrk.format("GET", path)
  end
  -- Threads start at different places so that they do not send the same path at once.
  counter = ((thread_index or 0) * math.floor(#requests / {THREADS})) % #requests
end

function request()
  counter = counter % #requests + 1
  return requests[counter]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "{MARKER}{\\"requests\\":%d,\\"duration_us\\":%d,\\"p50_us\\":%d,\\"p90_us\\":%d," ..
    "\\"p99_us\\":%d,\\"max_us\\":%d,\\"connect\\":%d,\\"read\\":%d,\\"write\\":%d," ..
    "\\"status\\":%d,\\"timeout\\":%d}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def lua_script(paths: list[str], threads: int = 1) -> str:
    """The wrk script that rotates ``paths`` and prints one JSON result line when done."""
    quoted = ", ".join(json.dumps(path) for path in paths)
    name, value = AUTH_HEADER
    return (
        LUA_TEMPLATE.replace("{PATHS}", "{" + quoted + "}")
        .replace("{HEADER}", name)
        .replace("{VALUE}", value)
        .replace("{MARKER}", WRK_MARKER)
        .replace("{THREADS}", str(max(1, threads)))
    )


class WrkLoadGenerator:
    """wrk 4 driven through a generated Lua script."""

    name = "wrk"

    def __init__(self, executable: str) -> None:
        self.executable = executable
        self.version = wrk_version(executable)

    def run(self, spec: LoadSpec) -> LoadResult:
        """Run wrk once; wrk counts 4xx/5xx as status errors (no server here sends 3xx)."""
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(lua_script(spec.paths, spec.threads))
        try:
            output = self._invoke(spec, Path(script.name))
        finally:
            os.unlink(script.name)
        return parse_wrk_output(output)

    def _invoke(self, spec: LoadSpec, script: Path) -> str:
        command = [
            self.executable,
            f"-t{spec.threads}",
            f"-c{spec.connections}",
            f"-d{max(1, round(spec.duration_s))}s",
            f"--timeout={max(1, round(spec.timeout_s))}s",
            "-s",
            str(script),
            f"http://{spec.host}:{spec.port}",
        ]
        try:
            completed = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=spec.duration_s + spec.timeout_s + 30,
                check=False,
            )
        except subprocess.TimeoutExpired as error:
            raise ToolError(f"wrk did not finish within {error.timeout:.0f} s") from error
        if completed.returncode != 0:
            raise ToolError(f"wrk failed ({completed.returncode}): {_one_line(completed.stderr)}")
        return completed.stdout


def parse_wrk_output(output: str) -> LoadResult:
    """Read the JSON line the Lua ``done`` hook printed."""
    for line in output.splitlines():
        if line.startswith(WRK_MARKER):
            raw = json.loads(line[len(WRK_MARKER) :])
            break
    else:
        raise ToolError(f"wrk printed no result line: {_one_line(output)}")
    duration_s = raw["duration_us"] / 1e6
    return LoadResult(
        requests=raw["requests"],
        duration_s=round(duration_s, 3),
        rps=round(raw["requests"] / duration_s, 1) if duration_s else 0.0,
        p50_ms=raw["p50_us"] / 1000,
        p90_ms=raw["p90_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        max_ms=raw["max_us"] / 1000,
        errors={
            "non_2xx": raw["status"],
            "connect": raw["connect"],
            "read": raw["read"],
            "write": raw["write"],
            "timeout": raw["timeout"],
        },
    )


def _one_line(output: str, limit: int = 300) -> str:
    """The end of a tool's output on one line, for a one-line error."""
    return " | ".join(line.strip() for line in output.strip().splitlines())[-limit:]


def wrk_version(executable: str) -> str:
    """wrk's version line (``wrk -v`` prints it and exits non-zero)."""
    completed = subprocess.run(
        [executable, "-v"], capture_output=True, text=True, timeout=10, check=False
    )
    first = (completed.stdout or completed.stderr).strip().splitlines()
    return first[0].split(" Copyright")[0] if first else "unknown"


def select_load_generator(preference: str = "auto") -> tuple[WrkLoadGenerator, str]:
    """wrk from PATH and a note for the report; WrkNotInstalled when it is missing.

    `preference` is the `--loadgen` value (LOADGEN_CHOICES); anything else is a ToolError.
    """
    if preference not in LOADGEN_CHOICES:
        raise ToolError(f"unknown load generator {preference!r}: wrk is the only one")
    executable = shutil.which("wrk")
    if executable is None:
        raise WrkNotInstalled(f"wrk is not installed; {INSTALL_HINT}")
    return WrkLoadGenerator(executable), f"wrk found at {executable}"
