"""The contract's search rule (decision `search-rule`), shared by the mock and the suite.

The rule is what Django REST Framework 3.15 and later do with `SearchFilter` on PostgreSQL:

- **Splitting** is DRF's `search_smart_split`: Django's `smart_split` cuts the value on whitespace
  but keeps quoted phrases whole; a token that is one quoted phrase is unquoted (Django's
  `unescape_string_literal`) and kept as it is, commas and spaces included; any other token is cut
  on commas. Empty terms are dropped (DRF keeps them, but an empty term matches every member, so
  dropping it changes nothing): a lone `'` or `""` filters nothing.
- **Matching** is Django's `icontains` on PostgreSQL, `UPPER(field::text) LIKE UPPER('%term%')`:
  a member matches when every term is a substring of its username or of its real name once both
  are upper-cased.

Upper-casing is where correct PostgreSQL servers differ. The default (libc) locale provider maps
one character to one (`STRAßE` stays `STRAßE`, `ﬁ` stays `ﬁ`); the ICU provider maps as Unicode's
full case mapping, as Python's `str.upper()` does (`STRASSE`, `FI`). Both are correct, so a match
has three possible answers: YES under both, NO under both, or EITHER. Every one-to-one mapping
that agrees with Unicode where Unicode maps one to one sits between the two ends measured here, so
YES and NO hold on every such server (see `match`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from enum import Enum
from functools import lru_cache

from django.utils.text import smart_split, unescape_string_literal

NUL = "\x00"


class Match(Enum):
    """Whether a member matches a search on every correct server, on none, or depending on it."""

    YES = "yes"
    NO = "no"
    EITHER = "either"


@lru_cache(maxsize=1024)  # the proxy and the suite split one value once per member checked
def split_terms(value: str | None) -> tuple[str, ...]:
    """The search terms of a `search` value, as DRF's `search_smart_split` finds them."""
    if not value:
        return ()
    terms: list[str] = []
    for token in smart_split(value):
        token = token.strip(",")
        if token[:1] in ("'", '"') and token[0] == token[-1]:
            terms.append(unescape_string_literal(token))
        else:
            terms += [part.strip() for part in token.split(",")]
    return tuple(term for term in terms if term)


def full_upper(text: str) -> str:
    """Upper-case as Unicode's full mapping does (Python, PostgreSQL's ICU provider): ß -> SS."""
    return text.upper()


def simple_upper(text: str) -> str:
    """Upper-case one character to one, keeping characters whose full mapping has several.

    The least any one-to-one server (PostgreSQL's libc provider) upper-cases: it may also map
    the kept ones (glibc maps ᾳ to ᾼ), never fewer.
    """
    if text.isascii():  # every ASCII letter upper-cases to one letter
        return text.upper()
    return "".join(_simple_upper_char(char) for char in text)


@lru_cache(maxsize=4096)
def _simple_upper_char(char: str) -> str:
    upper = char.upper()
    return upper if len(upper) == 1 else char


def uncertain_text(text: str) -> bool:
    """Whether `text` holds a character this Python's Unicode tables do not know.

    A database built on newer tables may case-map it, so no verdict can rest on it.
    """
    if text.isascii():  # ASCII has no unassigned code point
        return False
    return any(unicodedata.category(char) == "Cn" for char in text)


def match(fields: Sequence[str], terms: Iterable[str]) -> Match:
    """Whether a member whose searchable fields are `fields` matches every term.

    The simple mapping finds a subset of what any one-to-one server finds, and the full mapping
    a superset of it (both are character-wise maps composed with the server's), so YES needs the
    simple mapping to match and NO needs the full mapping to miss.
    """
    terms = tuple(terms)
    if not terms:
        return Match.YES
    if any(uncertain_text(text) for text in (*fields, *terms)):
        return Match.EITHER
    if _all_terms_found(fields, terms, simple_upper):
        return Match.YES
    if not _all_terms_found(fields, terms, full_upper):
        return Match.NO
    return Match.EITHER


def _all_terms_found(
    fields: Sequence[str], terms: Sequence[str], upper: Callable[[str], str]
) -> bool:
    folded = [upper(field) for field in fields]
    return all(any(upper(term) in field for field in folded) for term in terms)
