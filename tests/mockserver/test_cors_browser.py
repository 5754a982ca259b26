"""A real browser (headless Chromium) calls the mock from a page of another origin (--cors-origin),
and Swagger UI's "Try it out" asks for the plain list.

The page is served by the test on its own 127.0.0.1 port under two `.test` host names that
Chromium maps to 127.0.0.1 (`--host-resolver-rules`): `app.test`, given to the mock with
`--cors-origin`, and `evil.test`, not given. Neither is a local origin, so only `--cors-origin`
can let the first one read the answer. The page `fetch()`es the mock with a bearer token and writes
what it got into the DOM, which Chromium prints with `--dump-dom`.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from course_users.conformance.servers import free_port
from course_users.mockserver.errors import SettingsError
from course_users.mockserver.serving.cors import cors_options, parse_origins
from course_users.mockserver.settings import Settings
from course_users.openapi.locations import REPO_ROOT
from tests.mockserver.test_codegen import npm_installed

CHROMIUM = Path("/usr/bin/chromium")
# Readiness and install waits for a loaded 2-core machine, not performance bounds.
INSTALL_TIMEOUT_S = 900
BROWSER_TIMEOUT_S = 180
PLAYWRIGHT = REPO_ROOT / ".npm-tools" / "browser"

# Opens the operation, presses "Try it out" with only the path id filled in, then "Execute", and
# prints the API request Swagger UI sent and what its search box held.
TRY_IT_OUT = """
const { chromium } = require(process.argv[2]);
(async () => {
  const browser = await chromium.launch(
    {executablePath: process.argv[3], args: JSON.parse(process.argv[4])});
  const page = await browser.newPage();
  const sent = [];
  page.on("request", request => {
    if (request.url().includes("/course/")) sent.push(request.url());
  });
  await page.goto(process.argv[5]);
  await page.click(".opblock-summary");
  await page.click(".try-out__btn");
  await page.locator("tr[data-param-name='id'] input").fill("1");
  await page.click(".execute");
  await page.waitForSelector(".live-responses-table", {timeout: 60000});
  const search = await page.locator("tr[data-param-name='search'] input").inputValue();
  console.log(JSON.stringify({sent, search}));
  await browser.close();
})().catch(error => { console.error("FAIL " + error.message); process.exit(1); });
"""

PAGE = """<!DOCTYPE html>
<html><body><pre id="result">pending</pre>
<script>
fetch("{url}", {{headers: {{Authorization: "Bearer creator-token"}}}})
  .then(response => response.json().then(body =>
    "OK " + response.status + " count=" + body.count + " results=" + body.results.length))
  .catch(error => "ERROR " + error.name + ": " + error.message)
  .then(text => {{ document.getElementById("result").textContent = text; }});
</script></body></html>
"""


def _install_chromium() -> Path:
    """/usr/bin/chromium, installed with apt-get when missing; one failure line if it cannot be."""
    if CHROMIUM.exists():
        return CHROMIUM
    if shutil.which("apt-get") is None:
        pytest.fail("Chromium is missing at /usr/bin/chromium and apt-get is not available")
    steps = (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"])
    for step in steps:
        done = subprocess.run(
            step,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT_S,
            env={"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
        )
        if done.returncode != 0 or (step[1] == "install" and not CHROMIUM.exists()):
            last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            pytest.fail(f"cannot install Chromium (`{' '.join(step)}`): {last[0]}", pytrace=False)
    return CHROMIUM


@pytest.fixture(scope="module")
def chromium() -> Path:
    """The Chromium executable."""
    return _install_chromium()


@pytest.fixture(scope="module")
def page_port() -> Iterator[int]:
    """A port serving the test page: `/?url=<mock URL>` fetches that URL."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = self.path.partition("?url=")[2]
            body = PAGE.format(url=html.escape(url)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def cors_mock(start_mock, page_port):
    """A mock allowing the page's `app.test` origin only."""
    return start_mock("--log-level", "warning", "--cors-origin", f"http://app.test:{page_port}")


FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def browse(chromium: Path, page_url: str, tmp_path: Path) -> str:
    """What the page wrote into #result once its fetch settled (Chromium's --dump-dom)."""
    command = [
        str(chromium),
        "--headless",
        *FLAGS,
        f"--user-data-dir={tmp_path / 'profile'}",
        "--host-resolver-rules=MAP *.test 127.0.0.1",
        # Virtual time runs the page until nothing is pending (the fetch settled), then dumps.
        "--virtual-time-budget=30000",
        "--dump-dom",
        page_url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=BROWSER_TIMEOUT_S)
    found = re.search(r'<pre id="result">(.*?)</pre>', done.stdout, re.S)
    assert found, f"no result in Chromium's DOM (exit {done.returncode}): {done.stderr[-2000:]}"
    return html.unescape(found.group(1))


@pytest.mark.timeout(INSTALL_TIMEOUT_S + 2 * BROWSER_TIMEOUT_S)
class TestBrowser:
    """Chromium enforces CORS on a cross-origin fetch with a bearer token."""

    def test_allowed_origin_reads_the_json(self, chromium, cors_mock, page_port, tmp_path):
        """The --cors-origin page reads the first page of course 1."""
        mock_url = cors_mock.url("course/1/users/?limit=3")
        result = browse(chromium, f"http://app.test:{page_port}/?url={mock_url}", tmp_path)
        assert result.startswith("OK 200 count="), result
        assert result.endswith("results=3"), result

    def test_other_origin_is_refused(self, chromium, cors_mock, page_port, tmp_path):
        """A page from an origin not given to --cors-origin gets a CORS error, not the data."""
        mock_url = cors_mock.url("course/1/users/?limit=3")
        result = browse(chromium, f"http://evil.test:{page_port}/?url={mock_url}", tmp_path)
        assert result == "ERROR TypeError: Failed to fetch", result


@pytest.mark.timeout(INSTALL_TIMEOUT_S + 2 * BROWSER_TIMEOUT_S)
class TestSwaggerUI:
    """Swagger UI driven by playwright-core (npm) in the same Chromium."""

    def test_try_it_out_requests_the_plain_list(self, chromium, mock_server, tmp_path):
        """ "Try it out" then "Execute" sends no search and the default statuses."""
        library = npm_installed(
            PLAYWRIGHT, ("playwright-core@1",), PLAYWRIGHT / "node_modules" / "playwright-core"
        )
        if shutil.which("node") is None:
            pytest.skip("node not found: install Node.js 18+ to drive Swagger UI")
        script = tmp_path / "try_it_out.js"
        script.write_text(TRY_IT_OUT, encoding="utf-8")
        arguments = [str(library), str(chromium), json.dumps(FLAGS), mock_server.url("ui/")]
        done = subprocess.run(
            ["node", str(script), *arguments],
            capture_output=True,
            text=True,
            timeout=BROWSER_TIMEOUT_S,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        result = json.loads(done.stdout.strip().splitlines()[-1])
        assert result["search"] == ""
        [sent] = result["sent"]
        assert sent.startswith(mock_server.url("course/1/users/?")), sent
        assert "search=" not in sent and "statuses=manager&statuses=joined" in sent, sent


class TestOriginSetting:
    """--cors-origin / MOCKSERVER_CORS_ORIGIN values and what Starlette's CORS gets from them."""

    def test_repeated_option_and_environment(self):
        """The option beats the environment; a repeated option arrives comma-joined."""
        environ = {"MOCKSERVER_CORS_ORIGIN": "http://env.test:1"}
        assert Settings.load({}, environ).cors_origin == ("http://env.test:1",)
        options = {"cors_origin": "http://a.test:1,https://*.b.test"}
        assert Settings.load(options, environ).cors_origin == (
            "http://a.test:1",
            "https://*.b.test",
        )

    def test_round_trip_through_environment(self):
        """Worker processes rebuild the same origins from to_environ()."""
        settings = Settings.load({"cors_origin": "http://a.test:1,https://*.b.test"}, {})
        assert Settings.load({}, settings.to_environ()) == settings

    @pytest.mark.parametrize("bad", ["http://a.test/path", "ftp://a.test", "a.test", "http://"])
    def test_bad_origin_fails_by_name(self, bad):
        """A value that is no origin fails naming the option and the value."""
        with pytest.raises(SettingsError, match=re.escape(f"--cors-origin: {bad!r}")):
            Settings.load({"cors_origin": bad}, {})

    def test_pattern_matches_subdomains_only(self):
        """`https://*.example.test` allows its subdomains, not the bare domain or http."""
        regex = re.compile(
            cors_options(parse_origins("https://*.example.test"))["allow_origin_regex"]
        )
        assert regex.fullmatch("https://a.b.example.test")
        assert not regex.fullmatch("https://example.test")
        assert not regex.fullmatch("http://a.example.test")
        assert regex.fullmatch("http://localhost:5173")  # local origins stay allowed

    def test_star_is_any_origin_without_credentials(self):
        """`*` becomes Starlette's allow-all (answered `*`, never with credentials)."""
        assert cors_options(("*",)) == {"allow_origins": ["*"]}
