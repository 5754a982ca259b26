"""The store on small hand-built datasets: filters, orderings, ties, nulls, search, paging."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest

from course_users.fixtures.model import Course, Dataset, Membership, User
from course_users.mockserver.data.store import Query, Store, format_datetime
from course_users.mockserver.errors import CourseNotFound


def _at(day: int, hour: int = 0) -> datetime:
    return datetime(2024, 1, day, hour, tzinfo=UTC)


USERS = {
    1: User(1, "owner", "Olga Owner", None),
    2: User(2, "mgr", "José Álvarez", "https://a.example/2.png"),
    3: User(3, "anna", "Anna Maria", None),
    4: User(4, "bob", "Bob Brown", None),
    5: User(5, "carla", "Carla Anna", None),
    6: User(6, "dan", "Dan Däumling", None),
}
MEMBERS = (
    Membership(1, "creator", _at(1), _at(20), 100),
    Membership(2, "manager", _at(2), None, 0),
    Membership(5, "joined", _at(3), _at(10), 50),  # ties with 3 and 4 on joined_at
    Membership(4, "joined", _at(3), None, 0),
    Membership(3, "joined", _at(3), _at(10), 25),  # ties with 5 on last_active_at
    Membership(6, "invited", _at(5), None, 0),
)


@pytest.fixture
def store() -> Store:
    """A store over one six-member course with ties and nulls."""
    dataset = Dataset(
        users=USERS, courses={7: Course(7, MEMBERS)}, tokens={"t": 1}, source="hand-built"
    )
    return Store(dataset)


def ids(store: Store, **query) -> list[int]:
    """Ids of the items a query returns, in order."""
    page = store.course(7).page(Query(course_id=7, limit=100, **query))
    return [orjson.loads(orjson.dumps(item))["id"] for item in page.items]


ALL = frozenset({"creator", "manager", "joined", "invited", "requested"})


class TestStatuses:
    """Status filters select exactly their members."""

    def test_default_is_managers_and_joined(self, store):
        """The default statuses are manager and joined."""
        assert sorted(ids(store)) == [2, 3, 4, 5]

    def test_union_of_statuses(self, store):
        """A set of statuses selects each member of any of them."""
        assert sorted(ids(store, statuses=frozenset({"creator", "invited"}))) == [1, 6]

    def test_empty_set_matches_nothing(self, store):
        """No statuses selects no member, count 0."""
        assert store.course(7).page(Query(course_id=7, statuses=frozenset())).count == 0


class TestOrdering:
    """Orderings with ties by id ascending and nulls at the PostgreSQL ends."""

    def test_joined_at_descending_breaks_ties_by_id(self, store):
        """-joined_at: newest first, the three tied members in id order."""
        assert ids(store, statuses=ALL, ordering="-joined_at") == [6, 3, 4, 5, 2, 1]

    def test_joined_at_ascending_breaks_ties_by_id(self, store):
        """joined_at: oldest first, ties still in id order."""
        assert ids(store, statuses=ALL, ordering="joined_at") == [1, 2, 3, 4, 5, 6]

    def test_last_active_ascending_puts_nulls_last(self, store):
        """last_active_at: nulls after every value, among themselves by id."""
        assert ids(store, statuses=ALL, ordering="last_active_at") == [3, 5, 1, 2, 4, 6]

    def test_last_active_descending_puts_nulls_first(self, store):
        """-last_active_at: nulls before every value, ties by id."""
        assert ids(store, statuses=ALL, ordering="-last_active_at") == [2, 4, 6, 1, 3, 5]


class TestSearch:
    """Search terms as Django's icontains on PostgreSQL."""

    @pytest.mark.parametrize(
        ("search", "expected"),
        [
            (("anna",), [3, 5]),
            (("ANNA", "maria"), [3]),
            (("JOSÉ",), [2]),
            (("jose",), []),
            (("mgr", "álvarez"), [2]),
            (("däum",), [6]),
            (("DÄUM",), [6]),
            (("zzz",), []),
        ],
    )
    def test_terms_match_case_insensitively_without_accent_folding(self, store, search, expected):
        """Every term must be a substring of the username or real name, upper-cased."""
        assert sorted(ids(store, statuses=ALL, terms=search)) == expected

    def test_repeated_search_is_answered_the_same(self, store):
        """A cached answer equals the first one."""
        first = ids(store, statuses=ALL, terms=("a",))
        assert ids(store, statuses=ALL, terms=("a",)) == first


class TestPaging:
    """Slices and counts."""

    def test_slice_and_count(self, store):
        """offset/limit slice the ordered set; count is the whole set."""
        page = store.course(7).page(
            Query(course_id=7, statuses=ALL, ordering="joined_at", offset=2, limit=2)
        )
        assert page.count == 6 and len(page.items) == 2

    def test_offset_past_end_is_empty_with_count(self, store):
        """An offset past the end gives no items and the full count."""
        page = store.course(7).page(Query(course_id=7, statuses=ALL, offset=50))
        assert (page.count, page.items) == (6, [])


class TestLookups:
    """Courses, tokens, roles."""

    def test_unknown_course_raises(self, store):
        """An unknown course id raises CourseNotFound naming it."""
        with pytest.raises(CourseNotFound, match="123"):
            store.course(123)

    def test_token_and_role(self, store):
        """Tokens map to users and users to their status in a course."""
        assert store.user_for_token("t") == 1 and store.user_for_token("x") is None
        assert store.course(7).role(1) == "creator" and store.course(7).role(99) is None


class TestFormatDatetime:
    """Datetimes as the contract writes them."""

    def test_utc_with_z(self):
        """Aware datetimes become UTC with a Z, seconds precision."""
        assert (
            format_datetime(datetime(2023, 4, 5, 10, 20, 30, tzinfo=UTC)) == "2023-04-05T10:20:30Z"
        )


class TestItems:
    """Result items as pre-serialised at load."""

    def test_item_fields_and_datetime_format(self, store):
        """Items carry all eight fields; datetimes are UTC with a Z, null stays null."""
        page = store.course(7).page(Query(course_id=7, statuses=ALL, ordering="joined_at"))
        first, second = (orjson.loads(orjson.dumps(item)) for item in page.items[:2])
        assert first == {
            "id": 1,
            "username": "owner",
            "real_name": "Olga Owner",
            "avatar": None,
            "join_status": "creator",
            "user_completion_rate": 100,
            "last_active_at": format_datetime(_at(20)),
            "joined_at": "2024-01-01T00:00:00Z",
        }
        assert second["last_active_at"] is None

    def test_non_utc_datetimes_are_converted(self):
        """A +02:00 datetime is served as the same instant in UTC."""
        from datetime import timedelta, timezone

        local = datetime(2024, 1, 1, 12, 0, 0, 500, tzinfo=timezone(timedelta(hours=2)))
        dataset = Dataset(
            users={1: USERS[1]},
            courses={1: Course(1, (Membership(1, "creator", local, None, 0),))},
            tokens={},
            source="x",
        )
        item = orjson.loads(
            orjson.dumps(Store(dataset).course(1).page(Query(course_id=1, statuses=ALL)).items[0])
        )
        assert item["joined_at"] == "2024-01-01T10:00:00.000500Z" == format_datetime(local)

    def test_naive_and_zoned_datetimes_order_by_instant(self):
        """Naive values count as UTC and zoned ones by their instant, in sort keys and items."""
        from datetime import timedelta, timezone

        plus_two = timezone(timedelta(hours=2))
        joined = {
            1: datetime(2024, 1, 1, 10, 0),  # naive: 10:00Z
            2: datetime(2024, 1, 1, 11, 0, tzinfo=plus_two),  # 09:00Z
            3: datetime(2024, 1, 1, 9, 30, tzinfo=UTC),
        }
        active = {
            1: None,
            2: datetime(2024, 1, 2, 1, 0, tzinfo=plus_two),
            3: datetime(2024, 1, 1, 23, 30),
        }
        users = {i: User(i, f"u{i}", f"U {i}", None) for i in joined}
        dataset = Dataset(
            users=users,
            courses={
                1: Course(
                    1, tuple(Membership(i, "joined", joined[i], active[i], 0) for i in joined)
                )
            },
            tokens={},
            source="x",
        )
        course = Store(dataset).course(1)
        by_joined = course.page(Query(course_id=1, statuses=ALL, ordering="joined_at")).items
        by_active = course.page(Query(course_id=1, statuses=ALL, ordering="last_active_at")).items
        assert [orjson.loads(orjson.dumps(item))["id"] for item in by_joined] == [2, 3, 1]
        assert [orjson.loads(orjson.dumps(item))["id"] for item in by_active] == [2, 3, 1]
        second = orjson.loads(orjson.dumps(by_joined[0]))
        assert second["last_active_at"] == "2024-01-01T23:00:00Z"
        assert orjson.loads(orjson.dumps(by_joined[2]))["joined_at"] == "2024-01-01T10:00:00Z"


@pytest.fixture(scope="module")
def big() -> tuple[Store, Dataset]:
    """Random members with many ties and nulls, indexed with the n-gram path."""
    import random

    rng = random.Random(11)
    users = {
        i: User(i, f"u{rng.choice('abcxyz')}{i}", f"{rng.choice(['Ann', 'Bo', 'Cé'])} X", None)
        for i in range(1, 3001)
    }
    members = tuple(
        Membership(
            i,
            rng.choice(["creator", "manager", "joined", "joined", "invited", "requested"]),
            _at(rng.randint(1, 5), rng.randint(0, 3)),
            None if rng.random() < 0.3 else _at(rng.randint(10, 12)),
            0,
        )
        for i in rng.sample(range(1, 3001), 3000)
    )
    dataset = Dataset(users=users, courses={1: Course(1, members)}, tokens={}, source="x")
    from course_users.mockserver.data import search

    original = search.NGRAM_MIN_MEMBERS
    search.NGRAM_MIN_MEMBERS = 1000  # take the n-gram path on this course
    try:
        store = Store(dataset)
        assert store.course(1)._search_index._ngrams is not None
        return store, dataset
    finally:
        search.NGRAM_MIN_MEMBERS = original


class TestAgainstBruteForce:
    """A random 3,000-member course: every query agrees with sorting and filtering by hand."""

    @pytest.mark.parametrize(
        "ordering", ["joined_at", "-joined_at", "last_active_at", "-last_active_at"]
    )
    @pytest.mark.parametrize("terms", [(), ("ann",), ("a",), ("ué",), ("cé", "z1"), ("u", "x")])
    @pytest.mark.parametrize(
        "statuses", [ALL, frozenset({"joined"}), frozenset({"creator", "invited"})]
    )
    def test_query(self, big, ordering, terms, statuses):
        """Ids come in the contract's order, filtered by statuses and every term."""
        store, dataset = big
        page = store.course(1).page(
            Query(course_id=1, statuses=statuses, terms=terms, ordering=ordering, limit=10**6)
        )
        got = [orjson.loads(orjson.dumps(item))["id"] for item in page.items]
        assert got == _expected(dataset, statuses, terms, ordering)


def _expected(dataset: Dataset, statuses, terms, ordering: str) -> list[int]:
    rows = []
    for member in dataset.courses[1].members:
        user = dataset.users[member.user_id]
        text = f"{user.username}\t{user.real_name}".upper()
        if member.join_status in statuses and all(t.upper() in text for t in terms):
            rows.append(member)
    field = ordering.lstrip("-")
    descending = ordering.startswith("-")
    rows.sort(key=lambda m: m.user_id)
    present = sorted(
        (m for m in rows if getattr(m, field) is not None),
        key=lambda m: getattr(m, field),
        reverse=descending,
    )
    missing = [m for m in rows if getattr(m, field) is None]
    ordered = missing + present if descending else present + missing
    return [m.user_id for m in ordered]
