"""Swagger UI at /api/v2/ui/ and the spec, in two forms, under /api/v2/.

- `openapi.json`: the contract as written, named components and `$ref`s kept (what code generators
  want: `components.schemas.CourseUserDashboard`, ...).
- `openapi.bundled.json`: the same contract with every `$ref` inlined (`openapi.load_spec()`), for
  tools that want one self-contained document.
- `ui/openapi.json`: what Swagger UI reads, `openapi.json` with one more example put first on each
  query parameter that has examples: no value (or the default), so "Try it out" starts from the
  plain list instead of the contract's first example (`search=rossi`). The contract keeps them all.

A plain Starlette app in front of the Connexion stack: the docs need none of Connexion's per-request
machinery, and keeping Connexion's SwaggerUIMiddleware out of its stack saves every API request a
router pass.
"""

from __future__ import annotations

import copy
from typing import Any

import orjson
import yaml
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

_INDEX = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{title} - Swagger UI</title>
  <link rel="stylesheet" href="{ui}swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{ui}swagger-ui-bundle.js"></script>
  <script src="{ui}swagger-ui-standalone-preset.js"></script>
  <script>
    window.ui = SwaggerUIBundle({{
      url: "{spec_url}",
      dom_id: "#swagger-ui",
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
      layout: "StandaloneLayout",
      persistAuthorization: true
    }});
  </script>
</body>
</html>
"""


NO_EXAMPLE = "noFilter"
SPEC_PATHS = ("openapi.json", "openapi.bundled.json")  # under the base path


def unresolved_spec() -> dict[str, Any]:
    """The contract as written: its one YAML document, `$ref`s and components kept."""
    from course_users.openapi import SPEC_PATH

    return yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))


def ui_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """`spec` with a first, neutral example on each query parameter that has examples."""
    spec = copy.deepcopy(spec)
    for path_item in spec.get("paths", {}).values():
        for operation in path_item.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("in") == "query" and parameter.get("examples"):
                    default = parameter.get("schema", {}).get("default", "")
                    neutral = {"summary": "No filter: the plain list", "value": default}
                    parameter["examples"] = {NO_EXAMPLE: neutral, **parameter["examples"]}
    return spec


def docs_app(*, served: dict, bundled: dict, base_path: str) -> Starlette:
    """The Starlette app serving the UI and both forms of the spec under `base_path` (/api/v2)."""
    bodies = {
        f"{base_path}/openapi.json": orjson.dumps(served),
        f"{base_path}/openapi.bundled.json": orjson.dumps(bundled),
        f"{base_path}/ui/openapi.json": orjson.dumps(ui_spec(served)),
    }
    index = _INDEX.format(
        title=served.get("info", {}).get("title", "API"),
        ui=f"{base_path}/ui/",
        spec_url=f"{base_path}/ui/openapi.json",
    )

    async def openapi_json(request: Request) -> Response:
        return Response(bodies[request.url.path], media_type="application/json")

    async def ui_index(_request: Request) -> HTMLResponse:
        return HTMLResponse(index)

    async def ui_redirect(_request: Request) -> RedirectResponse:
        return RedirectResponse(f"{base_path}/ui/", status_code=308)

    return Starlette(
        routes=[
            *(Route(path, openapi_json) for path in bodies),
            Route(f"{base_path}/ui", ui_redirect),
            Route(f"{base_path}/ui/", ui_index),
            Mount(f"{base_path}/ui", StaticFiles(directory=str(swagger_ui_path))),
        ]
    )
