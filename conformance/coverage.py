"""docs/coverage.md: every statement of the contract, and the checks whose basis names it.

    python -m conformance.coverage           # write docs/coverage.md
    python -m conformance.coverage --check   # exit 1 when the committed file is stale

The statements are each decision of openapi/decisions.yaml and each behaviour line of the vendor
pages: the endpoint page's intro, role box and table rows (parameters, enumerated values,
responses, response schema), the member schema page's rows, the `join_status` values of the
course schema page (what `statuses` filters by) and the errors page's codes. A statement no
check names is a gap, unless it states no server behaviour or a decision overrides it.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from course_users.conformance.catalogue import CATALOGUE
from course_users.openapi.commandline import EXIT_CANNOT_RUN, EXIT_FAILED, EXIT_OK, Parser, fail
from course_users.openapi.decisions import load_decisions
from course_users.openapi.locations import REPO_ROOT, docs_dir
from course_users.openapi.markdown import Admonition, Heading, Paragraph, Table, parse_page

COVERAGE_PATH = REPO_ROOT / "docs" / "coverage.md"
ENDPOINT = "course/get_course_dashboard_users.md"
PAGES = (ENDPOINT, "schemas/course_user_dashboard.md", "schemas/course.md", "errors/errors.md")

# Decisions about the spec document itself, or freedoms a server has, which no check may fail.
NO_SERVER_BEHAVIOUR: dict[str, str] = {
    "docs-site": "where the spec's links point",
    "api-info": "the spec's own title and version",
    "api-contact": "the spec's own contact and licence",
    "api-tag": "a grouping for docs viewers",
    "server-url": "where the spec says the API lives; the suite is given the server as --base-url",
    "operation-id": "a name for generated clients",
    "envelope-name": "a schema name for generated clients",
    "response-200-description": "the 200 response's description for readers",
    "page-examples": "examples for Swagger UI and Prism",
    "open-objects": "a freedom: a server may add fields, so no check may fail one that does",
    "username-charset": "a freedom: no character set is enforced on usernames",
    "request-size": "a freedom: a server may refuse longer requests; the schema layer does not "
    "send them and counts them as set aside",
}
# Docs lines the contract deliberately changes: the decision's checks enforce the change.
OVERRIDDEN: dict[str, str] = {
    "docs:schemas/course_user_dashboard.md:38": "join-status-no-null",
    "docs:schemas/course.md:81": "statuses-no-null",
    "docs:errors/errors.md:17": "error-codes",
    "docs:errors/errors.md:19": "error-codes",
}
# Why a gap is still open.
GAP_NOTES: dict[str, str] = {
    f"docs:{ENDPOINT}:7": "who the members are is known only from the server's own listings",
}
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


@dataclass(frozen=True)
class Statement:
    """One statement of behaviour: its basis reference and what it says, in one line."""

    ref: str
    text: str


def statements(docs: Path) -> list[Statement]:
    """Every decision, then every behaviour line of the docs pages, in file order."""
    found = [Statement(f"decision:{d.id}", d.reason) for d in load_decisions().decisions]
    for page in PAGES:
        found += [Statement(f"docs:{page}:{line}", text) for line, text in _page_lines(docs, page)]
    return found


def _page_lines(docs: Path, page: str) -> Iterator[tuple[int, str]]:
    parsed = parse_page(docs / page)
    raw = (docs / page).read_text(encoding="utf-8").splitlines()
    intro = page == ENDPOINT
    for block in parsed.blocks:
        if isinstance(block, Heading):
            intro = False
        elif isinstance(block, Paragraph) and intro:
            yield block.line, block.text
        elif isinstance(block, Admonition) and page == ENDPOINT:
            # The box starts with `:::info`; point at the line that says the sentence.
            line = next(i for i in range(block.line, len(raw)) if raw[i].strip()) + 1
            yield line, block.text
        elif isinstance(block, Table):
            for row in block.rows:
                if page == "schemas/course.md" and row.cells.get("Property") != "join_status":
                    continue  # only the values `statuses` filters by, not the Course's fields
                yield row.line, " · ".join(cell for cell in row.cells.values() if cell)


def checks_naming(ref: str) -> list[str]:
    """The checks whose basis names `ref`, in catalogue order."""
    return [name for name, entry in CATALOGUE.items() if ref in entry.basis]


def verdict(ref: str) -> tuple[str, str]:
    """(kind, text) for the table's last column: checked, no behaviour, overridden or gap."""
    checks = checks_naming(ref)
    if checks:
        return "checked", ", ".join(f"`{name}`" for name in checks)
    decision = ref.removeprefix("decision:")
    if decision in NO_SERVER_BEHAVIOUR:
        return "none", f"no server behaviour: {NO_SERVER_BEHAVIOUR[decision]}"
    if ref in OVERRIDDEN:
        return "overridden", f"overridden by `{OVERRIDDEN[ref]}`"
    note = GAP_NOTES.get(ref)
    return "gap", "**gap**" + (f": {note}" if note else "")


def render(docs: Path) -> str:
    """The whole of docs/coverage.md."""
    found = statements(docs)
    kinds = [verdict(statement.ref)[0] for statement in found]
    lines = [
        "# Coverage: which checks enforce each statement of the contract",
        "",
        "Generated by `python -m conformance.coverage` from openapi/decisions.yaml, the vendor "
        "docs pages and the check catalogue (conformance/catalogue.py); do not edit by hand. A "
        "check names a statement when the statement is in its basis.",
        "",
        f"{len(found)} statements: {kinds.count('checked')} checked, "
        f"{kinds.count('none')} state no server behaviour, "
        f"{kinds.count('overridden')} overridden by a decision, {kinds.count('gap')} gaps.",
    ]
    for title, prefix in (("Decisions", "decision:"), ("Docs lines", "docs:")):
        lines += ["", f"## {title}", "", "| Statement | Says | Checks |", "|---|---|---|"]
        for statement in found:
            if statement.ref.startswith(prefix):
                cells = (f"`{statement.ref}`", _cell(statement.text), verdict(statement.ref)[1])
                lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return _LINK.sub(r"\1", " ".join(text.split())).replace("|", "\\|")


def main(argv: Sequence[str] | None = None) -> int:
    """Write docs/coverage.md, or with --check say whether it is current (exit 1 if not)."""
    parser = Parser("conformance.coverage", prog="python -m conformance.coverage")
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args(argv)
    docs = docs_dir()
    if not (docs / ENDPOINT).is_file():
        return fail("conformance.coverage", f"vendor docs not found at {docs}", EXIT_CANNOT_RUN)
    text = render(docs)
    if args.check:
        current = COVERAGE_PATH.is_file() and COVERAGE_PATH.read_text(encoding="utf-8") == text
        sys.stdout.write(f"{COVERAGE_PATH.name} is {'current' if current else 'stale'}\n")
        return EXIT_OK if current else EXIT_FAILED
    COVERAGE_PATH.parent.mkdir(exist_ok=True)
    COVERAGE_PATH.write_text(text, encoding="utf-8")
    sys.stdout.write(f"wrote {COVERAGE_PATH}\n")
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
