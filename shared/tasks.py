"""Background tasks that stop when told to.

A client library may turn the cancellation of a pending call into its own error, or swallow
it outright (seen with redis-py: a cancelled read comes back as ``ConnectionError`` with the
task's cancel request withdrawn). A retry loop catching that error then runs forever and
hangs shutdown. Loops call :func:`raise_if_cancelling` in their ``except`` blocks, and
:func:`stop_tasks` cancels again every 100 ms until each task has ended, within a bound.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterable
from typing import Any

import structlog

__all__ = ["BackgroundTasks", "raise_if_cancelling", "stop_tasks"]

_log = structlog.get_logger("aegis.tasks")


class BackgroundTasks:
    """Tasks started and not awaited (a send nobody waits for): held until they end, since
    the event loop keeps only a weak reference to a task."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def raise_if_cancelling() -> None:
    """Re-raise ``CancelledError`` if the current task is being cancelled."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


async def stop_tasks(tasks: Iterable[asyncio.Task[None]], limit_s: float = 5.0) -> None:
    """Cancel ``tasks`` and wait for them, at most ``limit_s`` seconds in all."""
    pending = {task for task in tasks if not task.done()}
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit_s
    while pending and loop.time() < deadline:
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=0.1)
    for task in pending:
        _log.warning("task_did_not_stop", task=task.get_name())
