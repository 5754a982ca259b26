"""The served spec keeps its named components, so code generators give the types their names.

`openapi-typescript` (npm) reads `/api/v2/openapi.json` from a real mock, and a small strict client
using `components["schemas"]["PaginatedCourseUserDashboardList"]` type-checks with `tsc --strict`.
The npm tools are installed on first use into `.npm-tools/codegen/` (ignored by git), as the
benchmarks install Prism: `npm install --prefix`, one fetch retry, Node trusting the system's CA.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from benchmarks.artifacts import _npm_environment
from course_users.conformance.servers import run_command
from course_users.openapi import load_spec
from course_users.openapi.locations import REPO_ROOT

PREFIX = REPO_ROOT / ".npm-tools" / "codegen"
PACKAGES = ("openapi-typescript@7", "typescript@5")
# Waits for a loaded 2-core machine and a slow registry, not performance bounds.
INSTALL_TIMEOUT_S = 300
TOOL_TIMEOUT_S = 180

CLIENT = """\
import type { components } from "./course-users";

type Page = components["schemas"]["PaginatedCourseUserDashboardList"];
type Member = components["schemas"]["CourseUserDashboard"];

export async function firstPage(base: string, token: string): Promise<Member[]> {
  const response = await fetch(`${base}course/1/users/?limit=5`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  const page: Page = await response.json();
  const total: number = page.count;
  const next: string | null = page.next;
  return total > 0 && next !== undefined ? page.results : [];
}
"""

TSCONFIG = {
    "compilerOptions": {
        "strict": True,
        "noEmit": True,
        "target": "ES2022",
        "module": "ES2022",
        "moduleResolution": "bundler",
        "lib": ["ES2022", "DOM"],
        "skipLibCheck": True,
    },
    "files": ["client.ts"],
}


def npm_installed(prefix: Path, packages: tuple[str, ...], wanted: Path) -> Path:
    """`wanted` (a path under `prefix`), after `npm install`ing `packages` there when missing."""
    if wanted.exists():
        return wanted
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm not found: install Node.js 18+ (with npm) to run this test")
    prefix.mkdir(parents=True, exist_ok=True)
    command = [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund"]
    command += ["--fetch-retries", "1", *packages]
    code, _, output = run_command(command, REPO_ROOT, INSTALL_TIMEOUT_S, env=_npm_environment())
    if code != 0 or not wanted.exists():
        last = (output.strip().splitlines() or ["(no output)"])[-1]
        pytest.fail(f"npm install {' '.join(packages)} failed ({code}): {last}", pytrace=False)
    return wanted


def _tool(name: str) -> Path:
    """An npm tool's executable from PREFIX, installing the packages on first use."""
    return npm_installed(PREFIX, PACKAGES, PREFIX / "node_modules" / ".bin" / name)


def _run(command: list[str], cwd: Path) -> str:
    """Run a tool, failing the test with its output when it exits non-zero."""
    code, _, output = run_command(command, cwd, TOOL_TIMEOUT_S, env=_npm_environment())
    assert code == 0, f"{command[0]} exited {code}:\n{output}"
    return output


@pytest.fixture(scope="module")
def generated(mock_server, tmp_path_factory) -> Path:
    """The TypeScript types openapi-typescript writes from the served spec URL."""
    folder = tmp_path_factory.mktemp("codegen")
    out = folder / "course-users.ts"
    _run(
        [str(_tool("openapi-typescript")), mock_server.url("openapi.json"), "-o", str(out)], folder
    )
    return out


class TestServedSpec:
    """`openapi.json` keeps components and `$ref`s; `openapi.bundled.json` is the resolved one."""

    def test_served_spec_refers_to_named_schemas(self, http, mock_server):
        """The 200 body is a `$ref` to PaginatedCourseUserDashboardList, which refers to items."""
        spec = http.get(mock_server.url("openapi.json")).json()
        content = spec["paths"]["/course/{id}/users/"]["get"]["responses"]["200"]["content"]
        assert content["application/json"]["schema"] == {
            "$ref": "#/components/schemas/PaginatedCourseUserDashboardList"
        }
        assert "CourseUserDashboard" in spec["components"]["schemas"]

    def test_bundled_spec_is_the_resolved_contract(self, http, mock_server):
        """`openapi.bundled.json` is `load_spec()`, with no `$ref` left."""
        response = http.get(mock_server.url("openapi.bundled.json"))
        assert response.headers["content-type"] == "application/json"
        assert response.json() == load_spec()
        assert '"$ref"' not in response.text

    def test_swagger_ui_starts_from_the_plain_list(self, http, mock_server):
        """Swagger UI's spec puts a no-filter example first; the contract's examples all follow."""
        ui = http.get(mock_server.url("ui/")).text
        assert "/api/v2/ui/openapi.json" in ui
        spec = http.get(mock_server.url("ui/openapi.json")).json()
        parameters = {
            p["name"]: p for p in spec["paths"]["/course/{id}/users/"]["get"]["parameters"]
        }
        search = parameters["search"]["examples"]
        assert next(iter(search.values()))["value"] == ""
        assert list(search)[1:] == ["oneTerm", "twoTerms", "phrase"]
        statuses = next(iter(parameters["statuses"]["examples"].values()))["value"]
        assert statuses == parameters["statuses"]["schema"]["default"]


class TestTypeScriptCodegen:
    """openapi-typescript and tsc --strict on the served spec."""

    def test_named_schema_is_generated(self, generated):
        """`CourseUserDashboard` is a named type under components["schemas"]."""
        text = generated.read_text(encoding="utf-8")
        schemas = text[text.index("export interface components") :]
        assert "CourseUserDashboard: {" in schemas
        assert "PaginatedCourseUserDashboardList: {" in schemas

    def test_strict_client_type_checks(self, generated):
        """A client typed with the generated page type passes tsc --strict."""
        folder = generated.parent
        (folder / "client.ts").write_text(CLIENT, encoding="utf-8")
        (folder / "tsconfig.json").write_text(json.dumps(TSCONFIG), encoding="utf-8")
        _run([str(_tool("tsc")), "--strict", "--noEmit", "-p", str(folder)], folder)
