"""CPU accounting of the benchmarks, read from /proc: a process's CPU seconds, PostgreSQL's, the machine's,
and `CpuMeter`, the share of a core each used during one measurement (reported beside every timing, so a
noisy machine shows in the row)."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")


def proc_cpu_s(pid: int, which: str = "both") -> float:
    """User + system (or only "user" / "system") CPU seconds of one process, all its threads; 0 if gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    user, system = int(fields[11]), int(fields[12])
    return {"both": user + system, "user": user, "system": system}[which] / _TICK


def tree_cpu_s(pid: int) -> float:
    """CPU seconds of a process and of every live descendant (nginx's worker is its master's child, whose CPU
    the master's own counters hold only once it has exited)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                parent = int(Path(f"/proc/{entry.name}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        total += proc_cpu_s(current)
        todo += children.get(current, [])
    return total


def postgres_cpu_s() -> float:
    """CPU seconds of every process named `postgres` (the cluster's backends and helpers)."""
    total = 0.0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if Path(f"/proc/{entry.name}/comm").read_text().strip() == "postgres":
                    total += proc_cpu_s(int(entry.name))
            except OSError:
                continue
    return total


def machine_cpu_s() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores."""
    parts = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = parts[3] + parts[4]
    total = sum(parts[:8])
    return (total - idle) / _TICK, total / _TICK


@dataclass
class CpuMeter:
    """CPU used between start() and stop() by: the server, PostgreSQL, other named pids (each with its
    children), the machine."""

    server_pid: int
    others: dict[str, int] = field(default_factory=dict)
    _start: dict[str, float] = field(default_factory=dict)
    result: dict[str, float] = field(default_factory=dict)

    def _sample(self) -> dict[str, float]:
        busy, total = machine_cpu_s()
        sample = {"server": proc_cpu_s(self.server_pid), "server_sys": proc_cpu_s(self.server_pid, "system"),
                  "postgres": postgres_cpu_s(), "bench": proc_cpu_s(os.getpid()),
                  "machine_busy": busy, "machine_total": total, "wall": time.monotonic()}
        for name, pid in self.others.items():
            sample[name] = tree_cpu_s(pid)
        return sample

    def start(self) -> None:
        self._start = self._sample()

    def stop(self) -> dict[str, float]:
        end = self._sample()
        wall = end["wall"] - self._start["wall"]
        self.result = {k: (end[k] - self._start.get(k, 0.0)) / wall for k in end if k not in ("wall",)}
        self.result["wall"] = wall
        return self.result

    def describe(self) -> str:
        r = self.result
        parts = [f"server {r['server']:.0%} (kernel {r['server_sys']:.0%})", f"postgres {r['postgres']:.0%}"]
        parts += [f"{name} {r[name]:.0%}" for name in self.others]
        in_process = self.server_pid == os.getpid()  # an in-process server: "bench" is the same process
        if not in_process:
            parts.append(f"bench {r['bench']:.0%}")
        ours = r["server"] + r["postgres"] + (0 if in_process else r["bench"]) + sum(r[n] for n in self.others)
        machine = r["machine_busy"]  # cores busy, all processes
        parts.append(f"other processes {max(machine - ours, 0):.0%}")
        return "CPU (100% = one core of 2): " + ", ".join(parts) + f"; load average at the end {os.getloadavg()[0]:.1f}"
