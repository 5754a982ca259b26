"""Run settings: durations, connections and sizes for a full run and for ``--quick``.

Chosen for a 2-core machine where wrk and the server share the cores: 2 wrk threads (one per
core; wrk needs far less CPU than a Python server per request), 32 connections (enough to keep
every server saturated without measuring only queueing), 10 s measured after a 3 s warm-up
(long enough for stable req/s and p99 on loopback, short enough that a full run takes ~15 min).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace


@dataclass(frozen=True)
class Settings:
    """Every knob of one run, recorded in the results JSON."""

    duration_s: float = 10.0
    warmup_s: float = 3.0
    connections: int = 32
    threads: int = 2
    timeout_s: float = 10.0
    scale_sizes: tuple[int, ...] = (1_000, 10_000, 100_000, 1_000_000)
    scale_duration_s: float = 5.0
    scale_warmup_s: float = 2.0
    sharing_members: int = 1_000_000
    soak_duration_s: float = 60.0
    soak_connections: int = 64
    soak_sample_every_s: float = 5.0
    nodelay_duration_s: float = 5.0
    seed: int = 7
    quick: bool = False

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return asdict(self)


FULL = Settings()
QUICK = replace(
    FULL,
    duration_s=3.0,
    warmup_s=1.0,
    scale_sizes=(1_000, 10_000),
    scale_duration_s=2.0,
    scale_warmup_s=1.0,
    sharing_members=20_000,
    soak_duration_s=10.0,
    soak_sample_every_s=2.0,
    nodelay_duration_s=2.0,
    quick=True,
)
