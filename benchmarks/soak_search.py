"""Soak the mock's search cache: a stream of distinct random searches, resident memory over time.

    .venv/bin/python -m benchmarks.soak_search                  # 10 minutes (the recorded run)
    .venv/bin/python -m benchmarks.soak_search --duration 20    # a smoke run

Issue #11 case 10: search answers are cached, and searches matching nobody once counted nothing
towards the cache's bound, so a stream of distinct terms grew the mock without limit. This starts
`python -m mockserver` (default dataset, one worker), sends distinct random search values from a
few client threads (short terms, values at the 1,000-character limit, non-ASCII ones; almost none
match anybody) and samples the server's resident memory (psutil, RSS) every few seconds. After
the warm-up the cache is full and evicting: memory must stay flat. Prints one Markdown table.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from benchmarks import servers
from benchmarks.errors import BenchmarkError
from benchmarks.queries import AUTH_HEADER
from benchmarks.servers import API_BASE
from benchmarks.usage import tree_rss_mib

REPO = Path(__file__).resolve().parent.parent
AUTH = dict([AUTH_HEADER])
ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789éßøł日本語\U0001d518"
SAMPLE_EVERY_S = 5.0


def random_search(rng: random.Random) -> str:
    """A search value nobody asked before: one short term, several, or one at the length limit."""
    kind = rng.random()
    if kind < 0.5:
        length = rng.randint(4, 40)
    elif kind < 0.8:
        return " ".join(random_search_term(rng, rng.randint(3, 19)) for _ in range(50))[:1000]
    else:
        length = 1000
    return random_search_term(rng, length)


def random_search_term(rng: random.Random, length: int) -> str:
    """`length` random characters from ALPHABET."""
    return "".join(rng.choices(ALPHABET, k=length))


def drive(url: str, seed: int, stop: threading.Event, counts: list[int]) -> None:
    """Send distinct random searches until `stop`; count answers and non-200s."""
    rng = random.Random(seed)
    with httpx.Client(timeout=60) as client:
        while not stop.is_set():
            response = client.get(url, params={"search": random_search(rng)}, headers=AUTH)
            counts[0] += 1
            counts[1] += response.status_code != 200


def soak(duration_s: float, warmup_s: float, clients: int) -> dict[str, object]:
    """Run the soak; return the memory samples (seconds, MiB) and the request counts."""
    config = servers.mock("mock-soak-search", workers=1, extra=("--log-level", "warning"))
    with tempfile.TemporaryDirectory() as folder:
        try:
            with servers.serving(config, Path(folder), cwd=REPO) as server:
                return _soak(server.pid, server.port, duration_s, warmup_s, clients)
        except BenchmarkError as error:
            raise SystemExit(f"benchmarks.soak_search: error: {error}") from None


def _soak(pid: int, port: int, duration_s: float, warmup_s: float, clients: int) -> dict:
    url = f"http://127.0.0.1:{port}{API_BASE}/course/1/users/"
    stop = threading.Event()
    counts = [[0, 0] for _ in range(clients)]
    threads = [
        threading.Thread(target=drive, args=(url, seed, stop, counts[seed]), daemon=True)
        for seed in range(clients)
    ]
    samples: list[tuple[float, float]] = []
    started = time.monotonic()
    try:
        samples.append((0.0, tree_rss_mib(pid) or 0.0))
        for thread in threads:
            thread.start()
        while (elapsed := time.monotonic() - started) < duration_s:
            time.sleep(min(SAMPLE_EVERY_S, max(0.0, duration_s - elapsed)))
            samples.append((time.monotonic() - started, tree_rss_mib(pid) or 0.0))
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    after_warmup = next((mib for seconds, mib in samples if seconds >= warmup_s), samples[-1][1])
    return {
        "start": samples[0][1],
        "after_warmup": after_warmup,
        "end": samples[-1][1],
        "max": max(mib for _, mib in samples),
        "requests": sum(count[0] for count in counts),
        "non_200": sum(count[1] for count in counts),
        "samples": samples,
    }


def main(argv: list[str] | None = None) -> int:
    """Parse options, run the soak, print the figures as Markdown."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.soak_search", description=__doc__)
    parser.add_argument("--duration", type=float, default=600.0, help="seconds (default 600)")
    parser.add_argument("--warmup", type=float, default=None, help="seconds (default 10%%)")
    parser.add_argument("--clients", type=int, default=2, help="client threads (default 2)")
    args = parser.parse_args(argv)
    warmup = args.duration / 10 if args.warmup is None else args.warmup
    result = soak(args.duration, warmup, args.clients)
    print("| start | after warm-up | end | max | requests | non-200 |")
    print("| --- | --- | --- | --- | --- | --- |")
    print(
        f"| {result['start']:.1f} MiB | {result['after_warmup']:.1f} MiB "
        f"| {result['end']:.1f} MiB | {result['max']:.1f} MiB "
        f"| {result['requests']:,} | {result['non_200']:,} |"
    )
    print()
    print("samples (s, MiB): " + ", ".join(f"{s:.0f}:{m:.1f}" for s, m in result["samples"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
