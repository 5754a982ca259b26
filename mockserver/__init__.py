"""A mock of SelfCommunity's GET /api/v2/course/{id}/users/ computing real answers from fixtures.

python -m mockserver --port 8000            # see `python -m mockserver --help`
from course_users.mockserver.serving.app import create_app  # the ASGI app, for embedding or tests

Three layers, each importing only the ones below it:
    serving/   the process: app assembly, access log, CORS, docs routes, reload, workers
    api/       the operation under Connexion: handlers and the adapters Connexion is given
    data/      the dataset, indexed and cached: no HTTP
and beside them `proxy/` (--proxy: the contract-checking proxy), `settings.py` (CLI -> settings)
and `errors.py` (every error the mock models).
"""

from __future__ import annotations

import warnings

# Connexion imports starlette.testclient at import time, and Starlette warns about httpx there:
# not our code, and it would put a stray line before the CLI's one-line errors.
warnings.filterwarnings("ignore", message=r"Using `httpx` with `starlette\.testclient`")
