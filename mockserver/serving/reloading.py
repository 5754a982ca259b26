"""--reload: watch the fixtures file and swap the store in place when it changes.

A bad edit keeps the last good data served and logs the one-line FixtureError; fixing the file
picks it up on the next save. The directory is watched, not the file, because editors often save
by writing a new file and renaming it over the old one.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from watchfiles import awatch

from course_users.fixtures import FixtureError
from course_users.mockserver.api.state import AppState, load_store

logger = logging.getLogger("mockserver")


async def watch_fixtures(state: AppState, path: Path, stop: asyncio.Event) -> None:
    """Reload `path` into `state.store` on every change until `stop` is set."""
    path = path.resolve()

    def is_our_file(_change: object, changed: str) -> bool:
        return Path(changed).resolve() == path

    async for _changes in awatch(
        path.parent, watch_filter=is_our_file, stop_event=stop, debounce=200, step=50
    ):
        await reload_store(state, path)


async def reload_store(state: AppState, path: Path) -> bool:
    """Load and index `path` off the event loop, then swap it in; False (logged) if it is bad."""
    try:
        store = await asyncio.to_thread(load_store, state.settings, path)
    except FixtureError as error:
        logger.error("Reload failed, still serving the previous data: %s", error)
        return False
    state.store = store
    logger.info("Reloaded fixtures from %s", path)
    return True
