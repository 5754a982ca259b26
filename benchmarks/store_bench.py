"""How much one store query costs, by course size: the mock's indexes, without HTTP.

    python benchmarks/store_bench.py            # 100, 10,000 and 1,000,000 members
    python benchmarks/store_bench.py --quick    # 100 and 10,000 members, fewer repetitions
    python benchmarks/store_bench.py --app      # CPU per request of the whole ASGI app instead
    python benchmarks/store_bench.py --app --profile  # where the mock's request time goes
    python benchmarks/store_bench.py --load FILE  # load + validate + index one fixtures file

For each size it builds one course (small sizes with `fixtures.generate_dataset`; 1,000,000 with a
fast vectorised builder, since Faker needs minutes for that many), indexes it with
`mockserver.data.store.Store`, and times queries: a plain first page, a deep page, status filters,
each ordering, and search (a repeated term, answered from the search cache, and cold terms never
asked before). Prints a Markdown table of median and p99 microseconds per query.

`--app` instead calls ASGI apps in-process (no network, no server) and prints the CPU time per
request of: a bare Starlette route returning a fixed body (the ceiling), Connexion's AsyncApp with
its default middlewares and a handler returning that fixed body, and the mock itself. With
`--profile` it runs the mock's loop under cProfile instead and prints its top entries by own time
(cProfile's overhead inflates every figure several times over: read the shares, not the µs).

`--load FILE` does what the server does at startup, in this process: `fixtures.load_dataset(FILE)`
(parse and validate) then `Store(dataset)` (index), and prints the wall time of each step and the
process's peak resident memory (ru_maxrss) after each, with the load average (the machine may be
shared). Run it on a fresh interpreter: the peak is the whole process's.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import string
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy

if __package__ in (None, ""):  # run as a script: make the repo's packages importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from course_users.fixtures.model import JOIN_STATUSES, STATUSES, Course, Dataset, Membership, User
from course_users.mockserver.data.store import ORDERINGS, Query, Store
from course_users.openapi.contract import CONTRACT

FAKER_LIMIT = 20_000  # above this, build the dataset with the fast builder
FIRST = ["ANNA", "José", "Marco", "Zoë", "Li", "Ewa", "Hans", "María", "Noah", "Olga", "Tom"]
LAST = ["Rossi", "Álvarez", "Müller", "Nowak", "Wang", "García", "Smith", "Dubois", "Kowalski"]


def fast_dataset(members: int, seed: int = 1) -> Dataset:
    """One course of `members` members with random names, statuses, ties and null activity."""
    rng = random.Random(seed)
    start = datetime(2021, 1, 1, tzinfo=UTC)
    users: dict[int, User] = {}
    memberships: list[Membership] = []
    weights = (0, 3, 80, 10, 7)  # creator is added separately
    statuses = rng.choices(JOIN_STATUSES, weights=weights, k=members - 1)
    for user_id in range(1, members + 1):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        handle = "".join(rng.choices(string.ascii_lowercase + string.digits, k=8))
        users[user_id] = User(user_id, f"{handle}_{user_id}", name, None)
        status = STATUSES.creator if user_id == 1 else statuses[user_id - 2]
        joined = start + timedelta(minutes=rng.randrange(1_500_000))  # ~3 years: many ties
        active = None if rng.random() < 0.2 else joined + timedelta(minutes=rng.randrange(100_000))
        memberships.append(Membership(user_id, status, joined, active, rng.randrange(101)))
    course = Course(1, tuple(memberships))
    return Dataset(users, {1: course}, {"creator-token": 1}, f"fast(members={members})")


def build(members: int) -> Dataset:
    """The dataset for one size: Faker-made when that is quick enough, else the fast builder."""
    if members <= FAKER_LIMIT:
        from course_users.fixtures.generator import generate_dataset

        return generate_dataset(courses=1, members=members, seed=1)
    return fast_dataset(members)


def timed(run: Callable[[], object], repeat: int) -> list[float]:
    """Microseconds of each of `repeat` calls."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1e6)
    return samples


def cases(store: Store, size: int) -> dict[str, Callable[[], object]]:
    """The named queries, each a zero-argument callable."""
    course = store.course(1)
    everyone = frozenset(JOIN_STATUSES)
    middle = course.page(Query(course_id=1)).count // 2
    named: dict[str, Callable[[], object]] = {
        "plain first page": lambda: course.page(Query(course_id=1)),
        "deep page (middle)": lambda: course.page(Query(course_id=1, offset=middle)),
        f"statuses={STATUSES.invited}": lambda: course.page(
            Query(course_id=1, statuses=frozenset({STATUSES.invited}))
        ),
        "statuses=all five": lambda: course.page(Query(course_id=1, statuses=everyone)),
    }
    for ordering in ORDERINGS:
        named[f"ordering={ordering}"] = lambda o=ordering: course.page(
            Query(course_id=1, statuses=everyone, ordering=o)
        )
    named["search 'anna' (repeated)"] = lambda: course.page(Query(course_id=1, terms=("anna",)))
    named["search 'josé rossi' (repeated)"] = lambda: course.page(
        Query(course_id=1, terms=("josé", "rossi"))
    )
    return named


def cold_search(store: Store, repeat: int) -> dict[str, list[float]]:
    """Search terms never asked before (so not cached): a rare and a common kind."""
    course = store.course(1)
    rng = random.Random(7)
    rare = [
        "".join(rng.choices(string.ascii_lowercase + string.digits, k=4)) for _ in range(repeat)
    ]
    common = [f"{a}{b}" for a in "aeiou" for b in "nrst"][:repeat]
    out = {}
    for label, terms in (
        ("cold rare term (4 chars)", rare),
        ("cold common term (2 chars)", common),
    ):
        samples = []
        for term in terms:
            started = time.perf_counter()
            course.page(Query(course_id=1, terms=(term,)))
            samples.append((time.perf_counter() - started) * 1e6)
        out[label] = samples
    return out


def percentile(samples: Sequence[float], percent: float) -> float:
    """The `percent` percentile by nearest rank (numpy's inverted CDF): always a measured sample."""
    return float(numpy.percentile(samples, percent, method="inverted_cdf"))


def app_costs(requests: int = 2000) -> list[tuple[str, float]]:
    """CPU microseconds per request (best of 5 rounds) for the three ASGI stacks."""
    import asyncio
    import copy
    import logging

    from connexion import AsyncApp
    from connexion.resolver import Resolver
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    from course_users.mockserver.api.security import bearer_handler_class
    from course_users.mockserver.api.state import AppState
    from course_users.mockserver.serving.app import create_app
    from course_users.mockserver.settings import Settings
    from course_users.openapi import load_spec

    logging.basicConfig(level="WARNING")
    settings = Settings.load({"log_level": "warning"}, {})
    state = AppState.load(settings)
    body = b"x" * 6000  # about one default page

    async def fixed(*_args: object, **_kwargs: object) -> Response:
        return Response(body, media_type="application/json")

    class FixedResolver(Resolver):
        def resolve_function_from_operation_id(self, operation_id: str) -> object:
            return fixed

    connexion_app = AsyncApp(
        __name__,
        resolver=FixedResolver(),
        security_map={CONTRACT.auth_scheme: bearer_handler_class(state)},
    )
    connexion_app.add_api(copy.deepcopy(load_spec()))
    stacks = {
        "bare Starlette route, fixed body": Starlette(
            routes=[Route(CONTRACT.base_path + CONTRACT.path, fixed)]
        ),
        "Connexion AsyncApp defaults, fixed-body handler": connexion_app,
        "the mock (create_app), default page": create_app(settings, state),
    }
    return [(name, asyncio.run(_cpu_per_request(app, requests))) for name, app in stacks.items()]


def app_profile(requests: int = 20_000, top: int = 25) -> str:
    """cProfile's top entries (own time) over `requests` calls of the mock's ASGI app."""
    import asyncio
    import cProfile
    import io
    import logging
    import pstats

    from course_users.mockserver.api.state import AppState
    from course_users.mockserver.serving.app import create_app
    from course_users.mockserver.settings import Settings

    logging.basicConfig(level="WARNING")
    settings = Settings.load({"log_level": "warning"}, {})
    app = create_app(settings, AppState.load(settings))
    asyncio.run(_cpu_per_request(app, 100))  # warm up, as the timed loop does
    profile = cProfile.Profile()
    profile.enable()
    asyncio.run(_requests(app, requests))
    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).strip_dirs().sort_stats("tottime").print_stats(top)
    return out.getvalue()


# One authenticated GET of course 1's first page, as uvicorn would pass it.
_PAGE_PATH = CONTRACT.base_path + CONTRACT.path.replace("{id}", "1")
_SCOPE = {
    "type": "http",
    "asgi": {"version": "3.0"},
    "http_version": "1.1",
    "method": "GET",
    "scheme": "http",
    "path": _PAGE_PATH,
    "raw_path": _PAGE_PATH.encode(),
    "root_path": "",
    "query_string": b"",
    "headers": [(b"host", b"127.0.0.1:8000"), (b"authorization", b"Bearer creator-token")],
    "client": ("127.0.0.1", 5555),
    "server": ("127.0.0.1", 8000),
}


async def _cpu_per_request(app: Callable, requests: int) -> float:
    """Best-of-5 CPU microseconds for one authenticated GET of course 1's first page."""
    statuses: list[int] = []

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await _requests(app, 300, send)  # warm up: lazy stacks and caches
    best = float("inf")
    for _ in range(5):
        started = time.process_time()
        await _requests(app, requests, send)
        best = min(best, (time.process_time() - started) / requests * 1e6)
    if set(statuses) != {200}:
        raise RuntimeError(f"unexpected statuses {sorted(set(statuses))}")
    return best


async def _requests(app: Callable, count: int, send: Callable | None = None) -> None:
    """`count` authenticated GETs of course 1's first page, in-process."""

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def ignore(_message: dict) -> None:
        return None

    for _ in range(count):
        await app(dict(_SCOPE, state={}, extensions={}), receive, send or ignore)


def load_costs(path: Path) -> list[tuple[str, float, float]]:
    """Wall seconds and peak RSS (MB) after loading + validating `path`, then after indexing it."""
    from course_users.fixtures import load_dataset

    steps = []
    started = time.perf_counter()
    dataset = load_dataset(path)
    loaded = time.perf_counter()
    steps.append(("load + validate", loaded - started, _peak_mb()))
    Store(dataset)
    indexed = time.perf_counter()
    steps.append(("index (Store)", indexed - loaded, _peak_mb()))
    steps.append(("total", indexed - started, _peak_mb()))
    return steps


def _peak_mb() -> float:
    """This process's peak resident memory so far, in MB (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the table; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 and 10,000 members only")
    parser.add_argument("--sizes", help="comma-separated member counts (overrides the default)")
    parser.add_argument("--app", action="store_true", help="CPU per request of the ASGI stacks")
    parser.add_argument(
        "--profile", action="store_true", help="with --app: cProfile of the mock's request loop"
    )
    parser.add_argument(
        "--load", type=Path, metavar="FILE", help="time and peak memory of loading + indexing FILE"
    )
    options = parser.parse_args(argv)
    if options.load:
        print("| step | wall s | peak RSS MB |\n| --- | --- | --- |")
        for name, seconds, peak in load_costs(options.load):
            print(f"| {name} | {seconds:.1f} | {peak:,.0f} |")
        print(f"load average: {os.getloadavg()[0]:.1f}")
        return 0
    if options.app and options.profile:
        print(app_profile())
        return 0
    if options.app:
        print("| stack | CPU per request |\n| --- | --- |")
        for name, micros in app_costs(500 if options.quick else 2000):
            print(f"| {name} | {micros:,.0f} µs |")
        return 0
    sizes = [100, 10_000] if options.quick else [100, 10_000, 1_000_000]
    if options.sizes:
        sizes = [int(size) for size in options.sizes.split(",")]
    repeat = 30 if options.quick else 200
    rows: list[tuple[str, int, float, float]] = []
    for size in sizes:
        started = time.perf_counter()
        dataset = build(size)
        built = time.perf_counter()
        store = Store(dataset)
        indexed = time.perf_counter()
        print(
            f"{size:>9,} members: dataset {built - started:.1f} s, index {indexed - built:.1f} s",
            file=sys.stderr,
        )
        for name, run in cases(store, size).items():
            run()  # first call builds lazy indexes and caches; measured separately below
            rows.append((name, size, *_stats(timed(run, repeat))))
        for name, samples in cold_search(store, min(repeat, 20)).items():
            rows.append((name, size, *_stats(samples)))
    print_table(rows, sizes)
    return 0


def _stats(samples: list[float]) -> tuple[float, float]:
    return percentile(samples, 50), percentile(samples, 99)


def print_table(rows: list[tuple[str, int, float, float]], sizes: list[int]) -> None:
    """Markdown: one line per query, median / p99 microseconds per size."""
    header = "| query | " + " | ".join(f"{s:,} members (median / p99 µs)" for s in sizes) + " |"
    print(header)
    print("|" + " --- |" * (len(sizes) + 1))
    names = list(dict.fromkeys(name for name, *_ in rows))
    for name in names:
        cells = []
        for size in sizes:
            found = [(m, p) for n, s, m, p in rows if n == name and s == size]
            cells.append(f"{found[0][0]:,.0f} / {found[0][1]:,.0f}" if found else "-")
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    sys.exit(main())
