"""Section ``scale``: the mock (1 worker) on generated one-course datasets of growing size.

Per size: startup (process start to the first 200, i.e. load + validate + index), then one load
run per query kind (each kind alone, so a slow kind is not hidden in the mix; ``search`` repeats
one term, ``search_fresh`` sends a different term each request), then the peak resident memory
(VmHWM) of the server process.
"""

from __future__ import annotations

from benchmarks import servers
from benchmarks.bench import Bench
from benchmarks.errors import BenchmarkError
from benchmarks.queries import SCALE_KINDS, fresh_terms
from benchmarks.usage import tree_peak_rss_mib, tree_rss_mib

# The README's worker count for a 2-core machine; issue 15 judges the million-member p99 at it.
RECOMMENDED_WORKERS = 2


def run(bench: Bench) -> dict[str, object]:
    """Measure every configured size; a size that cannot run is recorded with its error."""
    sizes = {}
    for members in bench.settings.scale_sizes:
        print(f"[scale] {members:,} members ...", flush=True)
        sizes[str(members)] = measure_size(bench, members)
    largest = max(bench.settings.scale_sizes)
    if "error" not in sizes[str(largest)]:
        print(f"[scale] {largest:,} members, {RECOMMENDED_WORKERS} workers ...", flush=True)
        sizes[str(largest)]["recommended"] = measure_kinds_at_recommended_workers(bench, largest)
    return {
        "connections": bench.settings.connections,
        "duration_s": bench.settings.scale_duration_s,
        "sizes": sizes,
    }


def measure_size(bench: Bench, members: int) -> dict[str, object]:
    """Generate (or reuse) the dataset, start the mock on it, measure each query kind alone."""
    try:
        dataset, generation_s = bench.artifacts.dataset(members, bench.settings.seed)
        # Loading a million members takes a while: allow for it before calling the start failed.
        # --no-cache: the startup measured is load + validate + index (section sharing has the
        # restart from the startup cache).
        config = servers.mock(
            f"mock-scale-{members}",
            workers=1,
            fixtures=dataset,
            extra=("--no-cache",),
            start_timeout_s=600,
        )
        with bench.serve(config) as server:
            rss_after_start = tree_rss_mib(server.pid)
            kinds = measure_kinds(bench, server, config)
            peak = tree_peak_rss_mib(server.pid)
            startup = server.startup_s
    except BenchmarkError as error:
        return {"error": str(error)}
    return {
        "workers": 1,
        "dataset": dataset.name,
        "dataset_mib": round(dataset.stat().st_size / 2**20, 1),
        "generation_s": generation_s,
        "startup_s": round(startup or 0.0, 2),
        "rss_mib_after_start": rss_after_start,
        "peak_rss_mib": peak,
        "kinds": kinds,
    }


def measure_kinds(bench: Bench, server: object, config: servers.ServerConfig) -> dict[str, dict]:
    """One load run per query kind, each alone, on a started server."""
    kinds = {}
    for query in SCALE_KINDS:
        load = bench.load(
            server,
            config,
            (query,),
            duration_s=bench.settings.scale_duration_s,
            warmup_s=bench.settings.scale_warmup_s,
        )
        kinds[query.kind] = {"status": bench.statuses(server, config, (query,))[query.kind]}
        kinds[query.kind].update(load.as_dict())
        if query.fresh_terms:
            # More requests than terms means later ones could be answered from the cache.
            kinds[query.kind]["distinct_terms"] = len(fresh_terms()[1])
    return kinds


def measure_kinds_at_recommended_workers(bench: Bench, members: int) -> dict[str, object]:
    """The same query kinds on the same dataset, served by the README's worker count."""
    try:
        dataset, _ = bench.artifacts.dataset(members, bench.settings.seed)
        config = servers.mock(
            f"mock-scale-{members}-{RECOMMENDED_WORKERS}w",
            workers=RECOMMENDED_WORKERS,
            fixtures=dataset,
            start_timeout_s=600,
        )
        with bench.serve(config) as server:
            kinds = measure_kinds(bench, server, config)
    except BenchmarkError as error:
        return {"workers": RECOMMENDED_WORKERS, "error": str(error)}
    return {"workers": RECOMMENDED_WORKERS, "kinds": kinds}
