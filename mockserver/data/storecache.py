"""The startup cache: an indexed store kept on disk, keyed by what it was built from.

A restart on an unchanged fixture file maps the indexed store back instead of parsing, validating
and indexing the file again (tens of seconds on a million members). The key is the sha256 of the
file's bytes (or, for `--members`, the generator's arguments) together with everything that could
make an old entry wrong: the cache format, the source of the modules that build a store, and the
Python, numpy and orjson versions. So an entry is either exactly what building would give, or it
is never looked at.

One file per entry, written by this module only, into the mock's own cache directory:

    header   magic, the lengths of the two parts below, sha256 of everything after the header
    meta     the store, pickled (protocol 5) with its numpy arrays out of band
    table    (offset, length) of each array's bytes
    arrays   from a page boundary, each 64-byte aligned; mapped back (mmap), so they are file
             pages shared by every process that maps them, read only where a request looks

The header, meta and table are read, not mapped: what unpickling them builds lives in the heap,
and mapping them too would count their pages twice in the process's resident memory.

Pickle is safe here only because nothing but this module writes these files. A file that cannot
be read, is cut short or fails its checksum is ignored with one log line and rewritten. Entries
are written to a temporary file and renamed into place, so a reader never sees half of one; the
directory keeps the `KEEP` most recently used entries.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import mmap
import os
import pickle
import platform
import struct
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import numpy as np
import orjson

from course_users.mockserver.data.store import Store

logger = logging.getLogger("mockserver")

FORMAT = 1
KEEP = 4  # entries: a few fixture files (or versions of one) at a time
SUFFIX = ".store"
_MAGIC = b"mockserver-store\n"[:16]
_HEADER = struct.Struct("<16sQQ32s")
_ALIGN = 64
_WRITING = ".writing-"
_ABANDONED_S = 3600
# What builds a store: an edit to any of them changes every key.
_BUILDERS = (
    "mockserver/data/store.py",
    "mockserver/data/search.py",
    "mockserver/data/ngrams.py",
    "openapi/search_rule.py",
    "openapi/contract.py",
    "fixtures/model.py",
    "fixtures/build.py",
    "fixtures/generator.py",
)
_ROOT = Path(__file__).resolve().parents[2]  # the folder holding mockserver/, openapi/, fixtures/


class CorruptEntry(Exception):
    """A cache file that cannot be used: unreadable, cut short, or not what its checksum says."""


def default_directory() -> Path:
    """$XDG_CACHE_HOME/selfcommunity-mock, else ~/.cache/selfcommunity-mock."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "selfcommunity-mock"


def code_version() -> str:
    """What makes an entry stale besides its input: format, builders' source, library versions."""
    digest = hashlib.sha256(f"{FORMAT}|{platform.python_version()}".encode())
    digest.update(f"|{np.__version__}|{orjson.__version__}".encode())
    for name in _BUILDERS:
        digest.update((_ROOT / name).read_bytes())
    return digest.hexdigest()


def file_key(path: Path) -> str:
    """The key of a fixture file's content (raises OSError when it cannot be read)."""
    digest = hashlib.sha256(b"file|")
    with open(path, "rb") as file:
        digest.update(hashlib.file_digest(file, "sha256").digest())
    digest.update(code_version().encode())
    return digest.hexdigest()


def generated_key(courses: int, members: int, seed: int) -> str:
    """The key of a `--members` dataset (the generator's source is in `code_version`)."""
    text = f"generated|{courses}|{members}|{seed}|{code_version()}"
    return hashlib.sha256(text.encode()).hexdigest()


class StoreCache:
    """Indexed stores on disk, one file per key, the `KEEP` most recently used kept."""

    def __init__(self, directory: Path, keep: int = KEEP) -> None:
        self.directory = directory
        self.keep = keep

    def entry(self, key: str) -> Path:
        """Where the entry for `key` lives."""
        return self.directory / f"{key}{SUFFIX}"

    def get_or_build(
        self, key: str, build: Callable[[], Store], *, still: Callable[[], bool]
    ) -> Store:
        """The cached store for `key`, else `build()` (and cache it if `still()` holds after)."""
        path = self.entry(key)
        if path.exists():
            try:
                store = read_entry(path, key)
            except CorruptEntry as error:
                logger.warning("Ignoring the startup cache file %s (%s); re-indexing", path, error)
            else:
                _touch(path)
                logger.info("Startup cache hit: serving the indexed dataset from %s", path)
                return store
        store = build()
        if still():  # the file did not change while it was read: the key is its content's
            self.put(key, store)
        return store

    def put(self, key: str, store: Store) -> None:
        """Write the entry atomically, then drop the least recently used past `keep`."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            _write_atomically(self.entry(key), encode(key, store))
            self._prune()
        except OSError as error:
            logger.warning("Cannot write the startup cache in %s: %s", self.directory, error)
            return
        logger.info("Startup cache written: %s", self.entry(key))

    def _prune(self) -> None:
        entries = []
        for path in self.directory.glob(f"*{SUFFIX}"):
            try:
                entries.append((path.stat().st_mtime_ns, path))
            except FileNotFoundError:  # pruned by another mock meanwhile
                continue
        for _, path in sorted(entries, reverse=True)[self.keep :]:
            path.unlink(missing_ok=True)
        # A mock killed while writing leaves its temporary file: gone once surely abandoned.
        for path in self.directory.glob(f"{_WRITING}*"):
            with contextlib.suppress(OSError):
                if time.time() - path.stat().st_mtime > _ABANDONED_S:
                    path.unlink()


def encode(key: str, store: Store) -> list[bytes | memoryview]:
    """The entry's bytes, in order: header, meta, table, padding to a page, padded arrays."""
    buffers: list[pickle.PickleBuffer] = []
    meta = pickle.dumps((key, store), protocol=5, buffer_callback=buffers.append)
    views = [buffer.raw() for buffer in buffers]
    offsets, at = [], 0
    for view in views:
        offsets.append((at, view.nbytes))
        at = _aligned(at + view.nbytes)
    table = pickle.dumps(offsets, protocol=5)
    head = _page_aligned(_HEADER.size + len(meta) + len(table))
    padding = bytes(head - _HEADER.size - len(meta) - len(table))
    parts: list[bytes | memoryview] = [meta, table, padding]
    for (offset, size), view in zip(offsets, views, strict=True):
        parts.append(view)
        parts.append(bytes(_aligned(offset + size) - offset - size))
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part)
    return [_HEADER.pack(_MAGIC, len(meta), len(table), digest.digest()), *parts]


def read_entry(path: Path, key: str) -> Store:
    """The store in `path`, its arrays memory-mapped; raises CorruptEntry for a bad file."""
    try:
        with open(path, "rb") as file:
            return _decode(file, key)
    except CorruptEntry:
        raise
    except OSError as error:
        raise CorruptEntry(f"cannot read it: {error.strerror or error}") from None
    except Exception as error:  # whatever a damaged pickle raises, it is damage
        raise CorruptEntry(f"unreadable: {type(error).__name__}") from None


def _decode(file: BinaryIO, key: str) -> Store:
    header = file.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise CorruptEntry("cut short")
    magic, meta_size, table_size, expected = _HEADER.unpack(header)
    if magic != _MAGIC:
        raise CorruptEntry("not a store cache file")
    meta, table = file.read(meta_size), file.read(table_size)
    file.seek(_HEADER.size)
    if hashlib.file_digest(file, "sha256").digest() != expected:
        raise CorruptEntry("checksum mismatch")
    base = _page_aligned(_HEADER.size + meta_size + table_size)
    offsets = pickle.loads(table)
    arrays: list[memoryview] = []
    if offsets:
        mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ, offset=base)
        view = memoryview(mapped)
        arrays = [view[offset : offset + size] for offset, size in offsets]
    stored_key, store = pickle.loads(meta, buffers=arrays)
    if stored_key != key:
        raise CorruptEntry("holds another dataset")
    return store


def _write_atomically(path: Path, parts: list[bytes | memoryview]) -> None:
    descriptor, temporary = tempfile.mkstemp(prefix=_WRITING, dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as file:
            for part in parts:
                file.write(part)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _touch(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.utime(path)  # most recently used: the last to be pruned


def _aligned(at: int, unit: int = _ALIGN) -> int:
    return -(-at // unit) * unit


def _page_aligned(at: int) -> int:
    return _aligned(at, mmap.ALLOCATIONGRANULARITY)  # where a mapping may start
