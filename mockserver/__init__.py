"""A mock of SelfCommunity's GET /api/v2/course/{id}/users/ computing real answers from fixtures.

python -m mockserver --port 8000            # see `python -m mockserver --help`
from mockserver.app import create_app        # the ASGI app, for embedding or tests
"""

from __future__ import annotations

import warnings

# Connexion imports starlette.testclient at import time, and Starlette warns about httpx there:
# not our code, and it would put a stray line before the CLI's one-line errors.
warnings.filterwarnings("ignore", message=r"Using `httpx` with `starlette\.testclient`")
