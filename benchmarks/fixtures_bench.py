"""Fixture generation and loading, timed against the targets of issue 3.

    python -m benchmarks.fixtures_bench [--quick] [--out results.json]

Each measurement runs the real command in its own child process, so its wall time, CPU time
and peak resident memory (``os.wait4`` rusage of that child alone) are its own:

- generate: ``python -m fixtures generate --courses C --members M --seed 1 --out X.json``;
- load + validate: ``load_dataset(X.json)`` (parse, JSON Schema, integrity, build the Dataset)
  in a fresh interpreter, its in-process time printed by the child.

Two shapes of a million memberships are measured: one course of 1,000,000 members (so also
a million users: the worst case for memory) and ten courses of 100,000 (150,000 users).
``--quick`` measures 100,000 memberships only. Prints a table, then the results as one JSON
line (the benchmark harness reads it); ``--out FILE`` also writes that JSON to a file.
Exit status: 0 all targets met, 1 a target missed, 2 a command failed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GENERATE_100K_S, GENERATE_1M_S = 15.0, 150.0
LOAD_1M_S, LOAD_1M_MB = 20.0, 2048.0

# The child that loads a file: its own timer excludes interpreter start-up and imports.
_LOAD_CHILD = """\
import json, sys, time
from course_users.fixtures import load_dataset
started = time.perf_counter()
dataset = load_dataset(sys.argv[1])
seconds = time.perf_counter() - started
memberships = sum(len(course.members) for course in dataset.courses.values())
print(json.dumps({"load_s": seconds, "memberships": memberships, "users": len(dataset.users)}))
"""


@dataclass(frozen=True)
class Shape:
    """A generated dataset size."""

    courses: int
    members: int

    @property
    def memberships(self) -> int:
        """Total memberships."""
        return self.courses * self.members

    @property
    def label(self) -> str:
        """e.g. '10 x 100,000'."""
        return f"{self.courses} x {self.members:,}"


@dataclass
class Measurement:
    """One timed child process and the target it is held to."""

    step: str
    shape: str
    memberships: int
    command: str
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    target: str
    ok: bool
    load_s: float | None = None
    file_mb: float | None = None
    exit_code: int = 0
    error: str | None = None


class CommandFailed(Exception):
    """A measured command exited non-zero."""


def run_measured(argv: Sequence[str]) -> tuple[int, float, float, float, str, str]:
    """Run a child; return exit code, wall s, CPU s, peak RSS MB, stdout, stderr."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(list(argv), cwd=REPO, stdout=out, stderr=err)
        # wait4 gives this child's own rusage (RUSAGE_CHILDREN would mix all children).
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    cpu = usage.ru_utime + usage.ru_stime
    peak_mb = usage.ru_maxrss / 1024  # Linux reports KiB
    return process.returncode, wall, cpu, peak_mb, stdout, stderr


def measure_generate(shape: Shape, path: Path) -> Measurement:
    """Generate a JSON dataset with the real command line."""
    argv = [
        sys.executable, "-m", "course_users.fixtures", "generate", "--courses", str(shape.courses),
        "--members", str(shape.members), "--seed", "1", "--out", str(path),
    ]  # fmt: skip
    code, wall, cpu, peak, _, stderr = run_measured(argv)
    limit = GENERATE_100K_S if shape.memberships <= 100_000 else GENERATE_1M_S
    return Measurement(
        step="generate",
        shape=shape.label,
        memberships=shape.memberships,
        command=" ".join(["python", *argv[1:]]),
        wall_s=round(wall, 2),
        cpu_s=round(cpu, 2),
        peak_rss_mb=round(peak, 1),
        target=f"< {limit:g} s",
        ok=code == 0 and wall < limit,
        file_mb=round(path.stat().st_size / 2**20, 1) if path.exists() else None,
        exit_code=code,
        error=stderr.strip()[-500:] if code else None,
    )


def measure_load(shape: Shape, path: Path) -> Measurement:
    """Load and validate a JSON dataset in a fresh interpreter."""
    argv = [sys.executable, "-c", _LOAD_CHILD, str(path)]
    code, wall, cpu, peak, stdout, stderr = run_measured(argv)
    load_s = json.loads(stdout)["load_s"] if code == 0 else None
    big = shape.memberships >= 1_000_000
    ok = code == 0 and (not big or (wall < LOAD_1M_S and peak < LOAD_1M_MB))
    return Measurement(
        step="load+validate",
        shape=shape.label,
        memberships=shape.memberships,
        command=f"load_dataset('{path.name}') in a fresh python",
        wall_s=round(wall, 2),
        cpu_s=round(cpu, 2),
        peak_rss_mb=round(peak, 1),
        target=f"< {LOAD_1M_S:g} s, < {LOAD_1M_MB / 1024:g} GB" if big else "(none)",
        ok=ok,
        load_s=round(load_s, 2) if load_s is not None else None,
        exit_code=code,
        error=stderr.strip()[-500:] if code else None,
    )


def table(measurements: Sequence[Measurement]) -> str:
    """A fixed-width table of the measurements."""
    header = (
        f"{'step':<14} {'shape':<16} {'wall s':>7} {'load s':>7} {'cpu s':>7} "
        f"{'peak MB':>8} {'file MB':>8}  {'target':<18} ok"
    )
    rows = [header, "-" * len(header)]
    for m in measurements:
        load = f"{m.load_s:.2f}" if m.load_s is not None else "-"
        size = f"{m.file_mb:.1f}" if m.file_mb is not None else "-"
        rows.append(
            f"{m.step:<14} {m.shape:<16} {m.wall_s:>7.2f} {load:>7} {m.cpu_s:>7.2f} "
            f"{m.peak_rss_mb:>8.1f} {size:>8}  {m.target:<18} {'yes' if m.ok else 'NO'}"
        )
    return "\n".join(rows)


def shapes(quick: bool) -> list[Shape]:
    """The dataset sizes to measure."""
    if quick:
        return [Shape(1, 100_000)]
    return [Shape(1, 100_000), Shape(10, 100_000), Shape(1, 1_000_000)]


def run(quick: bool) -> list[Measurement]:
    """Generate then load each shape, in a scratch directory removed afterwards."""
    measurements: list[Measurement] = []
    with tempfile.TemporaryDirectory(prefix="fixtures-bench-") as scratch:
        for shape in shapes(quick):
            path = Path(scratch) / f"generated-{shape.courses}x{shape.members}.json"
            print(f"[fixtures] generate {shape.label} ...", file=sys.stderr, flush=True)
            generated = measure_generate(shape, path)
            measurements.append(generated)
            if generated.exit_code == 0:
                print(f"[fixtures] load {shape.label} ...", file=sys.stderr, flush=True)
                measurements.append(measure_load(shape, path))
            path.unlink(missing_ok=True)
    return measurements


def machine() -> dict[str, object]:
    """What the figures were measured on."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_at_end": [round(x, 2) for x in load] if load else None,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run the fixtures benchmark; returns 0 (targets met), 1 (missed) or 2 (failed)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fixtures_bench")
    parser.add_argument("--quick", action="store_true", help="100,000 memberships only")
    parser.add_argument("--out", type=Path, help="also write the results as JSON to this file")
    args = parser.parse_args(argv)
    measurements = run(args.quick)
    failed = any(m.exit_code != 0 for m in measurements)
    report = {
        "benchmark": "fixtures",
        "quick": args.quick,
        "machine": machine(),
        "measurements": [asdict(m) for m in measurements],
        "all_targets_met": all(m.ok for m in measurements),
    }
    print(table(measurements))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report))
    if failed:
        return 2
    return 0 if report["all_targets_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
