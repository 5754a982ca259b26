"""The dataset the mock serves, indexed once at load. Knows nothing of HTTP.

Per course, members are kept in user-id order (so "ties by user id ascending" is simply
"stable"), each one's result item serialised once. For each ordering, a stable argsort of one int64
key gives the members in order; the members of a status set in that order are cut from it once, on
first use, and kept (4 orderings x 31 status sets at most). A page without search is then a slice,
whatever the course size. Search masks that ordered array with the members matching every term
(`mockserver.data.search`); its answers are kept in a small LRU, so paging through one search is a
slice too.

Worker processes forked from the one that built a store share its pages until they write them,
and reading a Python object writes its reference count. So what a store keeps is numpy arrays and
a few big strings, with one exception: each member's serialised item is an `orjson.Fragment`
(about 8x faster to page out than slicing one buffer per request). Serving a page writes those
24-byte Fragments, which the allocator keeps in pages of their own, apart from the items' bytes,
which only orjson reads: a worker copies at most 32 bytes per member it served, never the items.
The roles are a sorted id array. A store pickles with its arrays out of band (memory-mapped back
from the startup cache, `mockserver.data.storecache`) and its items as one buffer.
"""

from __future__ import annotations

import sys
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from operator import attrgetter

import numpy as np
import orjson

from course_users.fixtures.gcpause import collector_paused
from course_users.fixtures.model import JOIN_STATUSES, Course, Dataset, Membership, User
from course_users.mockserver.data.ngrams import intersect
from course_users.mockserver.data.search import SearchIndex
from course_users.mockserver.errors import CourseNotFound
from course_users.openapi.contract import CONTRACT

ORDERINGS: tuple[str, ...] = CONTRACT.orderings
DEFAULT_ORDERING: str = CONTRACT.default_ordering
DEFAULT_STATUSES: frozenset[str] = frozenset(CONTRACT.default_statuses)
MANAGING_STATUSES: frozenset[str] = CONTRACT.statuses.managing

_STATUS_CODE = {status: code for code, status in enumerate(JOIN_STATUSES)}
_LAST = np.iinfo(np.int64).max
# Search answers kept per course, counted in bytes, keys included: an answer matching nobody is
# small but its key (the terms) is not, and counting ids only let 1,000 distinct 30 KB searches
# grow the mock by 276 MB (issue #11). 32 MiB is the 8 M int32 ids the cache held before.
SEARCH_CACHE_BYTES = 32 * 1024 * 1024
# What an entry costs beyond its terms' text and its ids: the OrderedDict node, the key tuple,
# the terms tuple and the ndarray header (measured with sys.getsizeof, rounded up).
_ENTRY_OVERHEAD_BYTES = 512
_ROLES_KEPT = 4096  # user ids whose role a course remembers (the token table's, in practice)
# Below 1/8 of the status-filtered members, ordering just the matches beats masking them all.
_FEW_MATCHES = 8
# A search whose terms' posting lists hold at most this many members in all is answered on the
# event loop: over 6,000 fragments of names on a million members, p99 1.5 ms and at most 4.5 ms.
# Handing such a search to the search thread cost more than computing it (queued behind the
# others, and waiting for the GIL whenever the loop held it): a stream of never-seen terms on a
# million members and one worker had a p99 of 65-80 ms that way, 20 ms all answered on the loop.
QUICK_SEARCH_MEMBERS = 10_000


@dataclass(frozen=True, slots=True)
class Query:
    """One page request against one course, already validated."""

    course_id: int
    statuses: frozenset[str] = DEFAULT_STATUSES
    terms: tuple[str, ...] = ()
    ordering: str = DEFAULT_ORDERING
    offset: int = 0
    limit: int = CONTRACT.default_limit


@dataclass(frozen=True, slots=True)
class Page:
    """The filtered set's size and the pre-serialised items of the requested slice."""

    count: int
    items: list[orjson.Fragment] = field(default_factory=list)


def format_datetime(value: datetime) -> str:
    """ISO 8601 in UTC with a `Z`, seconds precision unless the value has a fraction."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    text = value.isoformat(timespec="microseconds" if value.microsecond else "seconds")
    return text + "Z"


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE_EPOCH = datetime(1970, 1, 1)
# Sort keys are integer microseconds since the epoch, by exact datetime arithmetic (a third
# cheaper than timestamp() on a million members); naive values are taken as UTC.
_MICROSECOND = timedelta(microseconds=1)


class CourseIndex:
    """One course's members, serialised and indexed for every ordering, filter and search."""

    def __init__(self, course: Course, users: dict[int, User]) -> None:
        """Build the indexes; `users` must hold every member's user (the loader guarantees it)."""
        members = sorted(course.members, key=attrgetter("user_id"))
        self.course_id = course.id
        self.size = len(members)
        columns = _columns(members, users)
        self._user_ids = np.array([member.user_id for member in members], dtype=np.int64)
        self.items = columns.items
        self._status = np.array(columns.statuses, dtype=np.uint8)
        self._joined = np.array(columns.joined, dtype=np.int64)
        self._active_null = np.array(columns.active_null, dtype=bool)
        self._active = np.array(columns.active, dtype=np.int64)
        self._orders: dict[str, np.ndarray] = {}
        self._start_caches()
        for ordering in ORDERINGS:
            self._order(ordering)
        self._search_index = SearchIndex(
            zip(columns.usernames, columns.real_names, strict=True), upper=True
        )

    def _start_caches(self) -> None:
        """The answers this process keeps as it serves: never pickled, never shared."""
        self._ranks: dict[str, np.ndarray] = {}
        # Roles asked for, by user id: the token holders, so a handful. A search of the id
        # array costs ~3 us, a dict hit 0.1 us, on every request.
        self._roles: dict[int, str | None] = {}
        self._filtered: dict[tuple[str, frozenset[str]], np.ndarray] = {}
        self._searches: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self._searches_size = 0

    def __getstate__(self) -> dict[str, object]:
        transient = {"items", "_ranks", "_roles", "_filtered", "_searches", "_searches_size"}
        state = {name: value for name, value in vars(self).items() if name not in transient}
        # A Fragment does not pickle; dumping one gives back its bytes, one at a time (each
        # dumps result keeps ~4 KB until freed).
        packed, bounds = bytearray(), [0]
        for item in self.items:
            packed += orjson.dumps(item)
            bounds.append(len(packed))
        state["items"] = (bytes(packed), np.array(bounds, dtype=np.int64))
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        packed, bounds = state.pop("items")
        vars(self).update(state)
        fragment = orjson.Fragment
        self.items = [
            fragment(packed[start:end])
            for start, end in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)
        ]
        self._start_caches()

    def warm(self) -> None:
        """Build what the default query needs in every ordering, so forked workers share it."""
        for ordering in ORDERINGS:
            self._with_statuses(ordering, DEFAULT_STATUSES)
            self._rank(ordering)  # what a search is put in order by

    def role(self, user_id: int) -> str | None:
        """The user's join status in this course, or None when not a member."""
        try:
            return self._roles[user_id]
        except KeyError:
            pass
        if len(self._roles) >= _ROLES_KEPT:
            self._roles.clear()
        role = self._roles[user_id] = self._find_role(user_id)
        return role

    def _find_role(self, user_id: int) -> str | None:
        ids = self._user_ids
        at = int(np.searchsorted(ids, user_id)) if -_LAST <= user_id <= _LAST else len(ids)
        if at == len(ids) or int(ids[at]) != user_id:
            return None
        return JOIN_STATUSES[int(self._status[at])]

    def answers_at_once(self, query: Query) -> bool:
        """True when `page(query)` is cheap enough to compute on the event loop.

        That is no search, a search answer already kept, or terms whose posting lists bound the
        members to look at to QUICK_SEARCH_MEMBERS (about a millisecond).
        """
        if not query.terms or self._search_key(query) in self._searches:
            return True
        index = self._search_index
        bound = sum(index.most_members(term) for term in dict.fromkeys(query.terms))
        return bound <= QUICK_SEARCH_MEMBERS

    def page(self, query: Query) -> Page:
        """The count of members the query selects and the items of its [offset, offset+limit)."""
        ordered = self._select(query)
        chunk = ordered[query.offset : query.offset + query.limit]
        items = self.items
        return Page(count=len(ordered), items=[items[i] for i in chunk.tolist()])

    def _select(self, query: Query) -> np.ndarray:
        """Member indexes the query selects, in the query's order."""
        if not query.statuses:
            return np.empty(0, dtype=np.int32)
        base = self._with_statuses(query.ordering, query.statuses)
        if query.terms:
            base = self._searched(base, query)
        return base

    def _with_statuses(self, ordering: str, statuses: frozenset[str]) -> np.ndarray:
        """Members of the given statuses in the given order; built once per combination."""
        key = (ordering, statuses)
        found = self._filtered.get(key)
        if found is None:
            order = self._order(ordering)
            found = order[_wanted(statuses)[self._status[order]]]
            self._filtered[key] = found
        return found

    def _order(self, ordering: str) -> np.ndarray:
        """All members in the given order (ties by user id: members are kept in id order)."""
        found = self._orders.get(ordering)
        if found is None:
            # int32 halves every cached array (a course has far fewer than 2**31 members).
            order = np.argsort(self._sort_key(ordering), kind="stable")
            found = order.astype(np.int32)
            self._orders[ordering] = found
        return found

    def _sort_key(self, ordering: str) -> np.ndarray:
        """One int64 per member whose ascending order is the requested order."""
        if ordering.lstrip("-") == "joined_at":
            values = self._joined
        else:
            values = self._active.copy()
            # PostgreSQL: NULL compares greater than any value, so it comes last ascending
            # and, negated below, first descending.
            values[self._active_null] = _LAST
        return -values if ordering.startswith("-") else values

    def _searched(self, base: np.ndarray, query: Query) -> np.ndarray:
        """`base` narrowed to members matching the search terms, kept in a small LRU."""
        key = self._search_key(query)
        found = self._searches.get(key)
        if found is not None:
            self._searches.move_to_end(key)
            return found
        matching = self._matching(query.terms)
        if len(matching) * _FEW_MATCHES < len(base):
            # Few matches: put just them in order, by their rank in the full ordering.
            kept = matching[_wanted(query.statuses)[self._status[matching]]]
            positions = np.sort(self._rank(query.ordering)[kept])
            found = self._order(query.ordering)[positions]
        else:
            mask = np.zeros(self.size, dtype=bool)
            mask[matching] = True
            found = base[mask[base]]
        self._remember(key, found)
        return found

    @staticmethod
    def _search_key(query: Query) -> tuple:
        return (query.terms, query.ordering, query.statuses)

    def _remember(self, key: tuple, found: np.ndarray) -> None:
        """Keep a search answer, evicting the least recently used past the size bound."""
        self._searches[key] = found
        self._searches_size += _entry_bytes(key, found)
        while self._searches_size > SEARCH_CACHE_BYTES and len(self._searches) > 1:
            evicted_key, evicted = self._searches.popitem(last=False)
            self._searches_size -= _entry_bytes(evicted_key, evicted)

    def search_cache_bytes(self) -> int:
        """What the search answers kept for this course take, by the bound's own count."""
        return self._searches_size

    def _matching(self, terms: tuple[str, ...]) -> np.ndarray:
        """Sorted indexes of members matching every term."""
        index = self._search_index
        distinct = iter(dict.fromkeys(terms))
        found = index.members(next(distinct))
        for term in distinct:
            if not len(found):
                break  # nobody matches every term: the other terms need not be looked up
            found = intersect(found, index.members(term))
        return found

    def _rank(self, ordering: str) -> np.ndarray:
        """Each member's position in the given order (the inverse of `_order`)."""
        found = self._ranks.get(ordering)
        if found is None:
            order = self._order(ordering)
            found = np.empty(len(order), dtype=np.int32)
            found[order] = np.arange(len(order), dtype=np.int32)
            self._ranks[ordering] = found
        return found


@dataclass(slots=True)
class _Columns:
    """Everything the index needs per member, in member order, gathered in one pass."""

    items: list[orjson.Fragment] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    joined: list[int] = field(default_factory=list)
    active_null: list[bool] = field(default_factory=list)
    active: list[int] = field(default_factory=list)
    usernames: list[str] = field(default_factory=list)
    real_names: list[str] = field(default_factory=list)


def _columns(members: list[Membership], users: dict[int, User]) -> _Columns:
    """One loop over the members (a million iterations: every lookup and call in it counts).

    Each member's CourseUserDashboard item is serialised here, once. orjson writes the datetimes
    itself (RFC 3339, `Z`, fraction only when non-zero): the same text as `format_datetime`, at a
    fraction of the cost; aware datetimes in other zones are converted to UTC first, naive ones
    are taken as UTC (OPT_NAIVE_UTC).
    """
    columns = _Columns()
    status_codes = _STATUS_CODE
    add_item, add_status = columns.items.append, columns.statuses.append
    add_joined, add_null, add_active = (
        columns.joined.append,
        columns.active_null.append,
        columns.active.append,
    )
    add_username, add_real_name = columns.usernames.append, columns.real_names.append
    fragment, dumps, options = (
        orjson.Fragment,
        orjson.dumps,
        orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC,
    )
    epoch, naive_epoch, microsecond = _EPOCH, _NAIVE_EPOCH, _MICROSECOND
    for member in members:
        user = users[member.user_id]
        status = member.join_status
        add_status(status_codes[status])
        # No helper calls in here: a function call per value is a second on a million members.
        joined = member.joined_at
        if joined.tzinfo is None:
            add_joined((joined - naive_epoch) // microsecond)
        else:
            if joined.tzinfo is not UTC:
                joined = joined.astimezone(UTC)
            add_joined((joined - epoch) // microsecond)
        active = member.last_active_at
        if active is None:
            add_null(True)
            add_active(0)
        else:
            add_null(False)
            if active.tzinfo is None:
                add_active((active - naive_epoch) // microsecond)
            else:
                if active.tzinfo is not UTC:
                    active = active.astimezone(UTC)
                add_active((active - epoch) // microsecond)
        encoded = dumps(
            {
                "id": user.id,
                "username": user.username,
                "real_name": user.real_name,
                "avatar": user.avatar,
                "join_status": status,
                "user_completion_rate": member.user_completion_rate,
                "last_active_at": active,
                "joined_at": joined,
            },
            option=options,
        )
        # Copied: orjson's own bytes keep a ~4 KB buffer each, 4 GB on a million members.
        add_item(fragment(memoryview(encoded).tobytes()))
        add_username(user.username)
        add_real_name(user.real_name)
    return columns


def _entry_bytes(key: tuple, found: np.ndarray) -> int:
    """The bytes a search-cache entry holds: its terms (key[0]), its ids and fixed overhead."""
    return sum(map(sys.getsizeof, key[0])) + found.nbytes + _ENTRY_OVERHEAD_BYTES


def _wanted(statuses: frozenset[str]) -> np.ndarray:
    """A lookup table over status codes: True for the selected statuses."""
    table = np.zeros(len(JOIN_STATUSES), dtype=bool)
    table[[_STATUS_CODE[status] for status in statuses]] = True
    return table


class Store:
    """Every course of a dataset, indexed, plus the token table."""

    def __init__(self, dataset: Dataset) -> None:
        """Index every course of `dataset` (the slow part: done once, at load)."""
        self.source = dataset.source
        self.tokens = dict(dataset.tokens)
        with collector_paused():  # millions of new objects, no cycles: 3x faster
            self._courses = {
                cid: CourseIndex(c, dataset.users) for cid, c in dataset.courses.items()
            }

    def user_for_token(self, token: str) -> int | None:
        """The user id a bearer token belongs to, or None for an unknown token."""
        return self.tokens.get(token)

    def course(self, course_id: int) -> CourseIndex:
        """The course's index; raises CourseNotFound for an unknown id."""
        found = self._courses.get(course_id)
        if found is None:
            raise CourseNotFound(course_id)
        return found

    def course_ids(self) -> list[int]:
        """Every course id, ascending."""
        return sorted(self._courses)

    def warm(self) -> None:
        """Build each course's default-query arrays now (before forking workers that share them)."""
        for course in self._courses.values():
            course.warm()
