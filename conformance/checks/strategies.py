"""Hypothesis strategies for listing requests, drawing search terms from the oracle's own data.

Search terms cut from real usernames and names (case flipped, several at once) make matches
non-trivial; random text (including LIKE wildcards `%` and `_`) covers the "matches nothing" side.
"""

from __future__ import annotations

import string

from hypothesis import strategies as st

from course_users.conformance import rules
from course_users.conformance.oracle import Oracle
from course_users.conformance.query import Query

# Characters for free-text terms: `%`, `_` and `\\` must be taken literally, quotes make phrases,
# ß and ﬁ upper-case differently on PostgreSQL's libc and ICU providers (the oracle judges only
# what both agree on); dotted and dotless i and final sigma trip naive case folding. No control
# characters: NUL is a 400.
_TEXT_ALPHABET = string.ascii_letters + string.digits + " ,.-'\"%_\\éÉñßﬁİıς"
_SEPARATORS = (" ", ",", ", ", "  ", " ,", "\t")
_QUOTES = ('"', "'")


def statuses(min_size: int = 0) -> st.SearchStrategy[tuple[str, ...]]:
    """A set of join statuses (possibly empty), in random order."""
    return st.lists(
        st.sampled_from(rules.JOIN_STATUSES), unique=True, min_size=min_size, max_size=5
    ).map(tuple)


def forms_for(chosen: tuple[str, ...]) -> st.SearchStrategy[str]:
    """A documented wire form able to carry these statuses."""
    if len(chosen) == 1:
        return st.sampled_from(("plain", "json", "repeated"))
    if not chosen:
        return st.just("json")
    return st.sampled_from(("json", "repeated", "mixed"))


@st.composite
def term(draw: st.DrawFn, oracle: Oracle) -> str:
    """A substring of some member's username or real name, its letters' case flipped at random."""
    texts = oracle.texts()
    if not texts:
        return draw(free_text())
    # An index, not sampled_from(texts): Hypothesis would repr hundreds of names in its messages.
    text = texts[draw(st.integers(0, len(texts) - 1))]
    start = draw(st.integers(0, len(text) - 1))
    length = draw(st.integers(1, min(6, len(text) - start)))
    piece = text[start : start + length]
    flips = draw(st.lists(st.booleans(), min_size=len(piece), max_size=len(piece)))
    return "".join(c.swapcase() if flip else c for c, flip in zip(piece, flips, strict=True))


def free_text() -> st.SearchStrategy[str]:
    """Short random text from a safe alphabet."""
    return st.text(alphabet=_TEXT_ALPHABET, min_size=1, max_size=6)


@st.composite
def search(draw: st.DrawFn, oracle: Oracle) -> str:
    """A search value: one or more terms from the data or free text, joined by separators."""
    count = draw(st.integers(1, 3))
    terms = [draw(st.one_of(term(oracle), term(oracle), free_text())) for _ in range(count)]
    out = terms[0]
    for piece in terms[1:]:
        out += draw(st.sampled_from(_SEPARATORS)) + piece
    if draw(st.integers(0, 3)) == 0:
        # A quoted phrase: its separators stay inside one term.
        quote = draw(st.sampled_from(_QUOTES))
        out = quote + out + quote
    return out


def maybe_search(oracle: Oracle) -> st.SearchStrategy[str | None]:
    """No search at all, or a search value."""
    return st.one_of(st.none(), search(oracle))


def basic_query(ordering: bool = False) -> st.SearchStrategy[Query]:
    """One status in the plain form, no search: the simplest filter.

    Paging and tie checks use it so that a filtering bug (JSON form ignored, search rule broken,
    wrong default) shows up in the filtering checks instead of masquerading as a paging bug.
    """
    orderings = st.sampled_from(rules.ORDERINGS) if ordering else st.none()
    return st.builds(
        lambda status, order: Query(statuses=(status,), form="plain", ordering=order),
        st.sampled_from(rules.JOIN_STATUSES),
        orderings,
    )


@st.composite
def statuses_query(draw: st.DrawFn, min_size: int = 0) -> Query:
    """Explicit statuses (possibly none) in a random documented form that can carry them."""
    chosen = draw(statuses(min_size))
    return Query(statuses=chosen, form=draw(forms_for(chosen)))


@st.composite
def filtered_query(
    draw: st.DrawFn,
    oracle: Oracle,
    min_statuses: int = 0,
    ordering: bool = False,
) -> Query:
    """A query with random statuses (any form, or left out), search and optionally ordering."""
    base = draw(st.one_of(st.just(Query()), statuses_query(min_statuses)))
    return Query(
        statuses=base.statuses,
        form=base.form,
        search=draw(maybe_search(oracle)),
        ordering=draw(st.sampled_from(rules.ORDERINGS)) if ordering else None,
    )
