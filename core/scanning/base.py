"""The shapes every scanner shares: what it reads, what it returns, what the policy decides.

A scanner is a small object with one async method. Costly set-up (compiling rules, opening
an ONNX session) happens once in ``__init__``; ``scan`` only computes and returns findings,
never raises to block: a block is a value (:class:`Verdict`), decided by the policy.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Protocol

from shared.extract import ScanText
from shared.findings import Finding

__all__ = ["Decision", "ScanRequest", "Scanner", "Verdict"]


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
