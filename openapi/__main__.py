"""Command line: ``python -m openapi {generate,check-docs,decisions,bundle,docs}``.

Exit codes, the tools' shared table: 0 success; 1 drift (the docs no longer match the spec or a
decision, or a regenerated spec differs under ``--check``); 2 cannot run (an unparseable page
with its ``file:line``, a broken decisions file, a missing docs directory) or bad usage. Errors
are one line, ``openapi: error: <message>``. Each option can also be set as
``OPENAPI_<COMMAND>_<OPTION>`` (``OPENAPI_BUNDLE_OUT``); the docs directory as
``$COURSE_USERS_DOCS_DIR``, which the other tools read too.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from course_users.openapi.bundle import SPEC_PATH, write_bundle
from course_users.openapi.commandline import (
    EXIT_FAILED,
    EXIT_OK,
    Option,
    Options,
    Parser,
    path,
    run,
    text,
    yes_no,
)
from course_users.openapi.decisions import DECISIONS_PATH, load_decisions, markdown_table
from course_users.openapi.locations import DOCS_ENV, docs_dir

TOOL = "openapi"
_DOCS_HELP = "vendor docs directory (default: ../shared/docs)"
_DECISIONS = Option("decisions", path, default=DECISIONS_PATH)
_SPEC = Option("spec", path, "root spec file", default=SPEC_PATH)

COMMANDS: dict[str, tuple[str, Options]] = {
    "generate": (
        "regenerate the spec from docs + decisions",
        Options(
            "OPENAPI_GENERATE_",
            Option("docs", text, _DOCS_HELP, env=DOCS_ENV),
            Option("out", path, "spec file to write", default=SPEC_PATH),
            _DECISIONS,
            Option("check", yes_no, "write nothing; exit 1 if the spec would change", switch=True),
        ),
    ),
    "check-docs": (
        "report differences between docs and spec",
        Options(
            "OPENAPI_CHECK_DOCS_",
            Option("docs", text, _DOCS_HELP, positional=True, env=DOCS_ENV),
            Option("spec", path, "spec file to check", default=SPEC_PATH),
            _DECISIONS,
        ),
    ),
    "decisions": (
        "print the decisions as a Markdown table",
        Options("OPENAPI_DECISIONS_", _DECISIONS),
    ),
    "bundle": (
        "write the resolved single-document spec",
        Options(
            "OPENAPI_BUNDLE_",
            Option("out", path, "output file (.json or .yaml)", required=True),
            _SPEC,
        ),
    ),
    "docs": (
        "write a self-contained HTML reference page",
        Options(
            "OPENAPI_DOCS_",
            Option(
                "out", path, "HTML file to write (renders offline)", required=True, positional=True
            ),
            _SPEC,
        ),
    ),
}


def _build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        TOOL,
        prog="python -m openapi",
        description="The OpenAPI contract of GET /api/v2/course/{id}/users/.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name, (help_text, options) in COMMANDS.items():
        options.add_to(commands.add_parser(name, help=help_text))
    return parser


def _generate(args: dict[str, Any]) -> int:
    from course_users.openapi.generate import generate_text, write_spec

    source, out = docs_dir(args["docs"]), args["out"]
    if args["check"]:
        current = out.read_text(encoding="utf-8") if out.exists() else ""
        if generate_text(source, args["decisions"]) != current:
            print(f"{out} is out of date: run python -m openapi generate")
            return EXIT_FAILED
        print(f"{out} is up to date with {source}")
        return EXIT_OK
    changed = write_spec(source, out, args["decisions"])
    print(f"{'wrote' if changed else 'unchanged'} {out}")
    return EXIT_OK


def _check_docs(args: dict[str, Any]) -> int:
    from course_users.openapi.drift import check_docs

    differences = check_docs(docs_dir(args["docs"]), args["spec"], args["decisions"])
    for difference in differences:
        print(difference)
    drift = [d for d in differences if d.decision is None]
    declared = len(differences) - len(drift)
    print(f"{declared} declared difference(s), {len(drift)} undeclared (drift)")
    return EXIT_FAILED if drift else EXIT_OK


def _decisions(args: dict[str, Any]) -> int:
    print(markdown_table(load_decisions(args["decisions"])), end="")
    return EXIT_OK


def _bundle(args: dict[str, Any]) -> int:
    print(f"wrote {write_bundle(args['out'], args['spec'])}")
    return EXIT_OK


def _docs(args: dict[str, Any]) -> int:
    from course_users.openapi.reference_page import write_page

    print(f"wrote {write_page(args['out'], args['spec'])}")
    return EXIT_OK


_RUN = {
    "generate": _generate,
    "check-docs": _check_docs,
    "decisions": _decisions,
    "bundle": _bundle,
    "docs": _docs,
}


def _main(argv: Sequence[str] | None) -> int:
    given = vars(_build_parser().parse_args(argv))
    _, options = COMMANDS[given["command"]]
    return _RUN[given["command"]](options.resolve(given, os.environ))


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code; a ContractError or bad option is one line."""
    return run(TOOL, _main, argv)


if __name__ == "__main__":
    sys.exit(main())
