"""What the running app holds: its settings and the current store (swapped whole on reload)."""

from __future__ import annotations

import gc
import random
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from course_users.fixtures import DEFAULT_FIXTURES, Dataset, load_dataset
from course_users.mockserver.data.store import Store
from course_users.mockserver.settings import Settings


def load_dataset_for(settings: Settings) -> Dataset:
    """The dataset the settings name: a fixtures file, a generated one, or the committed default."""
    if settings.members is not None:
        from course_users.fixtures.generator import generate_dataset  # only needed for --members

        return generate_dataset(
            courses=settings.courses, members=settings.members, seed=settings.seed
        )
    return load_dataset(settings.fixtures or DEFAULT_FIXTURES)


def load_store(settings: Settings, path: Path | None = None) -> Store:
    """The indexed store the settings name (or `path`), from the startup cache when it has it.

    What it returns is out of the garbage collector's sight (`kept_out_of_collections`). Raises
    FixtureError for a bad file; a cache problem is logged and never stops the mock.
    """
    return kept_out_of_collections(_load_store(settings, path))


def kept_out_of_collections(store: Store) -> Store:
    """`store`, with everything alive now moved out of every future garbage collection.

    The store lives as long as it is served and holds no reference cycles, but it does hold a
    list of one item per member: a store read from the startup cache was not frozen, and each
    full collection walked that list, 67-92 ms at a million members, stalling every request in
    flight. Frozen objects are still freed by reference counting when a reload drops them.
    """
    gc.collect()
    gc.freeze()
    return store


def _load_store(settings: Settings, path: Path | None) -> Store:
    if settings.no_cache:
        return _build(settings, path)
    from course_users.mockserver.data import (
        storecache,  # pickle and mmap: only when the cache is used
    )

    cache = storecache.StoreCache(settings.cache_dir or storecache.default_directory())
    if path is None and settings.members is not None:
        key = storecache.generated_key(settings.courses, settings.members, settings.seed)
        return cache.get_or_build(key, lambda: _build(settings, None), still=lambda: True)
    source = path or settings.fixtures or DEFAULT_FIXTURES
    try:
        key = storecache.file_key(source)
    except OSError:
        return _build(settings, path)  # unreadable: the loader names the problem in one line
    store = cache.get_or_build(
        key, lambda: _build(settings, path), still=lambda: _same_key(storecache, source, key)
    )
    store.source = str(source)  # the same content may have been cached under another name
    return store


def _build(settings: Settings, path: Path | None) -> Store:
    return Store(load_dataset(path) if path is not None else load_dataset_for(settings))


def _same_key(storecache: ModuleType, source: Path, key: str) -> bool:
    try:
        return storecache.file_key(source) == key
    except OSError:
        return False


@dataclass
class AppState:
    """The settings and the store the handlers read; `store` is swapped whole on reload."""

    settings: Settings
    store: Store
    rng: random.Random = field(default_factory=random.Random)

    @classmethod
    def load(cls, settings: Settings) -> AppState:
        """Load and index the dataset (raises FixtureError for a bad file)."""
        return cls(settings, load_store(settings), random.Random(settings.seed))
