"""The precise regex scanner: the shared rule pack (English and Korean) on normalised text.

The same RE2 rule set as the edge's prefilter, run again on core for requests that did not
pass an edge (internal callers) and to report every rule that matched, with its severity.
Normalising a long text takes milliseconds (up to ~0.1 s a megabyte), so it runs where
:class:`CpuRunner` puts it, as the other scanners do, never holding the event loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import ClassVar

from core.scanning.base import CpuRunner, ScanRequest
from shared.findings import Finding
from shared.prefilter import Prefilter

__all__ = ["RegexScanner"]


class RegexScanner:
    """Rules compiled once at start; a scan is one linear pass per text."""

    name: ClassVar[str] = "regex"
    cost: ClassVar[int] = 10

    def __init__(self, *, runner: CpuRunner | None = None) -> None:
        self._rules = Prefilter()
        self._runner = runner or CpuRunner()

    async def scan(self, request: ScanRequest) -> Sequence[Finding]:
        verdict = await self._runner.run(request, lambda: self._rules.scan(request.texts))
        return [replace(finding, scanner=self.name) for finding in verdict.findings]

    def close(self) -> None:
        self._runner.close()
