"""The run's shared context: settings, the one load generator, the artifacts, starting servers.

Sections receive a ``Bench`` and use ``serve`` (start a server, always stop it) and ``load``
(warm up, then measure), so every server in a run is driven the same way.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.artifacts import Artifacts
from benchmarks.loadgen import LoadResult, LoadSpec, WrkLoadGenerator
from benchmarks.queries import QUERY_MIX, Query, paths
from benchmarks.servers import READY_HEADERS, ServerConfig, serving
from benchmarks.settings import Settings
from benchmarks.usage import CpuMeter
from course_users.conformance.servers import ServerProcess, http_status


@dataclass
class Bench:
    """Everything a section needs to start servers and measure them."""

    settings: Settings
    loadgen: WrkLoadGenerator
    repo: Path
    cache: Path
    spec_override: Path | None = None
    tool_versions: dict[str, str] = field(default_factory=dict)
    _spec: Path | None = None
    _prism: Path | None = None

    @property
    def artifacts(self) -> Artifacts:
        """Spec, Prism and dataset builder over this run's cache folder."""
        return Artifacts(self.repo, self.cache)

    @property
    def log_dir(self) -> Path:
        """Where each server's output goes (one file per server setup, overwritten per run)."""
        return self.cache / "logs"

    def spec(self) -> Path:
        """The bundled spec, built once per run."""
        if self._spec is None:
            self._spec = self.artifacts.bundled_spec(self.spec_override)
        return self._spec

    def prism(self) -> Path:
        """Prism's executable, installed once per cache; its version goes into the report."""
        if self._prism is None:
            self._prism, version = self.artifacts.prism()
            self.tool_versions["prism"] = version
        return self._prism

    @contextlib.contextmanager
    def serve(self, config: ServerConfig) -> Iterator[ServerProcess]:
        """Start ``config`` on a free port, wait for its first 200, stop it whatever happens."""
        with serving(config, self.log_dir, cwd=self.repo) as server:
            yield server

    def load(
        self,
        server: ServerProcess,
        config: ServerConfig,
        queries: tuple[Query, ...] = QUERY_MIX,
        *,
        connections: int | None = None,
        duration_s: float | None = None,
        warmup_s: float | None = None,
    ) -> LoadResult:
        """Warm up (results discarded), then measure the rotating ``queries`` mix."""
        settings = self.settings

        def spec(seconds: float, warmup: bool = False) -> LoadSpec:
            return LoadSpec(
                port=server.port,
                paths=paths(config.base, queries, warmup=warmup),
                duration_s=seconds,
                connections=connections or settings.connections,
                threads=settings.threads,
                timeout_s=settings.timeout_s,
            )

        warmup = settings.warmup_s if warmup_s is None else warmup_s
        if warmup > 0:
            self.loadgen.run(spec(warmup, warmup=True))
        meter = CpuMeter(server.pid).start()
        result = self.loadgen.run(spec(duration_s or settings.duration_s))
        result.cpu = meter.percentages()
        return result

    def statuses(
        self, server: ServerProcess, config: ServerConfig, queries: tuple[Query, ...] = QUERY_MIX
    ) -> dict[str, int | None]:
        """The status each query kind gets (one request each), to explain any error counts."""
        root = f"http://127.0.0.1:{server.port}"
        first_paths = {query.kind: paths(config.base, (query,))[0] for query in queries}
        return {
            kind: http_status(root + path, READY_HEADERS)[0] for kind, path in first_paths.items()
        }
