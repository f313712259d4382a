"""Finding the app's processes from outside, through /proc: the app a tauri-driver started, its
descendants (WebKit's helper processes) and which processes hold a file open."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from conftest import APP_BIN


def app_processes(driver: subprocess.Popen) -> list[int]:
    """The app processes in the driver's process group (tauri-driver runs in a session of its own)."""
    out = subprocess.run(["pgrep", "-g", str(driver.pid), "-f", APP_BIN], capture_output=True, text=True).stdout
    return sorted(int(p) for p in out.split())


def parents() -> dict[int, int]:
    """pid → parent pid for every process now."""
    out = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        out[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])  # the name may hold spaces
    return out


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for child, parent in parents().items():
        children.setdefault(parent, []).append(child)
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def command_name(pid: int) -> str:
    try:
        argv0 = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0]
    except OSError:
        return ""
    return os.path.basename(argv0.decode(errors="replace"))


def webkit_processes(pid: int) -> list[tuple[int, str]]:
    """(pid, name) of every WebKit process below the app `pid`."""
    return [(p, name) for p in descendants(pid) if "WebKit" in (name := command_name(p))]


def processes_with_open(path: Path) -> set[int]:
    """Every process that has `path` open (its file descriptors, as /proc shows them)."""
    target = str(path.resolve())
    holders = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fds = list((entry / "fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(fd) == target:
                    holders.add(int(entry.name))
                    break
            except OSError:
                continue
    return holders
