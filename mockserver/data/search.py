"""Substring search over one course's members, the way Django's `icontains` does it on PostgreSQL.

A member matches a term when the term is a substring of its username or of its real name after both
are upper-cased (`openapi.search_rule`); there is no accent folding.

Each index keeps one text per member, its fields joined by NUL, and the texts joined by NUL into
one big haystack. Terms may hold whitespace, commas, tabs and newlines (quoted phrases), so no
printable separator is safe; NUL is: a `search` holding it is refused (`mockserver.api.params`) and
PostgreSQL text cannot hold it, so a term found in the haystack never straddles two fields or two
members, and searching the joined text is the same as searching each field.
Matching runs at C speed: rare terms through one regular-expression scan of the haystack, common
ones through numpy's vectorised `find` over the per-member texts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from course_users.mockserver.data.ngrams import NgramIndex, field_match_starts
from course_users.openapi.search_rule import NUL, full_upper

# A term matching more members than this fraction is faster to test member by member (numpy) than
# to enumerate match by match (regex): measured on 1,000,000 members, see benchmarks/store_bench.py.
_DENSE_FRACTION = 1 / 16
NGRAM_MIN_MEMBERS = 2_000


class SearchIndex:
    """Finds which members' fields contain a term, for one course and one way of comparing."""

    def __init__(
        self,
        members: Iterable[Sequence[str]],
        *,
        upper: bool,
        ngram_min_members: int | None = None,
    ) -> None:
        """Index each member's searchable fields (in member order); `upper` folds case as UPPER().

        Courses of at least `ngram_min_members` also get an n-gram index (`mockserver.data.ngrams`);
        smaller ones are scanned, which takes well under a millisecond there.
        """
        joined = (NUL.join(fields) for fields in members)
        # Upper-casing maps character by character and keeps NUL, so folding the joined text is
        # folding each field.
        cleaned = [full_upper(text) for text in joined] if upper else list(joined)
        self._upper = upper
        self._size = len(cleaned)
        lengths = np.fromiter(map(len, cleaned), np.int64, count=self._size) + 1
        self._starts = np.concatenate(([0], np.cumsum(lengths)[:-1])) if self._size else lengths
        # A term longer than every member's text matches nobody: this bounds the work per term
        # by the longest text (two fields of at most 255 characters each in a valid fixture,
        # up to three times that once upper-cased), however long the search value is.
        self._longest = int(lengths.max()) - 1 if self._size else 0
        self._haystack = NUL.join(cleaned)
        threshold = NGRAM_MIN_MEMBERS if ngram_min_members is None else ngram_min_members
        self._ngrams: NgramIndex | None = None
        self._texts = np.array([], dtype="<U1")
        if self._size and self._size >= threshold:
            # The per-member strings go before the n-gram build (~90 MB on a million members);
            # the n-gram index checks its candidates against the haystack instead.
            del cleaned
            self._ngrams = NgramIndex(self._haystack, self._starts)
        elif cleaned:
            # As one numpy array only for the scan of smaller courses: on a million members it
            # would be 4 bytes x longest text x members, hundreds of MB.
            self._texts = np.array(cleaned, dtype=np.str_)

    def members(self, term: str) -> np.ndarray:
        """Sorted indexes of the members whose fields contain `term`."""
        if self._ngrams is not None:
            needle = self._needle(term)
            if len(needle) > self._longest:
                return self._ngrams.empty()
            return self._ngrams.members(needle)
        return np.flatnonzero(self.matches(term))

    def most_members(self, term: str) -> int:
        """How many members at most match `term`: about what finding them costs."""
        needle = self._needle(term)
        if len(needle) > self._longest:
            return 0
        if self._ngrams is not None:
            return self._ngrams.most_members(needle)
        return self._size  # a small course, scanned at C speed

    def matches(self, term: str) -> np.ndarray:
        """Return a boolean mask over members: True where a field of the member contains `term`."""
        needle = self._needle(term)
        mask = np.zeros(self._size, dtype=bool)
        if self._size == 0 or len(needle) > self._longest:
            return mask
        if self._ngrams is not None:
            mask[self._ngrams.members(needle)] = True
            return mask
        positions = self._scan(needle, limit=max(64, int(self._size * _DENSE_FRACTION)))
        if positions is None:
            return np.strings.find(self._texts, needle) >= 0
        members = np.searchsorted(self._starts, positions, side="right") - 1
        mask[members] = True
        return mask

    def _needle(self, term: str) -> str:
        if NUL in term:
            # The separator: `mockserver.api.params` refuses such a search before it gets here.
            raise ValueError("a search term cannot hold NUL")
        return full_upper(term) if self._upper else term

    def _scan(self, needle: str, *, limit: int) -> np.ndarray | None:
        """Match starts of `needle` (one per field at most), or None past `limit` matches."""
        return field_match_starts(self._haystack, needle, most=2 * limit)
