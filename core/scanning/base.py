"""The shapes every scanner shares: what it reads, what it returns, what the policy decides.

A scanner is a small object with one async method. Costly set-up (compiling rules, opening
an ONNX session) happens once in ``__init__``; ``scan`` only computes and returns findings,
never raises to block: a block is a value (:class:`Verdict`), decided by the policy.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import ClassVar, Final, Protocol, TypeVar

from shared.extract import ScanText
from shared.findings import Finding

__all__ = ["CpuRunner", "Decision", "ScanRequest", "Scanner", "Verdict"]

_T = TypeVar("_T")
# Total characters of a request worked on the event loop rather than on the worker thread.
DEFAULT_INLINE_CHARS: Final = 2048


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
    ALLOW = "allow"
    MASK = "mask"
    BLOCK = "block"


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the policy made of the findings."""

    decision: Decision
    risk_score: float
    findings: tuple[Finding, ...] = ()
    blocking: tuple[Finding, ...] = field(default=())
    # PII and secrets to mask, redact or hash before the model sees the text.
    masking: tuple[Finding, ...] = field(default=())

    @property
    def blocked(self) -> bool:
        return self.decision is Decision.BLOCK


class CpuRunner:
    """Where a scanner's CPU-bound work runs: short requests (up to ``inline_chars`` in all,
    well under a millisecond) on the event loop, where a thread hop would cost more than the
    work; longer ones on one worker thread, so the loop never waits on a 20 KB prompt and
    concurrent requests queue instead of oversubscribing the cores. Scanners built together
    share one runner (one thread)."""

    def __init__(self, *, inline_chars: int = DEFAULT_INLINE_CHARS) -> None:
        self._inline_chars = inline_chars
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="aegis-scan")

    async def run(self, request: ScanRequest, work: Callable[[], _T]) -> _T:
        if sum(len(text.text) for text in request.texts) <= self._inline_chars:
            return work()
        return await asyncio.get_running_loop().run_in_executor(self._executor, work)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
