"""An n-gram index over members' texts, so a search on a big course does not scan it.

For n = 1 to 5, every n-character window of every member's text is keyed, and the members
containing it are kept as one sorted posting list. Windows holding whitespace, a comma or NUL (the
field and member separator, `mockserver.data.search`) are left out: most terms hold neither, and
indexing them would add postings for every space of every real name. A term of one to five
characters is then exactly one posting list; a longer term is the intersection of its 5-grams'
lists (rarest first), checked against the texts only for the candidates that remain.

Why five: checking a candidate against the texts costs ~0.3 us (a slice of a 50 MB string, a
cache miss each), and with trigrams only a common 4-letter fragment of a name ("lina", "bert")
had ~15,000 candidates on a million members, 5 ms of checking per search; 5-letter ones
("chris", "franc") 3-5 ms with 4-grams. Searches that slow, one after another on a worker, made
the never-seen-term p99 (`python -m benchmarks --only scale`). The fourth and fifth levels make
them one lookup, for 40 + 38 MB and 1.9 + 1.7 s more of indexing on a million members.

A term that does hold whitespace or a comma (a quoted phrase such as `"maria rossi"`) is cut into
its runs of indexed characters; the members holding every run are the candidates, checked against
the texts field by field. A term with no indexed character at all (`" "`, `","`), or runs so common
that checking the candidates would cost more, is found by one scan of the haystack: linear in the
course's text, never more.

Built vectorised, one level at a time, with no Python object per posting: the haystack becomes one
array of small character codes (each distinct indexed character numbered 1..A, 0 for the left-out
ones), each window's key is its codes in base A+1, and `key * members + member` packs a posting
into one int64, so one in-place sort both groups the postings by key and orders each list, and
dropping equal neighbours removes a member's repeats of an n-gram. What is kept per level is
CSR-shaped: the sorted distinct keys, their list bounds, and the member indexes as int32.
The windows are processed in chunks, so the build needs one int64 per window of one level at a
time and little else. On a million members (26 M characters): 7-11 s and 213 MB of postings
for the five levels (7 s and 135 MB for the first three), a peak of ~350 MB above what it keeps.
"""

from __future__ import annotations

import re

import numpy as np

_INT64_LIMIT = 2**63 - 1
# Windows handled per step while building: bounds the temporaries (~40 MB) whatever the course size.
_CHUNK = 1 << 22
# A phrase whose rarest run is held by more than this fraction of the members is scanned for.
_PHRASE_SCAN_FRACTION = 1 / 16
# The longest n-gram keyed: a term up to this long is one posting list.
LONGEST_NGRAM = 5


class NgramIndex:
    """Posting lists of members for every 1- to 5-gram of their texts."""

    def __init__(self, haystack: str, starts: np.ndarray) -> None:
        """Index `haystack` (member texts joined by NUL, member i beginning at starts[i])."""
        self._haystack = haystack
        self._starts = starts
        size = len(starts)
        codes = np.frombuffer(haystack.encode("utf-32-le"), dtype=np.uint32)
        self._alphabet, dense = _alphabet(codes)
        del codes
        base = len(self._alphabet) + 1
        self._base = base
        self._levels = [_Level(dense, starts, n, base, size) for n in range(1, LONGEST_NGRAM + 1)]

    def empty(self) -> np.ndarray:
        """An empty list of members, of the posting lists' type."""
        return self._levels[0].empty()

    def members(self, term: str) -> np.ndarray:
        """Sorted indexes of the members whose text contains `term` (already case-folded)."""
        codes = [self._alphabet.get(char) for char in term]
        if None in codes:  # a character no member has
            return self.empty()
        runs = _indexed_runs(codes)
        if len(runs) == 1 and len(runs[0]) == len(codes) <= LONGEST_NGRAM:
            return self._levels[len(codes) - 1].posting(_key(codes, self._base))
        if not runs:
            return self._scan(term)
        lists = sorted((posting for run in runs for posting in self._postings(run)), key=len)
        # A phrase (whitespace or commas inside): when even its rarest run is common, one scan
        # is cheaper than checking that many candidates one slice at a time.
        if 0 in codes and len(lists[0]) > len(self._starts) * _PHRASE_SCAN_FRACTION:
            return self._scan(term)
        candidates = lists[0]
        for other in lists[1:]:
            if not len(candidates):
                break
            candidates = intersect(candidates, other)
        if not len(candidates):
            return candidates
        return candidates[self._contain(candidates, term)]

    def most_members(self, term: str) -> int:
        """How many members at most hold `term` (already case-folded): its rarest posting list.

        What answering `term` costs is about this many members, known before paying for it.
        """
        codes = [self._alphabet.get(char) for char in term]
        if None in codes:
            return 0
        runs = _indexed_runs(codes)
        if not runs:
            return len(self._starts)  # found by one scan of the haystack
        return min(len(posting) for run in runs for posting in self._postings(run))

    def _postings(self, run: list[int]) -> list[np.ndarray]:
        """The posting lists every member holding `run` is in: its own, or its 5-grams'."""
        n = LONGEST_NGRAM
        if len(run) <= n:
            return [self._levels[len(run) - 1].posting(_key(run, self._base))]
        grams = {_key(run[i : i + n], self._base) for i in range(len(run) - n + 1)}
        return [self._levels[n - 1].posting(key) for key in grams]

    def _contain(self, candidates: np.ndarray, term: str) -> np.ndarray:
        """For each candidate, whether its text really contains `term` (5-grams can be apart)."""
        # A slice and `in` per candidate: ~0.35 us each, as fast as numpy's vectorised find on
        # an array of the candidates' texts, and without keeping one (hundreds of MB on 1M).
        haystack, starts = self._haystack, self._starts
        following = candidates + 1
        ends = np.where(
            following < len(starts),
            starts[np.minimum(following, len(starts) - 1)] - 1,
            len(haystack),
        )
        return np.array(
            [
                term in haystack[start:end]
                for start, end in zip(starts[candidates].tolist(), ends.tolist(), strict=True)
            ],
            dtype=bool,
        )

    def _scan(self, term: str) -> np.ndarray:
        """Members containing `term`, by one scan of the haystack (terms the index cannot key)."""
        positions = field_match_starts(self._haystack, term)  # two per member at most
        owners = np.searchsorted(self._starts, positions, side="right")
        # Matches come in haystack order, so a member's two are neighbours.
        return (owners[_fresh(owners)] - 1).astype(np.int32)


def field_match_starts(haystack: str, needle: str, *, most: int | None = None) -> np.ndarray | None:
    """Where `needle` starts in `haystack`, once per NUL-separated field at most; None once there
    are more than `most` matches (the caller then has a cheaper way)."""
    # `[^\0]*` swallows the rest of the field, so each field yields one match at most.
    pattern = re.compile(re.escape(needle) + "[^\0]*")
    found: list[int] = []
    for match in pattern.finditer(haystack):
        found.append(match.start())
        if most is not None and len(found) > most:
            return None
    return np.array(found, dtype=np.int64)


def intersect(smaller: np.ndarray, other: np.ndarray) -> np.ndarray:
    """The members in both sorted lists: a binary search per member of the smaller one.

    Twice as fast as `np.intersect1d` here, which sorts both lists together.
    """
    if not len(other):
        return other
    at = np.searchsorted(other, smaller)
    at[at == len(other)] = 0  # past the end: compared with other[0], which is smaller
    return smaller[other[at] == smaller]


def _alphabet(codes: np.ndarray) -> tuple[dict[str, int], np.ndarray]:
    """Number the distinct indexed characters 1..A (0 for the left-out ones); codes renumbered."""
    counts = np.zeros(int(codes.max()) + 1 if len(codes) else 0, dtype=np.int64)
    for start in range(0, len(codes), _CHUNK):
        # In chunks: bincount converts its input to int64 first (240 MB on a million members).
        counts += np.bincount(codes[start : start + _CHUNK], minlength=len(counts))
    present = np.flatnonzero(counts)
    indexed = [int(code) for code in present if not _left_out(chr(code))]
    alphabet = {chr(code): number for number, code in enumerate(indexed, start=1)}
    alphabet.update({chr(code): 0 for code in present if _left_out(chr(code))})
    # uint16 while it fits (a 60 MB haystack array on a million members instead of 120 MB).
    dtype = np.uint16 if len(indexed) < 2**16 else np.uint32
    table = np.zeros(int(present[-1]) + 1 if len(present) else 1, dtype=dtype)
    table[indexed] = np.arange(1, len(indexed) + 1, dtype=dtype)
    dense = np.empty(len(codes), dtype=dtype)
    # In chunks: a fancy index converts the whole index array to int64 first (240 MB here).
    for start in range(0, len(codes), _CHUNK):
        dense[start : start + _CHUNK] = table[codes[start : start + _CHUNK]]
    return alphabet, dense


def _left_out(char: str) -> bool:
    """Characters windows are not keyed on: the separator, and what most terms are cut on."""
    return char.isspace() or char in ",\0"


def _indexed_runs(codes: list[int]) -> list[list[int]]:
    """The maximal runs of indexed characters (non-zero codes) of a term, in order."""
    runs: list[list[int]] = [[]]
    for code in codes:
        if code:
            runs[-1].append(code)
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if run]


def _key(codes: list[int], base: int) -> int:
    key = 0
    for code in codes:
        key = key * base + code
    return key


class _Level:
    """The posting lists of one n: sorted distinct keys, list bounds, and members by key."""

    def __init__(self, dense: np.ndarray, starts: np.ndarray, n: int, base: int, size: int) -> None:
        windows = len(dense) - n + 1
        if windows <= 0:
            self._set(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int32))
            return
        if base**n * max(size, 1) > _INT64_LIMIT:
            self._build_huge_alphabet(dense, starts, n, base)
            return
        # key * size + member in one int64: a plain in-place sort orders keys, then members.
        packed = _packed(dense, starts, n, base, size)
        packed.sort()
        kept = _compact_distinct(packed)
        members = np.empty(kept, dtype=np.int32)
        for start in range(0, kept, _CHUNK):
            chunk = packed[start : min(start + _CHUNK, kept)]
            members[start : start + len(chunk)] = chunk % size
            chunk //= size
        self._set(packed[:kept], members)

    def _build_huge_alphabet(
        self, dense: np.ndarray, starts: np.ndarray, n: int, base: int
    ) -> None:
        """Keys and members as two sort keys: slower, but `key * size` cannot overflow."""
        keys, members = _windows(dense, starts, n, base, 0, len(dense) - n + 1)
        order = np.lexsort((members, keys))
        keys, members = keys[order], members[order]
        del order
        fresh = _fresh(keys) | _fresh(members)
        self._set(keys[fresh], members[fresh])

    def _set(self, keys: np.ndarray, members: np.ndarray) -> None:
        starts = np.flatnonzero(_fresh(keys))
        self._keys = keys[starts]
        self._bounds = np.append(starts, len(keys)).astype(np.int64)
        self._members = members

    def empty(self) -> np.ndarray:
        """An empty posting list of the right type."""
        return self._members[:0]

    def posting(self, key: int) -> np.ndarray:
        """The sorted members holding the n-gram `key` (empty when none)."""
        at = int(np.searchsorted(self._keys, key))
        if at == len(self._keys) or int(self._keys[at]) != key:
            return self._members[:0]
        return self._members[self._bounds[at] : self._bounds[at + 1]]


def _fresh(values: np.ndarray) -> np.ndarray:
    """True where a value differs from the one before it (and at the first)."""
    fresh = np.ones(len(values), dtype=bool)
    if len(values):
        np.not_equal(values[1:], values[:-1], out=fresh[1:])
    return fresh


def _windows(
    dense: np.ndarray, starts: np.ndarray, n: int, base: int, start: int, stop: int
) -> tuple[np.ndarray, np.ndarray]:
    """Keys and owners of the indexed n-character windows starting in [start, stop)."""
    keys = dense[start:stop].astype(np.int64)
    indexed = keys != 0
    for offset in range(1, n):
        following = dense[start + offset : stop + offset]
        keys *= base
        keys += following
        indexed &= following != 0
    return keys[indexed], _owners(starts, len(dense), start, stop)[indexed]


def _packed(dense: np.ndarray, starts: np.ndarray, n: int, base: int, size: int) -> np.ndarray:
    """`key * size + member` of every indexed window, built chunk by chunk into one array."""
    windows = len(dense) - n + 1
    spans = [(start, min(start + _CHUNK, windows)) for start in range(0, windows, _CHUNK)]
    # Counted first, so the result is allocated once, at its exact size (no concatenation).
    counts = [_indexed_count(dense, n, start, stop) for start, stop in spans]
    packed = np.empty(sum(counts), dtype=np.int64)
    at = 0
    for (start, stop), count in zip(spans, counts, strict=True):
        keys, members = _windows(dense, starts, n, base, start, stop)
        keys *= size
        keys += members
        packed[at : at + count] = keys
        at += count
    return packed


def _owners(starts: np.ndarray, total: int, start: int, stop: int) -> np.ndarray:
    """The member owning each haystack position in [start, stop), as int32.

    Made per chunk from the members' start offsets, rather than kept for the whole haystack
    (4 bytes per character: 120 MB on a million members).
    """
    first = int(np.searchsorted(starts, start, side="right")) - 1
    last = int(np.searchsorted(starts, stop - 1, side="right"))
    bounds = np.clip(np.append(starts[first:last], total), start, stop)
    bounds[-1] = stop
    return np.repeat(np.arange(first, last, dtype=np.int32), np.diff(bounds))


def _indexed_count(dense: np.ndarray, n: int, start: int, stop: int) -> int:
    """How many of the n-character windows starting in [start, stop) hold no left-out character."""
    indexed = dense[start:stop] != 0
    for offset in range(1, n):
        indexed &= dense[start + offset : stop + offset] != 0
    return int(np.count_nonzero(indexed))


def _compact_distinct(values: np.ndarray) -> int:
    """Drop equal neighbours of a sorted array in place; returns how many values are kept."""
    kept = 0
    previous = None
    for start in range(0, len(values), _CHUNK):
        chunk = values[start : start + _CHUNK]
        fresh = _fresh(chunk)
        if previous is not None and len(chunk):
            fresh[0] = chunk[0] != previous
        previous = chunk[-1] if len(chunk) else previous
        distinct = chunk[fresh]  # a copy, so writing it back below never clobbers unread values
        values[kept : kept + len(distinct)] = distinct
        kept += len(distinct)
    return kept
