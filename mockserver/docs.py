"""Swagger UI at /api/v2/ui/ and the bundled spec at /api/v2/openapi.json.

A plain Starlette app in front of the Connexion stack: the docs need none of Connexion's per-request
machinery, and keeping Connexion's SwaggerUIMiddleware out of its stack saves every API request a
router pass.
"""

from __future__ import annotations

import orjson
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


def docs_app(spec: dict, base_path: str) -> Starlette:
    """The Starlette app serving the UI and the spec under `base_path` (e.g. /api/v2)."""
    spec_body = orjson.dumps(spec)
    index = _INDEX.format(
        title=spec.get("info", {}).get("title", "API"),
        ui=f"{base_path}/ui/",
        spec_url=f"{base_path}/openapi.json",
    )

    async def openapi_json(_request: Request) -> Response:
        return Response(spec_body, media_type="application/json")

    async def ui_index(_request: Request) -> HTMLResponse:
        return HTMLResponse(index)

    async def ui_redirect(_request: Request) -> RedirectResponse:
        return RedirectResponse(f"{base_path}/ui/", status_code=308)

    return Starlette(
        routes=[
            Route(f"{base_path}/openapi.json", openapi_json),
            Route(f"{base_path}/ui", ui_redirect),
            Route(f"{base_path}/ui/", ui_index),
            Mount(f"{base_path}/ui", StaticFiles(directory=str(swagger_ui_path))),
        ]
    )
