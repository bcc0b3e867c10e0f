"""The memory and CPU of a process and everything it started (a server, its fork server and their workers),
read from /proc (Linux): for benchmarks/desk_load.py.
"""

from __future__ import annotations

import os
import threading

SAMPLE_EVERY = 0.05  # seconds between memory samples

__all__ = ["Memory", "cpu_seconds"]


class Memory(threading.Thread):
    """Samples RSS and PSS summed over a process and its descendants; keeps the peaks."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.stopped = threading.Event()
        self.peak_rss = self.peak_pss = 0  # kB
        self.peak_processes = 0
        self.samples = 0

    def run(self) -> None:
        while not self.stopped.wait(SAMPLE_EVERY):
            rss = pss = 0
            tree = _descendants(self.pid)
            for pid in tree:
                try:
                    with open(f"/proc/{pid}/smaps_rollup") as rollup:
                        for line in rollup:
                            if line.startswith("Rss:"):
                                rss += int(line.split()[1])
                            elif line.startswith("Pss:"):
                                pss += int(line.split()[1])
                except OSError:
                    continue  # a worker that just ended
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            self.peak_processes = max(self.peak_processes, len(tree))
            self.samples += 1


def cpu_seconds(root: int) -> dict[str, float]:
    """CPU seconds (user + system) of the server's process tree so far: the server process itself, and the
    rest (its fork server and every check worker it reaped, plus live workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    own = rest = 0.0
    for pid in _descendants(root):
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        utime, stime, cutime, cstime = (int(v) / tick for v in fields[11:15])
        if pid == root:
            own += utime + stime
        else:
            rest += utime + stime + cutime + cstime
    return {"server": own, "workers": rest}


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, ()))
    return tree
