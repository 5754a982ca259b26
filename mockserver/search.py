"""Substring search over one course's members, the way Django's `icontains` does it on PostgreSQL.

A member matches a term when the term is a substring of its username or of its real name after both
are upper-cased (PostgreSQL's `UPPER(x) LIKE UPPER('%term%')`); there is no accent folding.

Each index keeps one text per member, `USERNAME\\tREAL NAME`, joined by newlines into one big
haystack. A term never contains whitespace (terms are split on it), so a match can never straddle
the two fields or two members, and searching the joined text is the same as searching each field.
Matching runs at C speed: rare terms through one regular-expression scan of the haystack, common
ones through numpy's vectorised `find` over the per-member texts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np

from mockserver.ngrams import NgramIndex

# A term matching more members than this fraction is faster to test member by member (numpy) than
# to enumerate match by match (regex): measured on 1,000,000 members, see benchmarks/store_bench.py.
_DENSE_FRACTION = 1 / 16
NGRAM_MIN_MEMBERS = 2_000


def split_terms(search: str | None) -> tuple[str, ...]:
    """Split a search value into terms as DRF's SearchFilter does (whitespace and commas)."""
    if not search:
        return ()
    return tuple(search.replace(",", " ").split())


class SearchIndex:
    """Finds which members' texts contain a term, for one course and one way of comparing."""

    def __init__(
        self, texts: Iterable[str], *, upper: bool, ngram_min_members: int | None = None
    ) -> None:
        """Index `texts` (one per member, in member order); `upper` folds case as UPPER() does.

        Courses of at least `ngram_min_members` also get an n-gram index (`mockserver.ngrams`);
        smaller ones are scanned, which takes well under a millisecond there.
        """
        # No cleaning needed: a newline inside a field only splits a member's text in two for the
        # regex, and match positions are mapped to members by their start offsets anyway.
        cleaned = [text.upper() for text in texts] if upper else list(texts)
        self._upper = upper
        self._size = len(cleaned)
        lengths = np.fromiter(map(len, cleaned), np.int64, count=self._size) + 1
        self._starts = np.concatenate(([0], np.cumsum(lengths)[:-1])) if self._size else lengths
        self._haystack = "\n".join(cleaned)
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
        """Sorted indexes of the members whose text contains `term`."""
        if self._ngrams is not None:
            return self._ngrams.members(term.upper() if self._upper else term)
        return np.flatnonzero(self.matches(term))

    def matches(self, term: str) -> np.ndarray:
        """Return a boolean mask over members: True where the member's text contains `term`."""
        needle = term.upper() if self._upper else term
        mask = np.zeros(self._size, dtype=bool)
        if self._size == 0:
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

    def _scan(self, needle: str, *, limit: int) -> np.ndarray | None:
        """Match starts of `needle` (one per member at most), or None past `limit` matches."""
        # `[^\n]*` swallows the rest of the member's text, so each member yields one match at most.
        pattern = re.compile(re.escape(needle) + r"[^\n]*")
        found: list[int] = []
        for match in pattern.finditer(self._haystack):
            found.append(match.start())
            if len(found) > limit:
                return None
        return np.array(found, dtype=np.int64)
