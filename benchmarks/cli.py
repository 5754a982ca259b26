"""``python -m benchmarks``: run the sections, print Markdown tables, write the results JSON.

Sections (in run order):
    compare  the mock (1 and 2 workers), Prism static and dynamic, the Starlette ceiling
    nodelay  uvicorn with 2 workers on asyncio vs uvloop (the TCP_NODELAY trap)
    scale    the mock on 1k / 10k / 100k / 1M-member generated courses
    sharing  1 vs 2 workers' memory on 1M members; restart cold vs from the startup cache
    soak     60 s at 64 connections: errors and memory
    tools    the fixtures and store helpers' timings, and a timed conformance run

A full run writes ``benchmarks/results/latest.json`` and the same tables as ``latest.md``
(both committed with the README's table);
``--quick`` or ``--only`` runs write ``benchmarks/.cache/results/partial.json`` unless ``--out``.
Each option can also be set as ``BENCHMARKS_<OPTION>`` (the tools' shared engine). Exit code, the
tools' shared table: 0 when every section ran; 2 when something could not run (a section, or wrk is
missing and nothing is measured) or an option is wrong, said in one line
``benchmarks: error: <reason>``. Targets never fail a run.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path

from benchmarks import compare, nodelay, report, scale, sharing, soak, targets, tools
from benchmarks.bench import Bench
from benchmarks.errors import BenchmarkError
from benchmarks.loadgen import LOADGEN_CHOICES, select_load_generator
from benchmarks.machine import describe_machine
from benchmarks.settings import FULL, QUICK
from course_users.openapi.commandline import (
    EXIT_CANNOT_RUN,
    EXIT_OK,
    CommandLineError,
    Option,
    Options,
    Parser,
    each,
    fail,
    one_of,
    path,
    yes_no,
)

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / "benchmarks" / ".cache"
LATEST = REPO / "benchmarks" / "results" / "latest.json"
PARTIAL = CACHE / "results" / "partial.json"
SECTIONS = {
    "compare": compare.run,
    "nodelay": nodelay.run,
    "scale": scale.run,
    "sharing": sharing.run,
    "soak": soak.run,
    "tools": tools.run,
}


TOOL = "benchmarks"
OPTIONS = Options(
    "BENCHMARKS_",
    Option("quick", yes_no, "short runs and small sizes: a smoke test", switch=True, default=False),
    Option(
        "only",
        each(one_of(tuple(SECTIONS))),
        f"run only this section (repeatable): {', '.join(SECTIONS)}",
        "SECTION",
        repeat=True,
    ),
    Option(
        "out",
        path,
        "results JSON path (a .md twin is written beside it); default "
        "benchmarks/results/latest.json, or benchmarks/.cache/results/partial.json "
        "with --quick/--only",
    ),
    Option("spec", path, "spec file for Prism instead of `python -m openapi bundle`"),
    Option(
        "loadgen",
        one_of(LOADGEN_CHOICES),
        "wrk, the one load generator (auto means wrk too); `make bench` installs it",
        default="auto",
    ),
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Options, then BENCHMARKS_* variables, then defaults; an unknown section fails by name."""
    parser = Parser(
        TOOL,
        prog="python -m benchmarks",
        description="Benchmark the mock against Prism and a bare Starlette ceiling.",
    )
    OPTIONS.add_to(parser)
    return argparse.Namespace(**OPTIONS.resolve(vars(parser.parse_args(argv)), os.environ))


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
    try:
        args = parse_args(argv)
    except CommandLineError as error:
        return fail(TOOL, error, error.exit_code)
    # Stopping the run (tox, Ctrl-C) must still stop the servers: make SIGTERM unwind too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    settings = QUICK if args.quick else FULL
    try:
        loadgen, note = select_load_generator(args.loadgen)
    except BenchmarkError as error:
        return fail(TOOL, error, EXIT_CANNOT_RUN)  # wrk is missing: nothing can be measured
    print(f"load generator: {loadgen.name} ({loadgen.version}): {note}", flush=True)
    bench = Bench(settings, loadgen, REPO, CACHE, args.spec, {loadgen.name: loadgen.version})
    names = list(args.only or SECTIONS)
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
        return fail(TOOL, f"could not run: {', '.join(problems)}", EXIT_CANNOT_RUN)
    return EXIT_OK
