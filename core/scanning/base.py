"""The shapes every scanner shares: what it reads, what it returns, what the policy decides.

A scanner is a small object with one async method. Costly set-up (compiling rules, opening
an ONNX session) happens once in ``__init__``; ``scan`` only computes and returns findings,
never raises to block: a block is a value (:class:`Verdict`), decided by the policy.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import math
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final, Protocol, TypeVar

from shared.errors import CoreBusyError
from shared.extract import ScanText
from shared.findings import Finding

__all__ = [
    "MANY_FINDINGS",
    "CpuRunner",
    "Decision",
    "ScanRequest",
    "Scanner",
    "TypeCount",
    "Verdict",
    "count_by_type",
]

_T = TypeVar("_T")
# More findings than this, and what is done with each of them (the policy's decision, their
# wire form) is done on a worker thread, not on the event loop: 1 MB of hostile text has up
# to ~12,000, and their ~10 ms in one step of the loop delayed every other request (core's
# health p99 in tests/e2e/test_heavy_scan.py).
MANY_FINDINGS: Final = 256
# Total characters of a request worked on the event loop rather than on the worker thread.
DEFAULT_INLINE_CHARS: Final = 2048
# Beyond this many characters a request's scan is heavy (tens of milliseconds and more):
# at most DEFAULT_HEAVY_SCANS at a time, each waiting at most DEFAULT_HEAVY_WAIT_S for a
# slot (HEAVY_SCAN_CHARS, HEAVY_SCAN_CONCURRENCY, HEAVY_SCAN_WAIT_MS in core's settings).
DEFAULT_HEAVY_CHARS: Final = 65536
DEFAULT_HEAVY_SCANS: Final = 2
DEFAULT_HEAVY_WAIT_S: Final = 10.0


@dataclass(frozen=True, slots=True)
class ScanRequest:
    """The texts of one request a scanner looks at (every client-controlled part)."""

    texts: tuple[ScanText, ...]
    key_id: str | None = None
    workspace: str | None = None

    @classmethod
    def of_text(cls, text: str) -> ScanRequest:
        return cls((ScanText(None, "user", text),))


class Scanner(Protocol):
    """One detector; ``cost`` orders the pipeline (cheap first)."""

    name: ClassVar[str]
    cost: ClassVar[int]

    async def scan(self, request: ScanRequest) -> Sequence[Finding]: ...


class Decision(enum.StrEnum):
    """What is done with a request (or an answer): sent as it is, sent with values masked,
    refused, or held for a person's approval (``hold``: the approval workflow's; no policy
    decides it yet)."""

    ALLOW = "allow"
    MASK = "mask"
    BLOCK = "block"
    HOLD = "hold"


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the policy made of the findings."""

    decision: Decision
    risk_score: float
    findings: tuple[Finding, ...] = ()
    blocking: tuple[Finding, ...] = field(default=())
    # PII and secrets to mask, redact or hash before the model sees the text.
    masking: tuple[Finding, ...] = field(default=())
    # Injection found in tool results a ``drop`` action removes (core.scanning.policy).
    dropping: tuple[Finding, ...] = field(default=())
    # by_type(), where the policy counted it while it went through the findings.
    counted: Mapping[tuple[str, str], TypeCount] | None = field(
        default=None, compare=False, repr=False
    )

    @property
    def blocked(self) -> bool:
        return self.decision is Decision.BLOCK

    def by_type(self) -> Mapping[tuple[str, str], TypeCount]:
        """The findings by (scanner, type): how many, and the highest score. What the
        metrics, the log line and the audit trail read of a verdict, without going through
        thousands of findings again on the event loop (1 MB of hostile text has ~12,000)."""
        if self.counted is not None:
            return self.counted
        return count_by_type(self.findings)


@dataclass(frozen=True, slots=True)
class TypeCount:
    """Findings of one (scanner, type): how many, and the highest score."""

    count: int
    score: float


def count_by_type(findings: Iterable[Finding]) -> dict[tuple[str, str], TypeCount]:
    """``findings`` by (scanner, type), in the order each type first appears.

    >>> count_by_type([Finding("pii", "KR_RRN", 0.9), Finding("pii", "KR_RRN", 1.0)])
    {('pii', 'KR_RRN'): TypeCount(count=2, score=1.0)}
    """
    counts: dict[tuple[str, str], list[float]] = {}
    for finding in findings:
        key = (finding.scanner, finding.type)
        item = counts.get(key)
        if item is None:
            counts[key] = [1, finding.score]
        else:
            item[0] += 1
            if finding.score > item[1]:
                item[1] = finding.score
    return {key: TypeCount(int(count), score) for key, (count, score) in counts.items()}


class CpuRunner:
    """Where scanners' CPU-bound work runs, by the size of the request (its texts' total
    characters):

    * up to ``inline_chars`` (well under a millisecond of work) on the event loop, where a
      thread hop would cost more than the work;
    * up to ``heavy_chars`` on one worker thread, so the loop never waits on a 20 KB
      prompt and concurrent requests queue instead of oversubscribing the cores;
    * beyond, a *heavy* scan (a few tenths of a second per megabyte), on its own threads: at most
      ``heavy_scans`` at a time, so that a burst of megabyte requests queues rather than
      taking a thread and a core each, and light requests never wait behind them. A
      request that waits more than ``heavy_wait_s`` for a slot gets
      :class:`shared.errors.CoreBusyError` (503 ``core_busy``, ``Retry-After``).

    A heavy request holds its slot from :meth:`admit` (the pipeline takes it once for all
    its scanners) until its work ends, even if its client went away: the thread cannot be
    stopped, and the slot stands for it. Scanners built together share one runner.
    """

    def __init__(
        self,
        *,
        inline_chars: int = DEFAULT_INLINE_CHARS,
        heavy_chars: int = DEFAULT_HEAVY_CHARS,
        heavy_scans: int = DEFAULT_HEAVY_SCANS,
        heavy_wait_s: float = DEFAULT_HEAVY_WAIT_S,
    ) -> None:
        self._inline_chars = inline_chars
        self._heavy_chars = max(heavy_chars, inline_chars)
        self._heavy_wait_s = heavy_wait_s
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="aegis-scan")
        self._heavy = ThreadPoolExecutor(
            max_workers=heavy_scans, thread_name_prefix="aegis-scan-heavy"
        )
        self._slots = asyncio.Semaphore(heavy_scans)

    def is_heavy(self, request: ScanRequest) -> bool:
        """Whether ``request`` is scanned as a heavy one (see the class doc)."""
        return _chars(request) > self._heavy_chars

    @contextlib.asynccontextmanager
    async def admit(self, request: ScanRequest) -> AsyncIterator[None]:
        """A heavy-scan slot for ``request`` while the block runs (nothing for a light one,
        or where this task holds one already); ``CoreBusyError`` if none is free in time."""
        if not self.is_heavy(request) or self._holding() is not None:
            yield
            return
        try:
            async with asyncio.timeout(self._heavy_wait_s):
                await self._slots.acquire()
        except TimeoutError:
            retry = str(max(1, math.ceil(self._heavy_wait_s)))
            raise CoreBusyError(headers={"retry-after": retry}) from None
        admission = _Admission(self, asyncio.current_task())
        token = _ADMITTED.set(admission)
        try:
            yield
        finally:
            _ADMITTED.reset(token)
            admission.release()

    async def run(self, request: ScanRequest, work: Callable[[], _T], *, inline: bool = True) -> _T:
        """``work`` for ``request``, where its size says (see the class doc); with
        ``inline=False`` a small request's work goes to the worker thread too (work that
        is slow whatever the size, like the classifier's encoder tier)."""
        chars = _chars(request)
        if inline and chars <= self._inline_chars:
            return work()
        loop = asyncio.get_running_loop()
        if chars <= self._heavy_chars:
            return await loop.run_in_executor(self._executor, work)
        async with self.admit(request):
            future = loop.run_in_executor(self._heavy, work)
            admission = self._holding()
            if admission is not None:
                admission.working = future
            # Shielded: a cancelled request leaves the future running, so its slot is freed
            # only when the thread is done.
            return await asyncio.shield(future)

    async def run_sized(self, chars: int, work: Callable[[], _T], *, inline_chars: int) -> _T:
        """``work`` on text of ``chars`` characters already paid for (a model's answer): on
        the event loop up to ``inline_chars``, else on the worker thread, or on a heavy-scan
        thread beyond ``heavy_chars``, where it waits its turn but is never refused (the
        model has answered; a 503 now would throw the answer away)."""
        if chars <= inline_chars:
            return work()
        if chars > self._heavy_chars:
            return await self.offload(work)
        loop = asyncio.get_running_loop()
        return await asyncio.shield(loop.run_in_executor(self._executor, work))

    async def offload(self, work: Callable[[], _T]) -> _T:
        """``work`` on a heavy-scan thread, in its turn (a streamed answer whose checks proved
        slow: :class:`core.lifecycle.output.SseAnswer`); never refused."""
        loop = asyncio.get_running_loop()
        return await asyncio.shield(loop.run_in_executor(self._heavy, work))

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._heavy.shutdown(wait=False, cancel_futures=True)

    def _holding(self) -> _Admission | None:
        """This task's slot of this runner, if it holds one (a task it started does not)."""
        held = _ADMITTED.get()
        if held is None or held.runner is not self or held.task is not asyncio.current_task():
            return None
        return held


@dataclass(slots=True)
class _Admission:
    """A heavy-scan slot held by a task, and the work it has on a thread now."""

    runner: CpuRunner
    task: asyncio.Task[Any] | None
    working: asyncio.Future[Any] | None = None

    def release(self) -> None:
        slots = self.runner._slots
        if self.working is None or self.working.done():
            slots.release()
            return

        def done(work: asyncio.Future[Any]) -> None:
            slots.release()
            if not work.cancelled():
                work.exception()  # retrieved: nobody awaits it any more

        # The task ended (cancelled) while its work still runs: free the slot after it.
        self.working.add_done_callback(done)


_ADMITTED: ContextVar[_Admission | None] = ContextVar("aegis_heavy_scan", default=None)


def _chars(request: ScanRequest) -> int:
    return sum(len(text.text) for text in request.texts)
