"""Section ``soak``: the mock under steady load for a minute, errors and memory over time.

The mock runs with the recommended setup (2 workers, uvloop) on the default dataset; 64
connections rotate the query mix. Resident memory (summed over the process tree) is sampled
before the warm-up, after it, every few seconds during the run and at the end: it must stay flat.
"""

from __future__ import annotations

import threading
import time

from benchmarks import servers
from benchmarks.bench import Bench
from benchmarks.errors import BenchmarkError
from benchmarks.loadgen import LoadResult
from benchmarks.usage import tree_rss_mib

WORKERS = 2
# Growth allowed before calling memory "not flat": allocator noise, not a leak.
FLAT_TOLERANCE = 0.10


def run(bench: Bench) -> dict[str, object]:
    """Start the mock, warm it up, load it for the soak duration while sampling its memory."""
    settings = bench.settings
    config = servers.mock("mock-soak", workers=WORKERS)
    print(f"[soak] {settings.soak_duration_s:.0f} s at {settings.soak_connections} conns ...")
    try:
        with bench.serve(config) as server:
            rss_start = tree_rss_mib(server.pid)
            bench.load(
                server,
                config,
                connections=settings.soak_connections,
                duration_s=settings.warmup_s,
                warmup_s=0,
            )
            rss_before = tree_rss_mib(server.pid)
            load, samples = _load_while_sampling(bench, server, config)
            rss_after = tree_rss_mib(server.pid)
    except BenchmarkError as error:
        return {"error": str(error)}
    growth = (rss_after - rss_before) / rss_before if rss_before and rss_after else None
    return {
        "description": config.description,
        "connections": settings.soak_connections,
        "duration_s": settings.soak_duration_s,
        "rss_mib_idle": rss_start,
        "rss_mib_before": rss_before,
        "rss_mib_after": rss_after,
        "rss_growth": round(growth, 4) if growth is not None else None,
        "rss_flat": growth is not None and growth <= FLAT_TOLERANCE,
        "rss_samples_mib": samples,
        "load": load.as_dict(),
    }


def _load_while_sampling(bench: Bench, server, config) -> tuple[LoadResult, list[list[float]]]:
    settings = bench.settings
    outcome: dict[str, object] = {}

    def drive() -> None:
        try:
            outcome["load"] = bench.load(
                server,
                config,
                connections=settings.soak_connections,
                duration_s=settings.soak_duration_s,
                warmup_s=0,
            )
        except BenchmarkError as error:
            outcome["error"] = error

    worker = threading.Thread(target=drive, daemon=True)
    started = time.monotonic()
    worker.start()
    samples: list[list[float]] = []
    deadline = started + settings.soak_duration_s + settings.timeout_s + 60
    while worker.is_alive() and time.monotonic() < deadline:
        worker.join(settings.soak_sample_every_s)
        samples.append([round(time.monotonic() - started, 1), tree_rss_mib(server.pid) or 0.0])
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    if "load" not in outcome:
        raise BenchmarkError("the soak load did not finish in time")
    return outcome["load"], samples  # type: ignore[return-value]
