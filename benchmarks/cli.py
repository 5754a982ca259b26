"""``python -m benchmarks``: run the sections, print Markdown tables, write the results JSON.

Sections (in run order):
    compare  the mock (1 and 2 workers), Prism static and dynamic, the Starlette ceiling
    nodelay  uvicorn with 2 workers on asyncio vs uvloop (the TCP_NODELAY trap)
    scale    the mock on 1k / 10k / 100k / 1M-member generated courses
    soak     60 s at 64 connections: errors and memory
    tools    the fixtures and store helpers' timings, and a timed conformance run

A full run writes ``benchmarks/results/latest.json`` and the same tables as ``latest.md``
(both committed with the README's table);
``--quick`` or ``--only`` runs write ``benchmarks/.cache/results/partial.json`` unless ``--out``.
Exit code: 0 when every section ran, 1 when something could not run. Targets never fail a run.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from pathlib import Path

from benchmarks import compare, nodelay, report, scale, soak, targets, tools
from benchmarks.bench import Bench
from benchmarks.errors import BenchmarkError
from benchmarks.loadgen import select_load_generator
from benchmarks.machine import describe_machine
from benchmarks.settings import FULL, QUICK

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / "benchmarks" / ".cache"
LATEST = REPO / "benchmarks" / "results" / "latest.json"
PARTIAL = CACHE / "results" / "partial.json"
SECTIONS = {
    "compare": compare.run,
    "nodelay": nodelay.run,
    "scale": scale.run,
    "soak": soak.run,
    "tools": tools.run,
}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Options; an unknown section is rejected by name at parse time."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Benchmark the mock against Prism and a bare Starlette ceiling.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="short runs and small sizes: a smoke test"
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=list(SECTIONS),
        metavar="SECTION",
        help=f"run only this section (repeatable): {', '.join(SECTIONS)}",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="results JSON path (a .md twin is written beside it); default "
        "benchmarks/results/latest.json, or benchmarks/.cache/results/partial.json "
        "with --quick/--only",
    )
    parser.add_argument(
        "--spec", type=Path, help="spec file for Prism instead of `python -m openapi bundle`"
    )
    parser.add_argument(
        "--loadgen",
        choices=["auto", "wrk", "python"],
        default="auto",
        help="auto: wrk (installed with apt-get if missing and root), else the Python generator",
    )
    return parser.parse_args(argv)


def run_sections(bench: Bench, names: list[str]) -> dict[str, dict]:
    """Run each section; one that cannot run is recorded with its error and the rest go on."""
    results = {}
    for name in names:
        started = time.monotonic()
        try:
            result = SECTIONS[name](bench)
        except BenchmarkError as error:
            result = {"error": str(error)}
        result["section_wall_s"] = round(time.monotonic() - started, 1)
        results[name] = result
    return results


def incomplete(sections: dict[str, dict]) -> list[str]:
    """Names of the sections (or parts of them) that could not run."""
    problems = []
    for name, section in sections.items():
        if "error" in section:
            problems.append(name)
        parts = {**section.get("servers", {}), **section.get("sizes", {}), **section}
        problems += [f"{name}.{key}" for key, v in parts.items() if _failed(v)]
    return problems


def _failed(part: object) -> bool:
    return isinstance(part, dict) and "error" in part


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the tables and where the JSON went."""
    args = parse_args(argv)
    # Stopping the run (tox, Ctrl-C) must still stop the servers: make SIGTERM unwind too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    settings = QUICK if args.quick else FULL
    try:
        loadgen, note = select_load_generator(args.loadgen)
    except BenchmarkError as error:
        print(f"{type(error).__name__}: {error}", file=sys.stderr)
        return 1
    print(f"load generator: {loadgen.name} ({loadgen.version}): {note}", flush=True)
    bench = Bench(settings, loadgen, REPO, CACHE, args.spec, {loadgen.name: loadgen.version})
    names = args.only or list(SECTIONS)
    sections = run_sections(bench, names)
    results = {
        "command": "python -m benchmarks " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": describe_machine(REPO, bench.tool_versions),
        "load_generator": {"name": loadgen.name, "version": loadgen.version, "note": note},
        "settings": settings.as_dict(),
        "sections": sections,
        "targets": targets.evaluate(sections),
    }
    out = args.out or (PARTIAL if args.quick or args.only else LATEST)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    markdown = report.render(results)
    out.with_suffix(".md").write_text(markdown + "\n")
    print("\n" + markdown + "\n")
    print(f"results written to {out} and {out.with_suffix('.md').name}")
    problems = incomplete(sections)
    if problems:
        print(f"could not run: {', '.join(problems)}", file=sys.stderr)
        return 1
    return 0
