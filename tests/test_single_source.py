"""The contract's facts are written once, in `openapi.contract`: no package restates them.

The product packages' code tokens (`tokenize`: strings and numbers, never comments) are searched
for the page cap, the join statuses, the orderings used as values, the default page size where
it is plainly one, the base path and the auth scheme. Docstrings are documentation
and may name them. What else may, file by file and line by line, is in `ALLOWED` with its reason.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from course_users.openapi.contract import CONTRACT

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("openapi", "mockserver", "conformance", "fixtures", "benchmarks")
THE_ONE_MODULE = Path("openapi/contract.py")
# Whole files that are data, not code.
DATA_FILES = {
    Path("fixtures/default.py"): "the hand-written default dataset: its rows are data",
}
# (file, the line's code) -> why a fact-looking token there is not a restated fact.
ALLOWED: dict[tuple[str, str], str] = {
    ("openapi/yamlio.py", "WIDTH = 100"): "the YAML writer's line width",
    ("benchmarks/ceiling.py", 'STATUSES = ("manager", "joined")'): (
        "the ceiling's fixed body is sample data, and the ceiling imports nothing of the project"
    ),
    ("benchmarks/ceiling.py", "PAGE_SIZE = 20"): (
        "the ceiling's fixed body is sample data, and the ceiling imports nothing of the project"
    ),
    (
        "benchmarks/ceiling.py",
        'app = Starlette(routes=[Route("/api/v2/course/{id}/users/", course_users)])',
    ): ("the ceiling imports nothing of the project, so it measures the server stack alone"),
    (
        "benchmarks/ceiling.py",
        '"next": f"http://127.0.0.1:8000/api/v2/course/1/users/?limit={size}&offset={size}",',
    ): ("the ceiling's fixed body is sample data, and the ceiling imports nothing of the project"),
    (
        "openapi/__main__.py",
        'description="The OpenAPI contract of GET /api/v2/course/{id}/users/.",',
    ): ("the tool that builds the spec cannot read its facts from the spec it builds"),
    ("fixtures/generator.py", "return 100"): "user_completion_rate, a percentage",
    ("fixtures/generator.py", "return min(100, int(rng.betavariate(1.1, 1.5) * 101))"): (
        "user_completion_rate, a percentage"
    ),
}

_SIGNED = tuple(o for o in CONTRACT.orderings if o.startswith("-"))
_ORDERING_PARAM = re.compile(
    r"ordering=(" + "|".join(re.escape(o) for o in CONTRACT.orderings) + r")(?![\w-])"
)
# The cap in text: "100", "limit=100", "capped at 100", "(default 100)"; not "offset=100,000".
_CAP = CONTRACT.max_limit
_CAP_IN_TEXT = re.compile(
    rf"^{_CAP}$|(?:limit=|capped at |cap of |at most |pages? of |default ){_CAP}(?![\w]|[.,]\d)"
)
# In the benchmarks numbers are mostly counts and sizes (100 requests, 100 members): there the cap
# is looked for only where it is plainly a page size, as the default page size is everywhere.
COUNTS_PACKAGES = ("benchmarks",)
_CAP_ASSIGNED = re.compile(rf"(?i)\w*(?:limit|page|cap)\w*\s*(?::\s*\w+\s*)?=\s*{_CAP}(?!\w)")
_PAGE = CONTRACT.default_limit
# The default page size, only where it plainly is one: `DEFAULT_LIMIT = 20`, `limit: int = 20`,
# "(default 20)" (20 is too common a number to search for everywhere).
_PAGE_ASSIGNED = re.compile(rf"(?i)\w*(?:limit|page_size)\w*\s*(?::\s*\w+\s*)?=\s*{_PAGE}(?!\w)")
_PAGE_IN_TEXT = re.compile(rf"default {_PAGE}(?![\w]|[.,]\d)")
# The base path as a path segment: "/api/v2", "/api/v2/ui/", "(/api/v2 is added)"; not "/api/v20".
_BASE_PATH = re.compile(re.escape(CONTRACT.base_path) + r"(?![\w.-])")
# Operators that make a number a percentage's (`100 * part / whole`), not a page size.
_PERCENT_MATH = {"*", "/", "//"}
# An f-string's replacement fields: code, whose numbers are not text.
_FIELDS = re.compile(r"\{[^{}]*\}")


@dataclass(frozen=True)
class Finding:
    """One token that restates a fact, at file:line."""

    path: Path
    line: int
    what: str
    code: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}: {self.code}"


def _docstring_lines(source: str) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(getattr(first.value, "value", 0), str):
                lines.update(range(first.lineno, (first.end_lineno or first.lineno) + 1))
    return lines


def _text(token: tokenize.TokenInfo) -> str:
    """A string token's value; an f-string's source text (its literal parts are what we judge)."""
    try:
        value = ast.literal_eval(token.string)
    except (ValueError, SyntaxError):
        return _FIELDS.sub("", token.string)
    return value if isinstance(value, str) else ""


def _judge_string(text: str, after_ordering_keyword: bool) -> str | None:
    if text in CONTRACT.join_statuses:
        return f"the status {text!r}"
    if text in _SIGNED or (after_ordering_keyword and text in CONTRACT.orderings):
        return f"the ordering {text!r}"
    if _ORDERING_PARAM.search(text):
        return "an ordering as a parameter value"
    if _CAP_IN_TEXT.search(text):
        return "the page cap"
    if _PAGE_IN_TEXT.search(text):
        return "the default page size"
    if _BASE_PATH.search(text):
        return "the base path"
    if CONTRACT.is_auth_scheme(text):
        return f"the auth scheme {text!r}"
    return None


def findings(path: Path, root: Path = ROOT) -> Iterator[Finding]:
    """Every restated fact among the code tokens of one file (`path` relative to `root`)."""
    source = (root / path).read_text(encoding="utf-8")
    docstrings = _docstring_lines(source)
    counts = path.parts[0] in COUNTS_PACKAGES
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    for index, token in enumerate(tokens):
        what = None
        if token.type == tokenize.NUMBER and token.string == str(CONTRACT.max_limit):
            around = {tokens[index - 1].string, tokens[index + 1].string}
            plain = not counts or _CAP_ASSIGNED.search(token.line)
            what = "the page cap" if plain and not around & _PERCENT_MATH else None
        elif token.type == tokenize.NUMBER and token.string == str(_PAGE):
            what = "the default page size" if _PAGE_ASSIGNED.search(token.line) else None
        elif token.type == tokenize.STRING and token.start[0] not in docstrings:
            previous = [t.string for t in tokens[max(0, index - 2) : index]]
            what = _judge_string(_text(token), previous == ["ordering", "="])
        code = token.line.strip()
        if what and (str(path), code) not in ALLOWED:
            yield Finding(path, token.start[0], what, code.splitlines()[0])


def product_files() -> list[Path]:
    """The packages' Python files, but the one module and the data files."""
    files = [p.relative_to(ROOT) for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))]
    return [p for p in files if p != THE_ONE_MODULE and p not in DATA_FILES]


class TestFactsWrittenOnce:
    """No product file restates the cap, a status, an ordering or the default page size."""

    def test_no_package_restates_a_fact(self):
        """Every cap, status and ordering in code comes from openapi.contract."""
        found = [str(f) for path in product_files() for f in findings(path)]
        assert not found, "restated outside openapi/contract.py:\n" + "\n".join(found)

    def test_every_allowance_still_matches_a_line(self):
        """An allowance for a line that is gone is removed, so the list cannot hide a new one."""
        stale = [
            f"{path}: {code}"
            for path, code in ALLOWED
            if code not in (ROOT / path).read_text(encoding="utf-8")
        ]
        assert not stale

    @pytest.mark.parametrize(
        ("code", "what"),
        [
            (f"LIMIT = {CONTRACT.max_limit}\n", "the page cap"),
            (f'STATUS = "{CONTRACT.statuses.invited}"\n', "the status"),
            (f'ORDER = "{_SIGNED[0]}"\n', "the ordering"),
            (f'Query(ordering="{CONTRACT.orderings[0]}")\n', "the ordering"),
            (f'URL = "?ordering={CONTRACT.orderings[0]}&x=1"\n', "an ordering as a parameter"),
            (f'WHY = f"pages are capped at {CONTRACT.max_limit}"\n', "the page cap"),
            (f'HELP = "largest page (default {CONTRACT.max_limit})"\n', "the page cap"),
            (f'LINK = query.get("limit") != ["{CONTRACT.max_limit}"]\n', "the page cap"),
            (f"DEFAULT_LIMIT = {CONTRACT.default_limit}\n", "the default page size"),
            (f"def f(limit: int = {CONTRACT.default_limit}): ...\n", "the default page size"),
            (f'WHY = f"no limit (default {CONTRACT.default_limit})"\n', "the default page size"),
            (f'URL = f"http://h:{{port}}{CONTRACT.base_path}/openapi.json"\n', "the base path"),
            (f'HELP = "origin ({CONTRACT.base_path} is added)"\n', "the base path"),
            (f'OK = scheme.lower() == "{CONTRACT.auth_scheme}"\n', "the auth scheme"),
            (f'HEADERS = {{"WWW-Authenticate": "{CONTRACT.challenge}"}}\n', "the auth scheme"),
        ],
    )
    def test_a_restated_fact_is_found(self, tmp_path, code, what):
        """The search finds each kind of restatement, naming file:line."""
        (tmp_path / "x.py").write_text(f'"""Doc."""\n{code}', encoding="utf-8")
        (found,) = findings(Path("x.py"), tmp_path)
        assert str(found).startswith("x.py:2: " + what)

    @pytest.mark.parametrize(
        ("code", "found"),
        [
            (f"PAGE_LIMIT = {CONTRACT.max_limit}\n", True),
            (f'URL = "?limit={CONTRACT.max_limit}"\n', True),
            (f"run(app, {CONTRACT.max_limit})  # requests\n", False),
        ],
        ids=["a page size", "a page size in text", "a count"],
    )
    def test_in_the_benchmarks_only_a_plain_page_size_is_the_cap(self, tmp_path, code, found):
        """In the benchmarks a bare 100 is a count; a limit or page size of 100 is the cap."""
        (tmp_path / "benchmarks").mkdir()
        (tmp_path / "benchmarks" / "x.py").write_text(code, encoding="utf-8")
        assert bool(list(findings(Path("benchmarks/x.py"), tmp_path))) is found

    @pytest.mark.parametrize(
        "code",
        [
            f"# pages are capped at {CONTRACT.max_limit}, limit={CONTRACT.max_limit}\nX = 1\n",
            f'def f():\n    """Capped at {CONTRACT.max_limit}: {CONTRACT.statuses.joined}."""\n',
            'FIELD = "last_active_at"  # a field name, not an ordering value\n',
            'SIZES = "100,000 members", "check_100", "offset=100"\n',
            "PERCENT = 100 * part / whole\n",
            f"TIMEOUT = {CONTRACT.default_limit}\n",
            'TOKEN = "manager-token"\n',
            f'HEADER = "{CONTRACT.challenge} manager-token"\n',
            f'URL = "{CONTRACT.base_path}0/other"\n',
        ],
        ids=[
            *("comment", "docstring", "field", "other numbers", "percent", "timeout"),
            *("other names", "a credential", "a longer path"),
        ],
    )
    def test_comments_docstrings_and_other_words_are_not_findings(self, tmp_path, code):
        """Comments, docstrings, field names and longer words are not restated facts."""
        (tmp_path / "x.py").write_text(code, encoding="utf-8")
        assert list(findings(Path("x.py"), tmp_path)) == []
