"""`python -m mockserver`: a thin CLI. Options are checked before anything starts; only the mock's
own errors (bad option, bad fixtures) are caught, each printed as the tools' one error line
(`mockserver: error: ...`) with the shared exit status: 1 bad fixtures, 2 a bad option or a port
that cannot be listened on."""

from __future__ import annotations

import argparse
import socket
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from course_users.mockserver.errors import MockServerError, SettingsError
from course_users.mockserver.settings import OPTIONS, Settings
from course_users.openapi.commandline import EXIT_CANNOT_RUN, EXIT_FAILED, Parser, fail
from course_users.openapi.contract import CONTRACT

if TYPE_CHECKING:
    from course_users.mockserver.api.state import AppState

# Connexion, numpy and the fixtures loader are imported only once the options are known good,
# so a mistyped option answers in a fraction of a second.

TOOL = "mockserver"
ROLES_SHOWN = 4  # tokens listed in the banner


def build_parser() -> argparse.ArgumentParser:
    """The option parser; values stay text so Settings casts CLI and environment alike."""
    parser = Parser(
        TOOL,
        prog="python -m mockserver",
        description=f"Mock of SelfCommunity's GET {CONTRACT.base_path}{CONTRACT.path} serving "
        "fixture data.",
        epilog="Every option can also be set as MOCKSERVER_<OPTION> (e.g. MOCKSERVER_PORT=9000).",
    )
    OPTIONS.add_to(parser)
    return parser


def banner(settings: Settings, state: AppState | None) -> str:
    """The startup text: where to call, where the docs are, which tokens exist."""
    if state is None:
        from course_users.mockserver.proxy.app import proxy_banner

        return proxy_banner(settings)
    from course_users.mockserver.serving.accesslog import (
        printable,  # a fixture path may hold control characters
    )

    base = settings.base_url
    lines = [
        f"Course users mock serving {printable(str(state.store.source))}",
        f"  API:        {base}course/<id>/users/   (courses: {_course_list(state)})",
        f"  Swagger UI: {base}ui/",
        f"  Spec:       {base}openapi.json   (resolved, no $refs: openapi.bundled.json)",
        "  Tokens (Authorization: Bearer <token>):",
    ]
    if settings.cors_origin:
        lines.insert(4, f"  CORS:       local origins, {', '.join(settings.cors_origin)}")
    for token, user_id in list(state.store.tokens.items())[: ROLES_SHOWN * 4]:
        lines.append(f"    {token:<20} user {user_id}: {_roles(state, user_id)}")
    return "\n".join(lines)


def _course_list(state: AppState) -> str:
    ids = state.store.course_ids()
    return ", ".join(map(str, ids[:10])) + (" ..." if len(ids) > 10 else "")


def _roles(state: AppState, user_id: int) -> str:
    from course_users.mockserver.data.store import MANAGING_STATUSES

    roles = [
        f"{role if role in MANAGING_STATUSES else role + ' member'} of course {cid}"
        for cid in state.store.course_ids()[:10]
        if (role := state.store.course(cid).role(user_id)) is not None
    ]
    return ", ".join(roles[:4]) if roles else "in no course"


def main(argv: Sequence[str] | None = None) -> int:
    """Parse options, load the fixtures, print the banner and serve until interrupted."""
    try:
        settings = Settings.load(vars(build_parser().parse_args(argv)))
    except MockServerError as error:
        return fail(TOOL, error, EXIT_CANNOT_RUN)
    from course_users.fixtures import FixtureError
    from course_users.mockserver.api.state import AppState
    from course_users.mockserver.serving.accesslog import configure_logging

    try:
        ensure_port_free(settings)
        configure_logging(settings.log_level)
        # In proxy mode the data is the upstream's: nothing to load.
        state = None if settings.proxy is not None else AppState.load(settings)
    except MockServerError as error:
        return fail(TOOL, error, EXIT_CANNOT_RUN)
    except FixtureError as error:
        return fail(TOOL, f"bad fixtures: {error}", EXIT_FAILED)
    print(banner(settings, state), flush=True)
    if settings.workers > 1 and state is not None:
        return serve_workers(settings, state)
    serve(settings, state)
    return 0


def ensure_port_free(settings: Settings) -> None:
    """Fail at once when the address cannot be bound, not after loading a big dataset.

    uvicorn would only find out once the data is loaded and indexed (seconds, on a large course),
    and then log it among its startup lines.
    """
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # As uvicorn binds: a connection of an earlier run in TIME_WAIT does not block the port.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((settings.host, settings.port))
        except OSError as error:
            address = f"{settings.host}:{settings.port}"
            reason = f"cannot be listened on: {error.strerror or error}"
            raise SettingsError("--host/--port", f"{address!r} {reason}") from None


def _uvicorn_options(settings: Settings) -> dict[str, object]:
    """uvicorn on uvloop + httptools (its asyncio loop stalls multi-worker replies ~40 ms)."""
    return {
        "host": settings.host,
        "port": settings.port,
        "loop": "uvloop",
        "http": "httptools",
        "log_config": None,
        "log_level": settings.log_level,
        "access_log": False,  # ours is cheaper and says more (mockserver.serving.accesslog)
        "proxy_headers": False,  # X-Forwarded-* are honoured only by --proxy-headers, in the links
        "server_header": False,
    }


def serve(settings: Settings, state: AppState | None) -> None:
    """Serve in this process until interrupted."""
    import uvicorn

    from course_users.mockserver.serving.app import create_app

    uvicorn.run(create_app(settings, state), **_uvicorn_options(settings))


def serve_workers(settings: Settings, state: AppState) -> int:
    """Serve `state` from `settings.workers` forked processes sharing it (serving.workers)."""
    from course_users.mockserver.serving.workers import Supervisor, listening_socket

    try:
        sock = listening_socket(settings)
    except OSError as error:  # taken since ensure_port_free looked
        address = f"{settings.host}:{settings.port}"
        return fail(TOOL, f"{address!r} cannot be listened on: {error.strerror}", EXIT_CANNOT_RUN)
    with sock:
        return Supervisor(state, sock, _uvicorn_options(settings)).run()


if __name__ == "__main__":
    sys.exit(main())
