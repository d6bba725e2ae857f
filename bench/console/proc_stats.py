"""What /proc says of the console benchmarks' processes: the machine's load, a process's memory, the processes
below this one (QtWebEngine's zygote and renderers) and the CPU time of the renderers' main threads."""
from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path


def load_average() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def proc_status_kb(pid: int | str = "self") -> dict[str, int]:
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
                out[key] = int(rest.split()[0])
    except OSError:
        pass
    return out


def renderer_main_threads() -> list[Path]:
    """The schedstat files of the main threads (CrRendererMain: the process's own thread, which keeps the
    process's name) of the renderer processes below this one, known by their compositor thread (forked by
    the zygote, they keep its command line); [] where there is no /proc. Their first field is the thread's
    CPU time in ns: what the page's main thread really ran, which a loaded machine does not inflate as it
    does the page's own wall-clock timings."""
    out = []
    for pid in descendants(os.getpid()):
        try:
            names = {(task / "comm").read_text().strip() for task in Path(f"/proc/{pid}/task").iterdir()}
        except OSError:
            continue
        if "Compositor" in names:
            out.append(Path(f"/proc/{pid}/task/{pid}/schedstat"))
    return out


def cpu_ns(files: list[Path]) -> int:
    total = 0
    for f in files:
        try:
            total += int(f.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return total


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (QtWebEngineProcess zygote and renderers)."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children[ppid].append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found
