"""The ceiling: the fastest this endpoint could be served by Python on this machine.

A bare Starlette route at the endpoint's path that returns one fixed, pre-serialised page of
20 members (the envelope and item shape of the real endpoint), whatever the query. Run under
uvicorn with uvloop + httptools, it measures what the server stack alone costs, so the mock's
figure can be read as a fraction of the best achievable (mock/ceiling).

    python -m uvicorn benchmarks.ceiling:app --loop uvloop --http httptools --no-access-log
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

PAGE_SIZE = 20
STATUSES = ("manager", "joined")


def build_page(size: int = PAGE_SIZE) -> bytes:
    """Serialise one realistic first page of ``size`` members, as the mock would send it."""
    start = datetime(2023, 1, 1, tzinfo=UTC)
    results = [
        {
            "id": 1000 + i,
            "username": f"member{i:04d}",
            "real_name": f"Member Number {i}",
            "avatar": f"https://cdn.example.com/avatars/{1000 + i}.png" if i % 3 else None,
            "join_status": STATUSES[i % 2],
            "user_completion_rate": (i * 7) % 101,
            "last_active_at": _iso(start + timedelta(days=i, hours=3)) if i % 5 else None,
            "joined_at": _iso(start + timedelta(days=i)),
        }
        for i in range(size)
    ]
    envelope = {
        "count": 250,
        "next": f"http://127.0.0.1:8000/api/v2/course/1/users/?limit={size}&offset={size}",
        "previous": None,
        "results": results,
    }
    return orjson.dumps(envelope)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


PAGE = build_page()


async def course_users(request: Request) -> Response:
    """Return the fixed page: no parsing, no auth, no lookup, nothing but the response."""
    return Response(PAGE, media_type="application/json")


app = Starlette(routes=[Route("/api/v2/course/{id}/users/", course_users)])
