"""Section ``tools``: the project's own tools timed in the same run.

- ``benchmarks/fixtures_bench.py`` (the fixtures helper's: generation, load + validate timings)
- ``benchmarks/store_bench.py`` (the mock helper's: store/index timings)
- a full conformance run (``python -m conformance``) against the mock on the default dataset

Each helper is called through its ``main(argv)`` in a child process, so its memory and time are
its own; its output is kept as text, and as JSON when it printed JSON.
"""

from __future__ import annotations

import importlib.util
import json
import sys

from benchmarks import servers
from benchmarks.bench import Bench
from benchmarks.errors import BenchmarkError
from course_users.conformance.servers import run_command

HELPERS = ("fixtures_bench", "store_bench")
CONFORMANCE_TIMEOUT_S = 1200
OUTPUT_KEPT = 4000  # characters of a helper's output kept in the results (its end)


def run(bench: Bench) -> dict[str, object]:
    """Time both helpers and one conformance run."""
    results: dict[str, object] = {}
    for helper in HELPERS:
        print(f"[tools] {helper} ...", flush=True)
        results[helper] = run_helper(bench, helper)
    print("[tools] conformance against the mock ...", flush=True)
    results["conformance"] = time_conformance(bench)
    return results


def helper_argv(bench: Bench) -> list[str]:
    """Arguments for the helpers: ``--quick`` in a quick run, their defaults otherwise."""
    return ["--quick"] if bench.settings.quick else []


def run_helper(bench: Bench, module: str) -> dict[str, object]:
    """Call ``benchmarks.<module>.main(argv)`` in a child process and keep what it reports."""
    if importlib.util.find_spec(f"benchmarks.{module}") is None:
        return {"error": f"benchmarks/{module}.py does not exist yet"}
    argv = helper_argv(bench)
    code = f"import sys; from benchmarks.{module} import main; sys.exit(main(sys.argv[1:]))"
    exit_code, seconds, output = run_command(
        [sys.executable, "-c", code, *argv], bench.repo, timeout_s=1800
    )
    result: dict[str, object] = {
        "argv": argv,
        "exit_code": exit_code,
        "wall_s": round(seconds, 2),
        "output": output.strip()[-OUTPUT_KEPT:],
    }
    parsed = _json_in(output)
    if parsed is not None:
        result["results"] = parsed
    return result


def _json_in(output: str) -> object | None:
    """The helper's JSON: its whole output, or else its last line that parses."""
    for candidate in [output, *reversed(output.strip().splitlines())]:
        try:
            return json.loads(candidate)
        except ValueError:
            continue
    return None


def conformance_command(base_url: str) -> list[str]:
    """The conformance CLI as the README documents it, against ``base_url``."""
    # Imported here: it loads the suite (Schemathesis), which the other sections never need.
    from course_users.conformance.selfcheck import ACCEPTANCE_ARGS

    return [
        sys.executable,
        "-m",
        "course_users.conformance",
        "--base-url",
        base_url,
        *ACCEPTANCE_ARGS,
    ]


def time_conformance(bench: Bench) -> dict[str, object]:
    """Start the mock (1 worker, default dataset) and time one full conformance run against it."""
    config = servers.mock("mock-conformance", workers=1)
    try:
        with bench.serve(config) as server:
            base_url = f"http://127.0.0.1:{server.port}{servers.API_BASE}/"
            command = conformance_command(base_url)
            exit_code, seconds, output = run_command(
                command, bench.repo, timeout_s=CONFORMANCE_TIMEOUT_S
            )
    except BenchmarkError as error:
        return {"error": str(error)}
    tail = output.strip().splitlines()[-15:]
    return {
        "command": " ".join(["python", *command[1:]]),
        "exit_code": exit_code,
        "wall_s": round(seconds, 2),
        "output_tail": tail,
    }
