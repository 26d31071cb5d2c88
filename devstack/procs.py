"""Process helpers: is a pid alive, is it still the process we started, stop it for sure.

Linux first (``/proc``), with ``os.kill(pid, 0)`` where ``/proc`` is missing. A zombie counts
as gone: in a container whose init does not reap, a killed orphan stays a zombie for good.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

__all__ = [
    "children_of",
    "cmdline",
    "pid_alive",
    "read_pid",
    "signal_group",
    "stop_pid",
    "stop_popen",
    "wait_gone",
]

POLL_S = 0.05


def pid_alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    state = stat.rsplit(")", 1)[-1].split()[0]
    return state not in ("Z", "X")


def cmdline(pid: int) -> list[str]:
    """The argv of ``pid``, or ``[]`` when it is gone or unreadable."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def children_of(pid: int) -> list[int]:
    """Pids whose parent is ``pid`` (Linux only; ``[]`` elsewhere)."""
    found = []
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[-1].split()
            if len(fields) > 1 and fields[1] == str(pid):
                found.append(int(entry.name))
    return found


def read_pid(path: Path) -> int | None:
    """The integer on the first line of ``path``, or None."""
    try:
        first = path.read_text().splitlines()[0].strip()
        return int(first)
    except (OSError, IndexError, ValueError):
        return None


def wait_gone(pid: int, timeout: float) -> bool:
    """Wait until ``pid`` is gone; False if it still runs after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while pid_alive(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL_S)
    return True


def signal_group(pgid: int, signum: int) -> None:
    """Send ``signum`` to a process group, ignoring one that is already gone."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def stop_popen(proc: subprocess.Popen[bytes], timeout: float, *, group: bool) -> None:
    """SIGTERM, wait up to ``timeout`` s, then SIGKILL; reap it. ``group``: its whole group.

    A child started with ``start_new_session=True`` leads its own group, so the group signal
    also reaches anything it spawned.
    """
    if proc.poll() is None:
        if group:
            signal_group(proc.pid, signal.SIGTERM)
        else:
            proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            if group:
                signal_group(proc.pid, signal.SIGKILL)
            else:
                proc.kill()
            proc.wait()
    if group:
        # Grandchildren that outlived their parent.
        signal_group(proc.pid, signal.SIGKILL)


def stop_pid(pid: int, timeout: float, *, group: bool = False) -> bool:
    """Stop a process that is not our child: SIGTERM, then SIGKILL. True once it is gone."""
    send = signal_group if group else _signal_pid
    send(pid, signal.SIGTERM)
    if wait_gone(pid, timeout):
        if group:
            signal_group(pid, signal.SIGKILL)
        return True
    send(pid, signal.SIGKILL)
    return wait_gone(pid, timeout)


def _signal_pid(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signum)
