"""Command line: ``python -m openapi {generate,check-docs,decisions,bundle,docs}``.

Exit codes: 0 success; 1 drift (the docs no longer match the spec or a decision, or a
regenerated spec differs under ``--check``); 2 cannot run (an unparseable page with its
``file:line``, a broken decisions file, a missing docs directory).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from openapi.bundle import SPEC_PATH, write_bundle
from openapi.decisions import DECISIONS_PATH, load_decisions, markdown_table
from openapi.errors import ContractError
from openapi.locations import DOCS_ENV, docs_dir


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m openapi",
        description="The OpenAPI contract of GET /api/v2/course/{id}/users/.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    docs_help = f"vendor docs directory (default: ${DOCS_ENV}, else ../shared/docs)"

    generate = commands.add_parser("generate", help="regenerate the spec from docs + decisions")
    generate.add_argument("--docs", help=docs_help)
    generate.add_argument("--out", type=Path, default=SPEC_PATH, help="spec file to write")
    generate.add_argument("--decisions", type=Path, default=DECISIONS_PATH)
    generate.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if the spec would change"
    )

    check = commands.add_parser("check-docs", help="report differences between docs and spec")
    check.add_argument("docs", nargs="?", help=docs_help)
    check.add_argument("--spec", type=Path, default=SPEC_PATH, help="spec file to check")
    check.add_argument("--decisions", type=Path, default=DECISIONS_PATH)

    listing = commands.add_parser("decisions", help="print the decisions as a Markdown table")
    listing.add_argument("--decisions", type=Path, default=DECISIONS_PATH)

    bundle = commands.add_parser("bundle", help="write the resolved single-document spec")
    bundle.add_argument("--out", required=True, type=Path, help="output file (.json or .yaml)")
    bundle.add_argument("--spec", type=Path, default=SPEC_PATH, help="root spec file")

    page = commands.add_parser("docs", help="write a self-contained HTML reference page")
    page.add_argument("out", type=Path, help="HTML file to write (renders offline)")
    page.add_argument("--spec", type=Path, default=SPEC_PATH, help="root spec file")
    return parser


def _generate(args: argparse.Namespace) -> int:
    from openapi.generate import generate_text, write_spec

    source = docs_dir(args.docs)
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if generate_text(source, args.decisions) != current:
            print(f"{args.out} is out of date: run python -m openapi generate")
            return 1
        print(f"{args.out} is up to date with {source}")
        return 0
    changed = write_spec(source, args.out, args.decisions)
    print(f"{'wrote' if changed else 'unchanged'} {args.out}")
    return 0


def _check_docs(args: argparse.Namespace) -> int:
    from openapi.drift import check_docs

    differences = check_docs(docs_dir(args.docs), args.spec, args.decisions)
    for difference in differences:
        print(difference)
    drift = [d for d in differences if d.decision is None]
    declared = len(differences) - len(drift)
    print(f"{declared} declared difference(s), {len(drift)} undeclared (drift)")
    return 1 if drift else 0


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code."""
    args = _build_parser().parse_args(argv)
    try:
        if args.command == "generate":
            return _generate(args)
        if args.command == "check-docs":
            return _check_docs(args)
        if args.command == "decisions":
            print(markdown_table(load_decisions(args.decisions)), end="")
            return 0
        if args.command == "docs":
            from openapi.reference_page import write_page

            print(f"wrote {write_page(args.out, args.spec)}")
            return 0
        out = write_bundle(args.out, args.spec)
        print(f"wrote {out}")
        return 0
    except ContractError as exc:
        # One line, starting with ``file:line:`` for page errors so editors can jump to it.
        print(exc, file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(main())
