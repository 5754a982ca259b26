"""``python -m openapi docs OUT.html``: a reference page that headless Chromium renders offline.

Chromium (Debian's ``chromium``, installed with apt-get when /usr/bin/chromium is missing) opens
a copy of the page from ``file://`` with its proxy set to a closed port, so nothing can be
fetched. A probe script put first in the copy records every request the page attempts (as a
Resource Timing entry, or as a Content-Security-Policy violation when the page's policy blocked
it) and writes the list into the DOM. Chromium's own update and time checks are not the page's
requests and do not count.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from course_users.openapi import load_spec

CHROMIUM = Path("/usr/bin/chromium")
PATH = "/course/{id}/users/"
# The flags headless Chromium needs as root in a container, and no traffic of its own.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--virtual-time-budget=10000",
]


def _chromium() -> Path:
    """/usr/bin/chromium, installed with apt-get first when it is missing."""
    if CHROMIUM.exists():
        return CHROMIUM
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        pytest.fail(f"{CHROMIUM} is missing; install Debian's chromium package", pytrace=False)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in ([apt, "update", "-qq"], [apt, "install", "-y", "-qq", "chromium"]):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
            pytest.fail(f"{' '.join(command[1:3])} failed: {last}", pytrace=False)
    if not CHROMIUM.exists():
        pytest.fail(f"apt-get installed chromium but {CHROMIUM} is missing", pytrace=False)
    return CHROMIUM


# Put before everything else in the page's <head>, so it sees every request the page makes.
PROBE = """<script>
window.probeAttempts = [];
document.addEventListener("securitypolicyviolation", (e) => probeAttempts.push(e.blockedURI));
window.addEventListener("load", () => setTimeout(() => {
  const loads = performance.getEntriesByType("resource").map((entry) => entry.name);
  const out = document.createElement("pre");
  out.id = "probe";
  out.textContent = JSON.stringify(probeAttempts.concat(loads));
  document.body.appendChild(out);
}, 3000));
</script>
"""
_PROBE_OUT = re.compile(r'<pre id="probe">(.*?)</pre>', re.DOTALL)
# A closed port on loopback: any request the page made would fail instead of going out.
NO_NETWORK = ["--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>"]


class VisibleText(HTMLParser):
    """The text and attributes of rendered elements, leaving out script and style contents."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.attributes: list[dict[str, str | None]] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attributes.append({"tag": tag, **dict(attrs)})
        self._hidden += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._hidden -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.text.append(data)


def _parse(text: str) -> VisibleText:
    parser = VisibleText()
    parser.feed(text)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def page(run_cli, tmp_path_factory) -> Path:
    """The reference page, written by the CLI."""
    out = tmp_path_factory.mktemp("docs") / "reference.html"
    result = run_cli("docs", out)
    assert result.code == 0, result.err
    return out


@pytest.fixture(scope="module")
def rendered(page, tmp_path_factory) -> tuple[VisibleText, list[str]]:
    """The DOM Chromium rendered from the page, and the requests the page attempted."""
    chromium = _chromium()
    folder = tmp_path_factory.mktemp("chromium")
    probed = folder / "reference.html"
    probed.write_text(page.read_text(encoding="utf-8").replace("<head>", "<head>" + PROBE, 1))
    command = [str(chromium), *FLAGS, f"--user-data-dir={folder / 'profile'}", *NO_NETWORK]
    done = subprocess.run(
        [*command, "--dump-dom", probed.as_uri()], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    found = _PROBE_OUT.search(done.stdout)
    assert found, "the probe wrote no result: the page did not finish loading"
    return _parse(done.stdout), json.loads(html.unescape(found.group(1)))


class TestReferencePage:
    """The page Swagger UI renders from the inlined assets and spec."""

    def test_operation_is_rendered(self, rendered):
        """The operation's path, summary and operationId are rendered elements, not only JSON."""
        dom, _ = rendered
        operation = load_spec()["paths"][PATH]["get"]
        paths = [a.get("data-path") for a in dom.attributes if "data-path" in a]
        assert PATH in paths
        text = " ".join(dom.text)
        assert operation["summary"] in text
        assert operation["operationId"] in text

    def test_no_network_request(self, rendered):
        """Rendering the page sends no request anywhere: everything it needs is inlined."""
        _, attempted = rendered
        assert attempted == []

    def test_page_loads_nothing_by_reference(self, page):
        """The written page has no src or href attribute at all, so nothing points at a CDN."""
        parsed = _parse(page.read_text(encoding="utf-8"))
        linked = [a for a in parsed.attributes if {"src", "href"} & set(a)]
        assert linked == []


class TestDocsCommand:
    """The ``docs`` subcommand's errors for a bad OUT path."""

    def test_missing_directory_is_one_line(self, run_cli, tmp_path):
        """An OUT path in a directory that does not exist is one line and exit 2."""
        result = run_cli("docs", tmp_path / "absent" / "reference.html")
        assert (result.code, result.out) == (2, "")
        assert result.err.count("\n") == 1
        assert "no such directory" in result.err

    def test_directory_as_out_is_one_line(self, run_cli, tmp_path):
        """A directory given as OUT is one line and exit 2, and nothing is written."""
        result = run_cli("docs", tmp_path)
        assert (result.code, result.out) == (2, "")
        assert result.err.count("\n") == 1
        assert "is a directory" in result.err
        assert list(tmp_path.iterdir()) == []
