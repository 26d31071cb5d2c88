"""Background tasks that stop when told to, and loops that come back when they crash.

A client library may turn the cancellation of a pending call into its own error, or swallow
it outright (seen with redis-py: a cancelled read comes back as ``ConnectionError`` with the
task's cancel request withdrawn). A retry loop catching that error then runs forever and
hangs shutdown. Loops call :func:`raise_if_cancelling` in their ``except`` blocks, and
:func:`stop_tasks` cancels again every 100 ms until each task has ended, within a bound.

A loop that meets an error it did not expect (a ``TypeError`` from data it could not read)
would end its task, and nothing would notice: the key set or the policies would silently stop
changing. :class:`Supervisor` runs every lifespan loop, restarts one that crashed with
exponential backoff, and says which are failing, for readiness and metrics.
"""

from __future__ import annotations

import asyncio
import math
import time
import traceback
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from pathlib import Path
from typing import Any, Final

import structlog
from prometheus_client import CollectorRegistry, Counter, Gauge

__all__ = [
    "FIRST_BACKOFF_S",
    "MAX_BACKOFF_S",
    "STABLE_AFTER_S",
    "BackgroundTasks",
    "Supervisor",
    "raise_if_cancelling",
    "stop_tasks",
]

_log = structlog.get_logger("aegis.tasks")

FIRST_BACKOFF_S: Final = 0.5
MAX_BACKOFF_S: Final = 30.0
# A loop restarted after a crash counts as failing until it has run this long without one.
STABLE_AFTER_S: Final = 30.0


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


class Supervisor:
    """Runs background loops, each in a task of its own, and restarts one that crashes.

    A loop is a coroutine function that runs until cancelled (or returns when its work is
    done, like connecting a pool: it is then left ended). When it raises, the supervisor logs
    ``loop_crashed`` with the loop's name, the exception's type and where it was raised —
    never its message, which may quote the data that broke it — counts
    ``aegis_loop_restarts_total{loop}``, waits (``first_backoff_s``, doubling up to
    ``max_backoff_s``; back to the first after a run of ``stable_s`` without a crash) and
    calls the function again. From a crash until the restarted loop has run ``stable_s``
    without another, the loop is in :meth:`failing` and ``aegis_loop_failing{loop}`` is 1.
    In a lifespan::

        loops = Supervisor(metrics.registry)
        loops.supervise("keyset-refresh", keys.run)
        ...
        degraded = [f"loop:{name}" for name in loops.failing()]   # readiness
        ...
        await loops.stop()
    """

    def __init__(
        self,
        registry: CollectorRegistry,
        *,
        first_backoff_s: float = FIRST_BACKOFF_S,
        max_backoff_s: float = MAX_BACKOFF_S,
        stable_s: float = STABLE_AFTER_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 0 < first_backoff_s <= max_backoff_s:
            raise ValueError("backoffs must be positive, the first no larger than the max")
        self._first_backoff_s = first_backoff_s
        self._max_backoff_s = max_backoff_s
        self._stable_s = stable_s
        self._clock = clock
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        # name -> until when it counts as failing (inf: crashed, waiting for its restart)
        self._failing_until: dict[str, float] = {}
        self._restarts = Counter(
            "aegis_loop_restarts_total",
            "Background loops restarted after a crash, by loop.",
            ("loop",),
            registry=registry,
        )
        self._failing = Gauge(
            "aegis_loop_failing",
            "1 while a background loop is crashed or has not yet run stably since its restart.",
            ("loop",),
            registry=registry,
        )

    def supervise(self, name: str, loop: Callable[[], Awaitable[None]]) -> asyncio.Task[None]:
        """Start ``loop()`` in a task named ``name``, restarting it whenever it crashes."""
        self._restarts.labels(name)  # shown as 0 from the start, not only after a crash
        self._failing.labels(name).set_function(lambda: float(name in self.failing()))
        task = asyncio.get_running_loop().create_task(self._run(name, loop), name=name)
        self._tasks.append(task)
        return task

    def failing(self) -> list[str]:
        """The loops that crashed and have not run ``stable_s`` since, by name."""
        now = self._clock()
        return sorted(name for name, until in self._failing_until.items() if until > now)

    async def stop(self, limit_s: float = 5.0) -> None:
        """Cancel every loop and wait for them (see :func:`stop_tasks`); none is restarted,
        even one whose client turned the cancellation into an error of its own."""
        self._stopping = True
        await stop_tasks(self._tasks, limit_s)

    async def _run(self, name: str, loop: Callable[[], Awaitable[None]]) -> None:
        backoff = self._first_backoff_s
        while True:
            started = self._clock()
            try:
                await loop()
            except Exception as exc:
                raise_if_cancelling()
                if self._stopping:
                    raise asyncio.CancelledError from None
                if self._clock() - started >= self._stable_s:
                    backoff = self._first_backoff_s
                self._failing_until[name] = math.inf
                self._restarts.labels(name).inc()
                _log.error(
                    "loop_crashed",
                    loop=name,
                    error=type(exc).__name__,
                    where=_where(exc),
                    restart_in_s=backoff,
                )
                await asyncio.sleep(backoff)
                backoff = min(2 * backoff, self._max_backoff_s)
                self._failing_until[name] = self._clock() + self._stable_s
            else:
                self._failing_until.pop(name, None)
                return


def _where(exc: BaseException) -> str:
    """``file.py:line in function`` of the innermost frame: where, without the message."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "unknown"
    frame = frames[-1]
    return f"{Path(frame.filename).name}:{frame.lineno} in {frame.name}"
