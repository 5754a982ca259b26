"""Where the CPU went during a measured run: the server, the load generator, everything else.

On a small machine shared with other work, a figure means little without knowing how much CPU
the server actually had. Each measured run records, in % of one core over its wall time:
the server's process tree, the load generator (a reaped child of this process), the kernel's
softirq time (loopback packet processing, which no process is charged for: the benchmark's own
cost) and the rest of the machine ("other": processes not ours and hypervisor steal; above a
few % the figures are lower than this machine can give).
"""

from __future__ import annotations

import os
import resource
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.processes import process_tree

TICKS_PER_S = os.sysconf("SC_CLK_TCK")


def machine_busy_s() -> tuple[float, float]:
    """CPU seconds all cores spent busy since boot: (softirq, everything else but idle/iowait)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return softirq / TICKS_PER_S, (user + nice + system + irq + steal) / TICKS_PER_S


def tree_cpu_s(root_pid: int) -> float:
    """CPU seconds (user + system) used so far by the live processes of a tree."""
    total = 0
    for pid in process_tree(root_pid):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        after_name = stat.rsplit(")", 1)[1].split()
        total += int(after_name[11]) + int(after_name[12])  # utime, stime
    return total / TICKS_PER_S


def children_cpu_s() -> float:
    """CPU seconds of this process's terminated and reaped children (the load generator)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass
class CpuMeter:
    """Snapshot at start; ``percentages`` at the end."""

    server_pid: int
    wall: float = 0.0
    softirq: float = 0.0
    busy: float = 0.0
    server: float = 0.0
    children: float = 0.0

    def start(self) -> CpuMeter:
        """Take the starting snapshot."""
        self.wall = time.monotonic()
        self.softirq, self.busy = machine_busy_s()
        self.server = tree_cpu_s(self.server_pid)
        self.children = children_cpu_s()
        return self

    def percentages(self) -> dict[str, float]:
        """Server, load generator, softirq and other CPU since ``start``, in % of one core."""
        wall = time.monotonic() - self.wall
        server = tree_cpu_s(self.server_pid) - self.server
        loadgen = children_cpu_s() - self.children
        softirq, busy = machine_busy_s()
        other = max(0.0, busy - self.busy - server - loadgen)
        return {
            "server_pct": round(100 * server / wall, 1),
            "loadgen_pct": round(100 * loadgen / wall, 1),
            "softirq_pct": round(100 * (softirq - self.softirq) / wall, 1),
            "other_pct": round(100 * other / wall, 1),
        }
