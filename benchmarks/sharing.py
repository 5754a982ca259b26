"""Section ``sharing``: one dataset for every worker, and the startup cache.

On one generated one-course dataset (1,000,000 members; 20,000 with ``--quick``):

- restart: the mock with 1 worker started twice on the same file and an empty cache directory,
  process start to the first 200 each time: ``cold`` parses, validates, indexes and writes the
  cache; ``cached`` maps the indexed store back from it.
- memory: the mock with 1 and with 2 workers, each from the cache and with ``--no-cache`` (the
  store built in the parent's heap), after a short load run of the query mix so the workers have
  touched what they serve; RSS, PSS and USS summed over the process tree (benchmarks.usage).
  PSS is the figure to compare: RSS counts every shared page once per worker.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from benchmarks import servers
from benchmarks.bench import Bench
from benchmarks.errors import BenchmarkError
from benchmarks.usage import tree_memory_mib

# A million members take a while to index on a small machine: allow for it.
START_TIMEOUT_S = 900
MODES = {"cached": "--cache-dir", "no_cache": "--no-cache"}


def run(bench: Bench) -> dict[str, object]:
    """Restart times, then memory per mode and worker count; what cannot run is recorded."""
    members = bench.settings.sharing_members
    print(f"[sharing] {members:,} members ...", flush=True)
    try:
        dataset, generation_s = bench.artifacts.dataset(members, bench.settings.seed)
    except BenchmarkError as error:
        return {"error": str(error)}
    cache_dir = bench.cache / "startup-cache"
    shutil.rmtree(cache_dir, ignore_errors=True)  # the first start must be a cold one
    restart = {
        start: _startup(bench, dataset, f"mock-restart-{start}", ("--cache-dir", str(cache_dir)))
        for start in ("cold", "cached")
    }
    memory = {}
    for mode, option in MODES.items():
        extra = ("--cache-dir", str(cache_dir)) if option == "--cache-dir" else (option,)
        memory[mode] = {
            f"{workers}w": _memory(bench, dataset, workers, extra) for workers in (1, 2)
        }
        memory[mode]["pss_ratio_2w_1w"] = _ratio(memory[mode], "pss_mib")
        memory[mode]["rss_ratio_2w_1w"] = _ratio(memory[mode], "rss_mib")
    return {
        "members": members,
        "dataset": dataset.name,
        "dataset_mib": round(dataset.stat().st_size / 2**20, 1),
        "generation_s": generation_s,
        "restart": restart,
        "memory": memory,
    }


def _startup(bench: Bench, dataset: Path, name: str, extra: tuple[str, ...]) -> dict[str, object]:
    config = servers.mock(
        name, workers=1, fixtures=dataset, extra=extra, start_timeout_s=START_TIMEOUT_S
    )
    try:
        with bench.serve(config) as server:
            return {"first_200_s": round(server.startup_s or 0.0, 2)}
    except BenchmarkError as error:
        return {"error": str(error)}


def _memory(bench: Bench, dataset: Path, workers: int, extra: tuple[str, ...]) -> dict[str, object]:
    name = f"mock-memory-{workers}w{'-no-cache' if '--no-cache' in extra else ''}"
    config = servers.mock(
        name, workers=workers, fixtures=dataset, extra=extra, start_timeout_s=START_TIMEOUT_S
    )
    try:
        with bench.serve(config) as server:
            load = bench.load(
                server,
                config,
                duration_s=bench.settings.scale_duration_s,
                warmup_s=bench.settings.scale_warmup_s,
            )
            figures = tree_memory_mib(server.pid) or {}
    except BenchmarkError as error:
        return {"error": str(error)}
    return {**figures, "rps": load.rps, "errors": load.total_errors}


def _ratio(runs: dict[str, dict], figure: str) -> float | None:
    one, two = runs.get("1w", {}).get(figure), runs.get("2w", {}).get(figure)
    return round(two / one, 2) if one and two else None
