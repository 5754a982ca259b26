"""Proxy overhead: the mock served direct, and the same mock behind `mockserver --proxy`, one run.

    python -m benchmarks.proxy_overhead [--duration 10] [--connections 16]

Two processes: the mock on the default dataset (the upstream) and the proxy in front of it
(`python -m mockserver --proxy http://127.0.0.1:<upstream>`). The same load generator and the
query mix of the other benchmarks (`benchmarks.queries`) drive the upstream directly, then the
proxy, after a warm-up of each; the table gives req/s, p50 and p99 side by side. Both run with
--log-level warning (no access log), so a figure is the forwarding and the contract watch, not
logging. The machine's cores are shared by the load generator and both servers: the proxied run
has one more process competing, which is part of what a proxy costs on one machine.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path

from benchmarks import servers
from benchmarks.errors import BenchmarkError, ToolError
from benchmarks.loadgen import LoadResult, LoadSpec, WrkLoadGenerator, select_load_generator
from benchmarks.queries import AUTH_HEADER, paths
from benchmarks.servers import API_BASE

WARMUP_S = 3.0
QUIET = ("--log-level", "warning")


@contextmanager
def mock_process(name: str, log_dir: Path, *args: str) -> Iterator[int]:
    """The mock (1 worker, quiet) with `args`, on a free port until the block ends; yields it."""
    config = servers.mock(name, workers=1, extra=(*QUIET, *args))
    with servers.serving(config, log_dir) as server:
        yield server.port


def measure(
    generator: WrkLoadGenerator, port: int, duration: float, connections: int
) -> LoadResult:
    """A warm-up, then the measured run of the query mix against 127.0.0.1:port."""
    threads = min(2, connections)
    warm = LoadSpec(port, paths(API_BASE, warmup=True), WARMUP_S, connections, threads)
    generator.run(warm)
    return generator.run(LoadSpec(port, paths(API_BASE), duration, connections, threads))


def watch_cost(port: int, rounds: int = 200) -> list[tuple[str, float]]:
    """(path, ms) the contract watch alone takes per answer, for each query of the mix.

    The answers are fetched once from the upstream; the watch then judges each `rounds` times
    in this process (its log lines silenced), so the figure is its CPU cost, not the network's.
    """
    import logging
    import time

    import httpx

    from course_users.mockserver.api.params import parse_statuses
    from course_users.mockserver.api.querystring import query_values
    from course_users.mockserver.proxy.semantics import Request
    from course_users.mockserver.proxy.upstream import Answer
    from course_users.mockserver.proxy.watch import ContractWatch
    from course_users.openapi import load_spec

    logging.getLogger("mockserver.proxy").setLevel(logging.ERROR)
    watch = ContractWatch(load_spec()["paths"]["/course/{id}/users/"]["get"])
    costs = []
    for path in dict.fromkeys(paths(API_BASE)):
        url = f"http://127.0.0.1:{port}{path}"
        got = httpx.get(url, headers=dict([AUTH_HEADER]), timeout=60)
        answer = Answer(got.status_code, tuple(got.headers.multi_items()), got.content)
        query = httpx.URL(url).query.decode()
        raw = query_values({"query_string": query.encode()}).get("statuses")
        request = Request(url.split("?")[0], query, parse_statuses(raw), raw is not None,
                          " ".join(AUTH_HEADER[1:]), ("http", "127.0.0.1", port))  # fmt: skip
        started = time.perf_counter()
        for _ in range(rounds):
            watch.judge("1", request, answer, path)
        costs.append((path, (time.perf_counter() - started) / rounds * 1000))
    return costs


def table(direct: LoadResult, proxied: LoadResult) -> str:
    """The side-by-side figures as a Markdown table, with the overhead line."""
    rows = [
        "| target | req/s | p50 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, result in (("mock direct", direct), ("mock behind --proxy", proxied)):
        rows.append(
            f"| {name} | {result.rps:,.0f} | {result.p50_ms:.1f} | {result.p99_ms:.1f} | "
            f"{result.total_errors} |"
        )
    ratio = proxied.rps / direct.rps if direct.rps else 0.0
    rows.append("")
    rows.append(
        f"Through the proxy: {ratio:.0%} of the direct req/s, p99 "
        f"{proxied.p99_ms - direct.p99_ms:+.1f} ms."
    )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Run both measurements and print the table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.proxy_overhead")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per run")
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args(argv)
    try:
        generator, note = select_load_generator()
    except ToolError as error:
        print(f"benchmarks.proxy_overhead: error: {error}", file=sys.stderr)
        return 2
    print(f"load generator: {generator.name} {generator.version} ({note}); {AUTH_HEADER[0]} sent")
    with tempfile.TemporaryDirectory(prefix="proxy-bench-") as logs, ExitStack() as stack:
        try:
            upstream = stack.enter_context(mock_process("upstream", Path(logs)))
            proxy = stack.enter_context(
                mock_process("proxy", Path(logs), "--proxy", f"http://127.0.0.1:{upstream}")
            )
        except BenchmarkError as error:
            print(f"benchmarks.proxy_overhead: error: {error}", file=sys.stderr)
            return 2
        direct = measure(generator, upstream, args.duration, args.connections)
        proxied = measure(generator, proxy, args.duration, args.connections)
        costs = watch_cost(upstream)
    print(table(direct, proxied))
    print("\n| query (contract watch alone) | ms per answer |\n|---|---:|")
    for path, ms in costs:
        print(f"| `{path.removeprefix(API_BASE)}` | {ms:.2f} |")
    return 0 if direct.total_errors == proxied.total_errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
