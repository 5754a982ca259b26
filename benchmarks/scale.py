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


def run(bench: Bench) -> dict[str, object]:
    """Measure every configured size; a size that cannot run is recorded with its error."""
    sizes = {}
    for members in bench.settings.scale_sizes:
        print(f"[scale] {members:,} members ...", flush=True)
        sizes[str(members)] = measure_size(bench, members)
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
            peak = tree_peak_rss_mib(server.pid)
            startup = server.startup_s
    except BenchmarkError as error:
        return {"error": str(error)}
    return {
        "dataset": dataset.name,
        "dataset_mib": round(dataset.stat().st_size / 2**20, 1),
        "generation_s": generation_s,
        "startup_s": round(startup or 0.0, 2),
        "rss_mib_after_start": rss_after_start,
        "peak_rss_mib": peak,
        "kinds": kinds,
    }
