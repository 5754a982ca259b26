"""benchmarks.usage: a real process tree's memory and CPU, read with psutil."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

from benchmarks.usage import CpuMeter, peak_rss_mib, tree, tree_memory_mib, tree_rss_mib

# A parent holding 64 MiB that starts a child holding 64 MiB more; both then wait.
PARENT = """
import subprocess, sys
held = bytearray(64 * 2**20)
child = subprocess.Popen([sys.executable, "-c", sys.argv[1]])
print(child.pid, flush=True)
child.wait()
"""
CHILD = "import time; held = bytearray(64 * 2**20); print('ready', flush=True); time.sleep(600)"


@pytest.fixture
def two_processes() -> Iterator[subprocess.Popen[str]]:
    """A parent and its child, 64 MiB resident each, stopped afterwards."""
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, CHILD], stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    assert int(parent.stdout.readline()) > 0  # the child's pid
    assert parent.stdout.readline().strip() == "ready"
    try:
        yield parent
    finally:
        for process in reversed(tree(parent.pid)):
            process.kill()
        parent.wait(timeout=60)


# A parent holding 64 MiB forks a child that only reads it: the pages stay shared.
FORKED = """
import os, sys, time
held = b"x" * (64 * 2**20)
if os.fork() == 0:
    time.sleep(600)
    os._exit(0)
print("ready", flush=True)
time.sleep(600)
"""


@pytest.fixture
def forked() -> Iterator[subprocess.Popen[str]]:
    """A parent and a forked child sharing 64 MiB, stopped afterwards."""
    parent = subprocess.Popen([sys.executable, "-c", FORKED], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    assert parent.stdout.readline().strip() == "ready"
    try:
        yield parent
    finally:
        for process in reversed(tree(parent.pid)):
            process.kill()
        parent.wait(timeout=60)


class TestMemory:
    def test_shared_pages_count_once_in_pss_and_twice_in_rss(self, forked):
        """Two processes sharing 64 MiB: RSS sums it twice, PSS once, USS not at all."""
        assert len(tree(forked.pid)) == 2
        figures = tree_memory_mib(forked.pid)
        assert figures["rss_mib"] >= 128
        assert 64 <= figures["pss_mib"] < 64 + 40  # one copy plus two interpreters' own pages
        assert figures["uss_mib"] < 40

    def test_the_tree_sums_parent_and_child(self, two_processes):
        """Resident memory counts the child too: at least 2 x 64 MiB."""
        assert len(tree(two_processes.pid)) == 2
        assert tree_rss_mib(two_processes.pid) >= 128

    def test_peak_is_at_least_the_resident_memory(self, two_processes):
        """The kernel's high-water mark of a process is never below what it holds now."""
        for process in tree(two_processes.pid):
            assert peak_rss_mib(process.pid) >= process.memory_info().rss / 2**20 - 0.1

    def test_a_gone_process_has_no_figures(self):
        """A process that has exited and been reaped: no tree, no memory, no peak."""
        gone = subprocess.Popen([sys.executable, "-c", "pass"])
        gone.wait(timeout=60)
        assert (tree(gone.pid), tree_rss_mib(gone.pid), peak_rss_mib(gone.pid)) == ([], None, None)


class TestCpuMeter:
    def test_a_busy_server_is_charged_its_cpu(self):
        """A process spinning for its whole run is charged a share of a core, the others none."""
        spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        try:
            meter = CpuMeter(spinner.pid).start()
            subprocess.run([sys.executable, "-c", "import time; time.sleep(1)"], check=True)
            shares = meter.percentages()
        finally:
            spinner.kill()
            spinner.wait(timeout=60)
        assert set(shares) == {"server_pct", "loadgen_pct", "softirq_pct", "other_pct"}
        assert shares["server_pct"] > 0
        assert all(value >= 0 for value in shares.values())
