"""Section ``compare``: the mock, Prism (static, dynamic) and the ceiling, one after another.

Each server gets the same query mix, connections, warm-up and duration. The mock is measured
with 1 worker and with 2 (uvloop, the CLI's loop), each with its default access log and quiet
(``--log-level warning``); the ceiling with the same worker counts so mock/ceiling compares like
with like; Prism with its default (info) logging and quiet (``-v error``), since logging costs
both of them a large share of their throughput. Like is compared with like: logging mock with
logging Prism, and the best setup of each.
"""

from __future__ import annotations

from collections.abc import Callable

from benchmarks import servers
from benchmarks.bench import Bench
from benchmarks.errors import BenchmarkError
from benchmarks.servers import ServerConfig
from benchmarks.usage import tree_rss_mib

ConfigFactory = Callable[[Bench], ServerConfig]
QUIET = ("--log-level", "warning")  # the mock's access lines are INFO

SETUPS: tuple[tuple[str, ConfigFactory], ...] = (
    ("mock-1w", lambda bench: servers.mock("mock-1w", workers=1)),
    ("mock-2w", lambda bench: servers.mock("mock-2w", workers=2)),
    ("mock-1w-quiet", lambda bench: servers.mock("mock-1w-quiet", workers=1, extra=QUIET)),
    ("mock-2w-quiet", lambda bench: servers.mock("mock-2w-quiet", workers=2, extra=QUIET)),
    ("ceiling-1w", lambda bench: servers.ceiling("ceiling-1w", workers=1)),
    ("ceiling-2w", lambda bench: servers.ceiling("ceiling-2w", workers=2)),
    (
        "prism-static",
        lambda bench: servers.prism("prism-static", bench.prism(), bench.spec(), False, False),
    ),
    (
        "prism-static-quiet",
        lambda bench: servers.prism("prism-static-quiet", bench.prism(), bench.spec(), False, True),
    ),
    (
        "prism-dynamic",
        lambda bench: servers.prism("prism-dynamic", bench.prism(), bench.spec(), True, False),
    ),
    (
        "prism-dynamic-quiet",
        lambda bench: servers.prism("prism-dynamic-quiet", bench.prism(), bench.spec(), True, True),
    ),
)

MOCKS_LOGGING = ("mock-1w", "mock-2w")
MOCKS = (*MOCKS_LOGGING, "mock-1w-quiet", "mock-2w-quiet")
PRISM_STATIC = ("prism-static", "prism-static-quiet")
PRISM_DYNAMIC = ("prism-dynamic", "prism-dynamic-quiet")


def run(bench: Bench) -> dict[str, object]:
    """Measure every setup; a setup that cannot run is recorded with its error."""
    results = {}
    for name, factory in SETUPS:
        print(f"[compare] {name} ...", flush=True)
        results[name] = measure_setup(bench, factory)
    return {"servers": results, "ratios": ratios(results)}


def measure_setup(bench: Bench, factory: ConfigFactory) -> dict[str, object]:
    """Start one setup, record each query kind's status, warm up, measure, read its memory."""
    try:
        config = factory(bench)
        with bench.serve(config) as server:
            statuses = bench.statuses(server, config)
            load = bench.load(server, config)
            rss = tree_rss_mib(server.pid)
            startup = server.startup_s
    except BenchmarkError as error:
        return {"error": str(error)}
    return {
        "description": config.description,
        "workers": config.workers,
        "startup_s": round(startup or 0.0, 3),
        "statuses": statuses,
        "rss_mib": rss,
        "load": load.as_dict(),
    }


def _rps(results: dict[str, dict], name: str) -> float | None:
    load = results.get(name, {}).get("load")
    return load["rps"] if load else None


def _best(results: dict[str, dict], names: tuple[str, ...]) -> str | None:
    measured = [name for name in names if _rps(results, name)]
    return max(measured, key=lambda name: _rps(results, name)) if measured else None


def _ratio(results: dict[str, dict], label: str, top: str | None, bottom: str | None) -> dict:
    top_rps = _rps(results, top) if top else None
    bottom_rps = _rps(results, bottom) if bottom else None
    value = round(top_rps / bottom_rps, 2) if top_rps and bottom_rps else None
    return {"label": label, "numerator": top, "denominator": bottom, "value": value}


def ratios(results: dict[str, dict]) -> dict[str, dict]:
    """Throughput ratios: the best mock against each Prism mode, each mock against its ceiling."""
    mock, logging_mock = _best(results, MOCKS), _best(results, MOCKS_LOGGING)
    static, dynamic = _best(results, PRISM_STATIC), _best(results, PRISM_DYNAMIC)
    one_worker = _best(results, ("mock-1w", "mock-1w-quiet"))
    two_workers = _best(results, ("mock-2w", "mock-2w-quiet"))
    return {
        "mock_vs_prism_static": _ratio(results, "best mock / best Prism static", mock, static),
        "mock_vs_prism_static_default_log": _ratio(
            results, "mock / Prism static, both logging", logging_mock, "prism-static"
        ),
        "mock_vs_prism_dynamic": _ratio(results, "best mock / best Prism dynamic", mock, dynamic),
        "mock_vs_prism_dynamic_default_log": _ratio(
            results, "mock / Prism dynamic, both logging", logging_mock, "prism-dynamic"
        ),
        "mock_1w_quiet_vs_prism_static_quiet": _ratio(
            results,
            "mock 1 worker / Prism static, both quiet",
            "mock-1w-quiet",
            "prism-static-quiet",
        ),
        "mock_vs_ceiling_1w": _ratio(
            results, "best mock / ceiling, 1 worker", one_worker, "ceiling-1w"
        ),
        "mock_vs_ceiling_2w": _ratio(
            results, "best mock / ceiling, 2 workers", two_workers, "ceiling-2w"
        ),
    }
