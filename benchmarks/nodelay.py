"""Section ``nodelay``: the uvicorn 0.54 multi-worker TCP_NODELAY trap, measured.

Kludex/uvicorn#3149: with several workers on the default asyncio loop, accepted sockets do not
get TCP_NODELAY, so Nagle's algorithm and delayed ACKs stall each response ~40 ms; uvloop sets
TCP_NODELAY itself and is not affected. We run the ceiling and the mock under uvicorn with
2 workers on uvloop and on asyncio, plus asyncio with 1 worker as the control: the p50 shows it.
"""

from __future__ import annotations

from benchmarks import servers
from benchmarks.bench import Bench
from benchmarks.errors import BenchmarkError
from benchmarks.servers import ServerConfig

# The mock's app factory for uvicorn workers (settings from MOCKSERVER_*; defaults here):
# the mock CLI always picks uvloop, so the asyncio variants need uvicorn started directly.
MOCK_APP = "course_users.mockserver.serving.app:create_app_from_environment"
MOCK_APP_IS_FACTORY = True
VARIANTS = (("uvloop", 2), ("asyncio", 2), ("asyncio", 1))


def setups() -> list[ServerConfig]:
    """Ceiling and mock, each on every (loop, workers) variant."""
    configs = []
    for loop, workers in VARIANTS:
        suffix = f"{loop}-{workers}w"
        configs.append(servers.ceiling(f"ceiling-{suffix}", workers, loop))
        configs.append(
            servers.uvicorn_app(
                f"mock-{suffix}", "mock", MOCK_APP, workers, loop, factory=MOCK_APP_IS_FACTORY
            )
        )
    return configs


def run(bench: Bench) -> dict[str, object]:
    """Measure each variant with the query mix; p50 near 40 ms marks the trap."""
    results: dict[str, object] = {}
    for config in setups():
        print(f"[nodelay] {config.name} ...", flush=True)
        try:
            with bench.serve(config) as server:
                load = bench.load(server, config, duration_s=bench.settings.nodelay_duration_s)
        except BenchmarkError as error:
            results[config.name] = {"error": str(error)}
            continue
        results[config.name] = {"description": config.description, "load": load.as_dict()}
    return {"servers": results}
