"""Command line: ``python -m openapi {bundle,generate,check-docs}``."""

from __future__ import annotations

import argparse
import sys

from openapi.bundle import SPEC_PATH, write_bundle


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m openapi", description="The course users API contract."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    bundle = commands.add_parser("bundle", help="write the resolved single-document spec")
    bundle.add_argument("--out", required=True, help="output file (.json or .yaml)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code."""
    args = _build_parser().parse_args(argv)
    if args.command == "bundle":
        out = write_bundle(args.out, SPEC_PATH)
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
