"""What a server used, read with psutil: CPU per measured run, resident memory of its tree.

On a small machine shared with other work, a figure means little without knowing how much CPU
the server actually had. Each measured run records, in % of one core over its wall time:
the server's process tree, the load generator (a reaped child of this process), the kernel's
softirq time (loopback packet processing, which no process is charged for: the benchmark's own
cost) and the rest of the machine ("other": processes not ours and hypervisor steal; above a
few % the figures are lower than this machine can give).

Memory is summed over the tree (uvicorn workers included).
"""

from __future__ import annotations

import resource
import time
from dataclasses import dataclass
from pathlib import Path

import psutil


def tree(root_pid: int) -> list[psutil.Process]:
    """The process and its live descendants; empty when it is gone."""
    try:
        root = psutil.Process(root_pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def tree_rss_mib(root_pid: int) -> float | None:
    """Resident memory of the whole tree now, in MiB; None when the process is gone."""
    sizes = []
    for process in tree(root_pid):
        try:
            sizes.append(process.memory_info().rss)
        except psutil.NoSuchProcess:
            continue
    return round(sum(sizes) / 2**20, 1) if sizes else None


def peak_rss_mib(pid: int) -> float | None:
    """The kernel's high-water mark of one process's resident memory (VmHWM), in MiB.

    psutil has no peak RSS on Linux (giampaolo/psutil#383), and a sampled maximum would miss the
    short spike of loading a dataset; so this one figure is read from /proc/<pid>/status.
    """
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


def tree_peak_rss_mib(root_pid: int) -> float | None:
    """The largest peak of any process in the tree (workers peak separately), in MiB."""
    peaks = [peak_rss_mib(process.pid) for process in tree(root_pid)]
    known = [peak for peak in peaks if peak is not None]
    return max(known) if known else None


def tree_cpu_s(root_pid: int) -> float:
    """CPU seconds (user + system) used so far by the live processes of a tree."""
    total = 0.0
    for process in tree(root_pid):
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def machine_busy_s() -> tuple[float, float]:
    """CPU seconds all cores spent since boot: (softirq, busy apart from softirq/idle/iowait)."""
    times = psutil.cpu_times()
    busy = times.user + times.nice + times.system + times.irq + times.steal
    return times.softirq, busy


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
        shares = {
            "server": server, "loadgen": loadgen, "softirq": softirq - self.softirq, "other": other
        }  # fmt: skip
        return {f"{name}_pct": _percent_of_a_core(cpu_s, wall) for name, cpu_s in shares.items()}


def _percent_of_a_core(cpu_s: float, wall_s: float) -> float:
    return round(100 * cpu_s / wall_s, 1)


def tree_memory_mib(root_pid: int) -> dict[str, float] | None:
    """RSS, PSS and USS summed over the tree now, in MiB; None when the process is gone.

    RSS counts a page shared by forked workers once per worker; PSS splits it between them, so
    the tree's PSS is what the tree really holds, and USS is what each process holds alone.
    """
    totals = {"rss": 0, "pss": 0, "uss": 0}
    seen = 0
    for process in tree(root_pid):
        try:
            info = process.memory_full_info()
        except psutil.NoSuchProcess:
            continue
        seen += 1
        for name in totals:
            totals[name] += getattr(info, name)
    if not seen:
        return None
    return {f"{name}_mib": round(value / 2**20, 1) for name, value in totals.items()}
