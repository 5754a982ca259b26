"""An n-gram index over members' texts, so a search on a big course does not scan it.

For n = 1, 2 and 3, every n-character window of every member's text (none spanning the tab or
newline separators: a search term never contains whitespace) is keyed by its code points, and the
members containing it are kept as one sorted posting list. A term of one or two characters is then
exactly one posting list; a longer term is the intersection of its trigrams' lists (rarest first),
checked against the texts only for the candidates that remain. Built in vectorised numpy: about
10 s and ~1 KB per member for a million members, so only for big courses.
"""

from __future__ import annotations

import numpy as np

_SEPARATORS = (ord("\t"), ord("\n"))
_BITS = 21  # every Unicode code point fits in 21 bits; three fit in one uint64


class NgramIndex:
    """Posting lists of members for every 1-, 2- and 3-gram of their texts."""

    def __init__(self, haystack: str, starts: np.ndarray, texts: np.ndarray) -> None:
        """Index `haystack` (member texts joined by newlines, member i beginning at starts[i])."""
        self._texts = texts
        codes = np.frombuffer(haystack.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        owners = np.searchsorted(starts, np.arange(len(codes)), side="right").astype(np.int32) - 1
        separator = np.isin(codes, _SEPARATORS)
        self._levels = [_Level(codes, owners, separator, n) for n in (1, 2, 3)]

    def members(self, term: str) -> np.ndarray:
        """Sorted indexes of the members whose text contains `term` (already case-folded)."""
        points = [ord(char) for char in term]
        if len(points) <= 3:
            return self._levels[len(points) - 1].posting(_key(points))
        trigrams = {_key(points[i : i + 3]) for i in range(len(points) - 2)}
        lists = sorted((self._levels[2].posting(key) for key in trigrams), key=len)
        candidates = lists[0]
        for other in lists[1:]:
            if not len(candidates):
                break
            candidates = np.intersect1d(candidates, other, assume_unique=True)
        if not len(candidates):
            return candidates
        return candidates[np.strings.find(self._texts[candidates], term) >= 0]


def _key(points: list[int]) -> int:
    key = 0
    for point in points:
        key = (key << _BITS) | point
    return key


class _Level:
    """The posting lists of one n: sorted unique keys, and members grouped by key."""

    def __init__(
        self, codes: np.ndarray, owners: np.ndarray, separator: np.ndarray, n: int
    ) -> None:
        windows = len(codes) - n + 1
        if windows <= 0:
            self._keys = np.empty(0, dtype=np.uint64)
            self._bounds = np.zeros(1, dtype=np.int64)
            self._members = np.empty(0, dtype=np.int32)
            return
        keys = codes[:windows].copy()
        spans_separator = separator[:windows].copy()
        for offset in range(1, n):
            keys = (keys << np.uint64(_BITS)) | codes[offset : offset + windows]
            spans_separator |= separator[offset : offset + windows]
        keep = ~spans_separator
        keys = keys[keep]
        members = owners[:windows][keep]
        # Stable: positions grow with members, so each key's members stay in ascending order.
        order = np.argsort(keys, kind="stable")
        keys, members = keys[order], members[order]
        if len(keys):
            # A member with the same n-gram twice appears once.
            fresh = np.ones(len(keys), dtype=bool)
            fresh[1:] = (keys[1:] != keys[:-1]) | (members[1:] != members[:-1])
            keys, members = keys[fresh], members[fresh]
        first = np.ones(len(keys), dtype=bool)
        first[1:] = keys[1:] != keys[:-1]
        starts = np.flatnonzero(first)
        self._keys = keys[starts]
        self._bounds = np.append(starts, len(keys)).astype(np.int64)
        self._members = members

    def posting(self, key: int) -> np.ndarray:
        """The sorted members holding the n-gram `key` (empty when none)."""
        at = int(np.searchsorted(self._keys, np.uint64(key)))
        if at == len(self._keys) or int(self._keys[at]) != key:
            return self._members[:0]
        return self._members[self._bounds[at] : self._bounds[at + 1]]
