"""The fallback load generator, used for ALL servers of a run when wrk is unavailable.

Keep-alive HTTP/1.1 over raw asyncio streams (uvloop when installed), ``threads`` worker
processes each holding its share of the connections, requests rotated round-robin over the
paths like the wrk script does. It saturates a server less than wrk does, so its figures are
lower, but every server in the run gets the very same treatment.

Worker mode (internal): ``python -m benchmarks.pyload SPEC_JSON`` prints one JSON result line.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field

from benchmarks.errors import ToolError
from benchmarks.loadgen import LoadResult, LoadSpec
from benchmarks.queries import AUTH_HEADER


class PythonLoadGenerator:
    """Splits the connections over ``threads`` worker processes and merges their latencies."""

    name = "python (benchmarks.pyload)"
    version = f"Python {sys.version.split()[0]}"

    def run(self, spec: LoadSpec) -> LoadResult:
        """Run the workers for ``spec.duration_s`` and merge what they measured."""
        shares = _split(spec.connections, max(1, spec.threads))
        workers = [
            subprocess.Popen(
                [sys.executable, "-m", "benchmarks.pyload", json.dumps(_worker_spec(spec, share))],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for share in shares
        ]
        outputs = [_collect(worker, spec.duration_s + spec.timeout_s + 30) for worker in workers]
        return _merge([WorkerResult(**json.loads(output)) for output in outputs])


@dataclass
class WorkerResult:
    """One worker's raw measurements."""

    latencies_us: list[int] = field(default_factory=list)
    errors: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(("non_2xx", "connect", "read", "write", "timeout"), 0)
    )
    duration_s: float = 0.0


def _split(total: int, parts: int) -> list[int]:
    base, rest = divmod(total, parts)
    return [base + (1 if index < rest else 0) for index in range(parts) if base or index < rest]


def _worker_spec(spec: LoadSpec, connections: int) -> dict[str, object]:
    return {**asdict(spec), "connections": connections}


def _collect(worker: subprocess.Popen[str], timeout_s: float) -> str:
    try:
        stdout, stderr = worker.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired as error:
        worker.kill()
        worker.communicate()
        raise ToolError(f"Python load worker did not finish within {timeout_s:.0f} s") from error
    if worker.returncode != 0:
        raise ToolError(f"Python load worker failed: {stderr.strip()[-300:]}")
    return stdout


def _merge(results: list[WorkerResult]) -> LoadResult:
    latencies = sorted(value for result in results for value in result.latencies_us)
    duration = max((result.duration_s for result in results), default=0.0)
    errors: dict[str, int] = {}
    for result in results:
        for name, count in result.errors.items():
            errors[name] = errors.get(name, 0) + count
    return LoadResult(
        requests=len(latencies),
        duration_s=round(duration, 3),
        rps=round(len(latencies) / duration, 1) if duration else 0.0,
        p50_ms=_percentile(latencies, 50) / 1000,
        p90_ms=_percentile(latencies, 90) / 1000,
        p99_ms=_percentile(latencies, 99) / 1000,
        max_ms=(latencies[-1] / 1000) if latencies else 0.0,
        errors=errors,
    )


def _percentile(sorted_values: list[int], percent: float) -> int:
    """Nearest-rank percentile of already sorted values (0 when there are none)."""
    if not sorted_values:
        return 0
    rank = max(1, -(-len(sorted_values) * percent // 100))
    return sorted_values[int(rank) - 1]


# --- worker process ---------------------------------------------------------------------------


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response; return its status and whether the connection stays open."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip().lower()
    if headers.get("transfer-encoding") == "chunked":
        await _read_chunked(reader)
    else:
        await reader.readexactly(int(headers.get("content-length", "0")))
    return status, headers.get("connection") != "close"


async def _read_chunked(reader: asyncio.StreamReader) -> None:
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":
                pass
            return
        await reader.readexactly(size + 2)


async def _connection(
    spec: LoadSpec, requests: list[bytes], offset: int, deadline: float, result: WorkerResult
) -> None:
    writer: asyncio.StreamWriter | None = None
    index = offset
    while time.monotonic() < deadline:
        if writer is None:
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(spec.host, spec.port), spec.timeout_s
                )
            except (OSError, TimeoutError):
                result.errors["connect"] += 1
                await asyncio.sleep(0.01)
                continue
        started = time.perf_counter()
        try:
            writer.write(requests[index % len(requests)])
            status, keep_alive = await asyncio.wait_for(_read_response(reader), spec.timeout_s)
        except TimeoutError:
            result.errors["timeout"] += 1
            keep_alive, status = False, 0
        except (OSError, ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            result.errors["read"] += 1
            keep_alive, status = False, 0
        else:
            result.latencies_us.append(int((time.perf_counter() - started) * 1e6))
            if not 200 <= status < 300:
                result.errors["non_2xx"] += 1
        index += 1
        if not keep_alive:
            writer.close()
            writer = None
    if writer is not None:
        writer.close()


async def _drive(spec: LoadSpec) -> WorkerResult:
    name, value = AUTH_HEADER
    requests = [
        f"GET {path} HTTP/1.1\r\nHost: {spec.host}:{spec.port}\r\n{name}: {value}\r\n\r\n".encode()
        for path in spec.paths
    ]
    result = WorkerResult()
    started = time.monotonic()
    deadline = started + spec.duration_s
    tasks = [
        _connection(spec, requests, offset, deadline, result) for offset in range(spec.connections)
    ]
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.gather(*tasks), spec.duration_s + spec.timeout_s + 5)
    result.duration_s = time.monotonic() - started
    return result


def _worker_main(raw_spec: str) -> None:
    spec = LoadSpec(**json.loads(raw_spec))
    try:
        import uvloop

        runner = uvloop.run
    except ImportError:
        runner = asyncio.run
    result = runner(_drive(spec))
    print(json.dumps(asdict(result)))


if __name__ == "__main__":
    _worker_main(sys.argv[1])
