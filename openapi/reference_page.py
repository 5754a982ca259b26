"""``python -m openapi docs OUT.html``: the contract as one self-contained reference page.

Swagger UI's assets (the ``swagger-ui-bundle`` package that Connexion's swagger-ui extra already
installs) and the resolved spec are inlined into a single HTML file, so the page renders offline
from ``file://``. Its Content-Security-Policy allows no request at all: nothing is fetched from
a CDN or anywhere else (Swagger UI's validator badge is off, and "Try it out" cannot send).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from course_users.openapi.bundle import SPEC_PATH, load_spec
from course_users.openapi.errors import ContractError

# Inline scripts and styles only; data: images and fonts; no connections, frames or forms.
CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data:; font-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'"
)
# What would end or re-enter a <script> element early if it appeared in inlined code; in
# JavaScript strings and regular expressions (the only places it occurs) \x3C is the same `<`.
_SCRIPT_BREAK = re.compile(r"<(?=!--|/?script)", re.IGNORECASE)
_SOURCE_MAP = re.compile(r"^[/*#@ ]*sourceMappingURL=.*$", re.MULTILINE)

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
<div id="swagger-ui"></div>
<script type="application/json" id="spec">{spec}</script>
<script>{js}</script>
<script>
window.ui = SwaggerUIBundle({{
  spec: JSON.parse(document.getElementById("spec").textContent),
  dom_id: "#swagger-ui",
  validatorUrl: null,
  supportedSubmitMethods: [],
  displayOperationId: true,
  defaultModelsExpandDepth: 1,
  docExpansion: "list",
}});
</script>
</body>
</html>
"""


class ReferencePageError(ContractError):
    """The reference page cannot be written (a bad OUT path) or its assets are missing."""


def swagger_ui_dir() -> Path:
    """The folder of Swagger UI's distribution files shipped by ``swagger-ui-bundle``."""
    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:
        message = "swagger-ui-bundle is not installed: pip install 'connexion[swagger-ui]'"
        raise ReferencePageError(message) from None
    return Path(swagger_ui_path)


def render_page(spec: dict[str, Any], assets: Path | None = None) -> str:
    """The HTML of the reference page for ``spec`` (a resolved OpenAPI document)."""
    assets = assets or swagger_ui_dir()
    try:
        js = (assets / "swagger-ui-bundle.js").read_text(encoding="utf-8")
        css = (assets / "swagger-ui.css").read_text(encoding="utf-8")
    except OSError as exc:
        raise ReferencePageError(f"Swagger UI assets unreadable in {assets}: {exc}") from None
    return PAGE.format(
        csp=CSP,
        title=html.escape(spec.get("info", {}).get("title", "API reference")),
        css=_SOURCE_MAP.sub("", css).replace("</", "<\\/"),
        spec=json.dumps(spec, ensure_ascii=False).replace("<", "\\u003c"),
        js=_SCRIPT_BREAK.sub(r"\\x3C", _SOURCE_MAP.sub("", js)),
    )


def write_page(out: Path, spec_path: Path = SPEC_PATH) -> Path:
    """Write the reference page for the spec at ``spec_path`` to ``out``."""
    if out.is_dir():
        raise ReferencePageError(f"{out}: is a directory; give the HTML file to write")
    if not out.parent.is_dir():
        raise ReferencePageError(f"{out}: no such directory {out.parent}")
    text = render_page(load_spec(spec_path))
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ReferencePageError(f"{out}: cannot write: {exc.strerror}") from None
    return out
